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

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.health.PoolWardenHealthIndicator;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PoolWardenHealthContributorAutoConfiguration}.
 */
class PoolWardenHealthContributorAutoConfigurationTests {

	private static TestDatabase database;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PoolWardenAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, PoolWardenHealthContributorAutoConfiguration.class));

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("healthwiring");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@Test
	void buildsACompositeKeyedByPoolNameForSeveralPools() {
		this.contextRunner.withUserConfiguration(TwoPools.class).run((context) -> {
			HealthContributor contributor = context.getBean("poolwardenHealthContributor", HealthContributor.class);
			assertThat(contributor).isInstanceOf(CompositeHealthContributor.class);
			CompositeHealthContributor composite = (CompositeHealthContributor) contributor;
			assertThat(composite.getContributor("orders")).isInstanceOf(PoolWardenHealthIndicator.class);
			assertThat(composite.getContributor("reports")).isInstanceOf(PoolWardenHealthIndicator.class);
			assertThat(((HealthIndicator) composite.getContributor("reports")).health().getStatus())
				.isEqualTo(Status.UP);
		});
	}

	@Test
	void userDefinedContributorWins() {
		this.contextRunner.withUserConfiguration(TwoPools.class, UserContributor.class)
			.run((context) -> assertThat(context.getBean("poolwardenHealthContributor"))
				.isNotInstanceOf(CompositeHealthContributor.class));
	}

	@Test
	void backsOffWithoutGuardedPools() {
		this.contextRunner.withPropertyValues("poolwarden.enabled=false")
			.withUserConfiguration(TwoPools.class)
			.run((context) -> assertThat(context).doesNotHaveBean("poolwardenHealthContributor"));
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoPools {

		@Bean
		HikariDataSource ordersDataSource() {
			return pool("orders");
		}

		@Bean
		HikariDataSource reportsDataSource() {
			return pool("reports");
		}

		private static HikariDataSource pool(String name) {
			HikariDataSource pool = new HikariDataSource();
			pool.setPoolName(name);
			pool.setJdbcUrl(database.jdbcUrl());
			pool.setMaximumPoolSize(2);
			return pool;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserContributor {

		@Bean
		HealthIndicator poolwardenHealthContributor() {
			return () -> Health.up().build();
		}

	}

}
