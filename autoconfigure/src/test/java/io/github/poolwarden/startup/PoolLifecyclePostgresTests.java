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

package io.github.poolwarden.startup;

import java.sql.Connection;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.lifecycle.LivePools;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pool in its context's lifecycle against a real PostgreSQL: a paused context holds
 * no connection and is verified again on restart; the shared-pool recipe for test
 * suites works across contexts.
 */
@ExtendWith(OutputCaptureExtension.class)
class PoolLifecyclePostgresTests {

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("lifecycle");
	}

	@AfterAll
	static void dropDatabase() {
		SharedPool.close();
		database.close();
	}

	private static ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.hikari.pool-name=paused", "spring.datasource.hikari.maximum-pool-size=4",
					"spring.datasource.hikari.minimum-idle=3");
	}

	@Test
	void pausedContextHoldsNoConnectionAndIsVerifiedAgainOnRestart(CapturedOutput output) {
		runner().run((context) -> {
			ConfigurableApplicationContext application = context.getSourceApplicationContext();
			HikariDataSource pool = context.getBean(GuardedDataSource.class).getPool();
			assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(3);

			application.pause();

			await().atMost(Duration.ofSeconds(10)).until(() -> pool.getHikariPoolMXBean().getTotalConnections() == 0);
			// HikariCP closes connections on its own thread: the server sees them go a little later
			await().atMost(Duration.ofSeconds(10)).until(() -> backends() == 0);

			application.restart();

			assertThat(output.getOut().lines().filter((line) -> line.contains("paused - verified 3 connections")))
				.hasSize(2);
			assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(3);
			try (Connection connection = context.getBean(DataSource.class).getConnection()) {
				assertThat(connection.isValid(1)).isTrue();
			}
		});
	}

	@Test
	void keepsConnectionsOnPauseWhenAskedTo() {
		runner().withPropertyValues("poolwarden.release-on-pause=false").run((context) -> {
			HikariDataSource pool = context.getBean(GuardedDataSource.class).getPool();

			context.getSourceApplicationContext().pause();

			assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(3);
			assertThat(backends()).isEqualTo(3);
		});
	}

	@Test
	void sharedPoolRecipeServesSeveralContextsAndOutlivesThem() {
		ApplicationContextRunner shared = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(PoolWardenAutoConfiguration.class))
			.withUserConfiguration(SharedPoolConfiguration.class)
			.withPropertyValues("poolwarden.release-on-pause=false");

		shared.withPropertyValues("test.slice=one").run((first) -> shared.withPropertyValues("test.slice=two").run((second) -> {
			DataSource one = first.getBean(DataSource.class);
			DataSource two = second.getBean(DataSource.class);
			assertThat(one).isInstanceOf(GuardedDataSource.class).isNotSameAs(two);
			assertThat(one.unwrap(HikariDataSource.class)).isSameAs(two.unwrap(HikariDataSource.class));
			try (Connection a = one.getConnection(); Connection b = two.getConnection()) {
				assertThat(a.isValid(1) && b.isValid(1)).isTrue();
			}
			// the JVM-wide capacity check counts the shared pool once, not once per context
			assertThat(LivePools.sameServerAs((GuardedDataSource) one))
				.filteredOn((entry) -> entry.getKey().getPool() == SharedPool.get())
				.hasSize(1);
		}));

		HikariDataSource pool = SharedPool.get();
		assertThat(pool.isClosed()).isFalse();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> backends() == pool.getHikariPoolMXBean().getTotalConnections());
		assertThat(backends()).as("the shared pool outlives both contexts, with its connections").isPositive();
	}

	private static long backends() {
		return database.queryForLong("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database.name()
				+ "' AND pid <> pg_backend_pid()");
	}

	/**
	 * The recipe from the README: one pool for the whole test suite, outliving every
	 * cached context.
	 */
	static final class SharedPool {

		private static HikariDataSource pool;

		static synchronized HikariDataSource get() {
			if (pool == null) {
				pool = new HikariDataSource();
				pool.setPoolName("shared");
				pool.setJdbcUrl(database.jdbcUrl());
				pool.setMaximumPoolSize(4);
				pool.setMinimumIdle(1);
			}
			return pool;
		}

		static synchronized void close() {
			if (pool != null) {
				pool.close();
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SharedPoolConfiguration {

		@Bean(destroyMethod = "")
		HikariDataSource dataSource() {
			return SharedPool.get();
		}

	}

}
