/*
 * Copyright 2026-present the PoolWarden authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package io.github.poolwarden.lazy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import io.github.poolwarden.tracking.ConnectionHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Spring Boot 4.1's {@code spring.datasource.connection-fetch=lazy} wraps the
 * {@code dataSource} bean in a {@link LazyConnectionDataSourceProxy} from a post-processor
 * of its own. In either order of the two post-processors the pool is guarded, its holders
 * are tracked, and {@code unwrap} reaches HikariCP.
 */
class LazyConnectionFetchTests {

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("lazy");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.hikari.maximum-pool-size=3");
	}

	/**
	 * Whether the Boot line on the class path has the lazy connection fetch (4.1 and
	 * later). PoolWarden refers to none of its classes: it guards whatever
	 * {@code DelegatingDataSource} wraps the pool, so nothing of it needs a condition.
	 */
	private static boolean bootHasLazyFetch() {
		String version = SpringBootVersion.getVersion();
		String[] parts = version.split("\\.");
		return Integer.parseInt(parts[0]) > 4 || (Integer.parseInt(parts[0]) == 4 && Integer.parseInt(parts[1]) >= 1);
	}

	@Test
	void bootsLazyProxyWrapsTheGuard() {
		assumeTrue(bootHasLazyFetch(), "Boot " + SpringBootVersion.getVersion() + " has no lazy connection fetch");
		runner().withPropertyValues("spring.datasource.connection-fetch=lazy")
			.run(LazyConnectionFetchTests::assertGuardedTrackedAndUnwrappable);
	}

	/**
	 * On the older line the property is unknown: the pool is guarded as usual and the
	 * context starts.
	 */
	@Test
	void beforeBoot41ThePropertyChangesNothing() {
		assumeFalse(bootHasLazyFetch(), "Boot " + SpringBootVersion.getVersion() + " has the lazy connection fetch");
		runner().withPropertyValues("spring.datasource.connection-fetch=lazy").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(DataSource.class)).isInstanceOf(GuardedDataSource.class);
		});
	}

	@Test
	void theGuardIsPutInsideALazyProxyThatCameFirst() {
		runner().withUserConfiguration(LazyFirst.class).run(LazyConnectionFetchTests::assertGuardedTrackedAndUnwrappable);
	}

	private static void assertGuardedTrackedAndUnwrappable(AssertableApplicationContext context) throws Exception {
		assertThat(context).hasNotFailed();
		DataSource dataSource = context.getBean(DataSource.class);
		assertThat(dataSource).isInstanceOf(LazyConnectionDataSourceProxy.class);
		GuardedDataSource guarded = dataSource.unwrap(GuardedDataSource.class);
		assertThat(((LazyConnectionDataSourceProxy) dataSource).getTargetDataSource()).isSameAs(guarded);
		assertThat(context.getBean(GuardedPools.class).asMap()).containsValue(guarded);
		assertThat(dataSource.unwrap(HikariDataSource.class)).isSameAs(guarded.getPool());
		assertThat(guarded.getPool().isRunning()).as("verified").isTrue();
		try (Connection connection = dataSource.getConnection()) {
			assertThat(guarded.getTracker().holders()).as("nothing borrowed until the first statement").isEmpty();
			try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery("SELECT 1")) {
				assertThat(result.next()).isTrue();
			}
			assertThat(guarded.getTracker().holders()).singleElement()
				.extracting(ConnectionHolder::callSite)
				.asString()
				.startsWith("LazyConnectionFetchTests.assertGuardedTrackedAndUnwrappable(");
		}
		assertThat(guarded.getTracker().holders()).isEmpty();
	}

	/**
	 * A post-processor that wraps the pool in a lazy proxy before PoolWarden's runs, as a
	 * user's own might.
	 */
	@Configuration(proxyBeanMethods = false)
	static class LazyFirst {

		@Bean
		static LazyFirstPostProcessor lazyFirst() {
			return new LazyFirstPostProcessor();
		}

	}

	static class LazyFirstPostProcessor implements BeanPostProcessor, Ordered {

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			return (bean instanceof HikariDataSource pool) ? new LazyConnectionDataSourceProxy(pool) : bean;
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

	}

}
