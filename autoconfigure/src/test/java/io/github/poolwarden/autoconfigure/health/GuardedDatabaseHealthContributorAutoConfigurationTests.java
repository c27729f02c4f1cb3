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

package io.github.poolwarden.autoconfigure.health;

import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.health.GuardedDatabaseHealthIndicator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boot's {@code db} component as PoolWarden shapes it: answered by PoolWarden for guarded
 * pools, Boot's own indicator for every data source PoolWarden does not guard (routing data
 * sources keyed by lookup key, as Boot does), switched off by
 * {@code management.health.db.enabled=false}, and replaced by a bean of the user's.
 */
class GuardedDatabaseHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, GuardedDatabaseHealthContributorAutoConfiguration.class,
				DataSourceHealthContributorAutoConfiguration.class))
		.withPropertyValues("spring.datasource.generate-unique-name=true", "spring.datasource.hikari.pool-name=h2");

	@Test
	void aGuardedPoolIsAnsweredByPoolWarden() {
		this.contextRunner.run((context) -> {
			HealthIndicator db = context.getBean("dbHealthContributor", HealthIndicator.class);

			assertThat(db).isInstanceOf(GuardedDatabaseHealthIndicator.class);
			assertThat(db.health(true).getStatus()).isEqualTo(Status.UP);
			assertThat(db.health(true).getDetails()).containsEntry("database", "H2");
		});
	}

	@Test
	void aPoolThatIsNotGuardedKeepsBootsIndicator() {
		this.contextRunner.withPropertyValues("poolwarden.excluded-beans=dataSource").run((context) -> {
			assertThat(context.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class);

			assertThat(context.getBean("dbHealthContributor")).isInstanceOf(DataSourceHealthIndicator.class);
		});
	}

	@Test
	void managementHealthDbEnabledFalseSwitchesItOff() {
		this.contextRunner.withPropertyValues("management.health.db.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("dbHealthContributor")
				.doesNotHaveBean(GuardedDatabaseHealthIndicator.class));
	}

	@Test
	void aBeanOfTheUsersNamedDbHealthIndicatorWins() {
		this.contextRunner.withUserConfiguration(UserIndicator.class).run((context) -> {
			assertThat(context).doesNotHaveBean("dbHealthContributor");
			assertThat(context.getBean("dbHealthIndicator", HealthIndicator.class).health().getStatus())
				.isEqualTo(Status.UNKNOWN);
		});
	}

	@Test
	void aRoutingDataSourceGetsBootsIndicatorPerLookupKey() {
		this.contextRunner.withUserConfiguration(Routing.class).run((context) -> {
			HealthContributor db = context.getBean("dbHealthContributor", HealthContributor.class);

			assertThat(db).isInstanceOf(CompositeHealthContributor.class);
			CompositeHealthContributor byBean = (CompositeHealthContributor) db;
			assertThat(byBean.getContributor("dataSource")).isInstanceOf(GuardedDatabaseHealthIndicator.class);
			HealthContributor routing = byBean.getContributor("routing");
			assertThat(routing).isInstanceOf(CompositeHealthContributor.class);
			assertThat(((CompositeHealthContributor) routing).getContributor("one"))
				.isInstanceOf(DataSourceHealthIndicator.class);
			assertThat(((CompositeHealthContributor) routing).getContributor("two"))
				.isInstanceOf(DataSourceHealthIndicator.class);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserIndicator {

		@Bean
		HealthIndicator dbHealthIndicator() {
			return () -> org.springframework.boot.health.contributor.Health.unknown().build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Routing {

		@Bean
		DataSource routing() {
			AbstractRoutingDataSource routing = new AbstractRoutingDataSource() {

				@Override
				protected Object determineCurrentLookupKey() {
					return "one";
				}

			};
			routing.setTargetDataSources(Map.of("one", h2("routed_one"), "two", h2("routed_two")));
			routing.afterPropertiesSet();
			return routing;
		}

		@Bean
		DataSource dataSource() {
			HikariDataSource pool = new HikariDataSource();
			pool.setJdbcUrl("jdbc:h2:mem:guarded_" + System.nanoTime());
			pool.setPoolName("h2");
			return pool;
		}

		private static DataSource h2(String name) {
			return new DriverManagerDataSource("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
		}

	}

}
