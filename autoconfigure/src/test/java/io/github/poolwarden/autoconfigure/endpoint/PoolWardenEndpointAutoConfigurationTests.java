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

package io.github.poolwarden.autoconfigure.endpoint;

import java.sql.Connection;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.endpoint.PoolWardenEndpoint;
import io.github.poolwarden.endpoint.PoolWardenEndpoint.PoolReport;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PoolWardenEndpointAutoConfiguration}.
 */
class PoolWardenEndpointAutoConfigurationTests {

	private static TestDatabase database;

	private static ApplicationContextRunner contextRunner;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("endpoint");
		contextRunner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, PoolWardenEndpointAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(), "spring.datasource.hikari.pool-name=ep",
					"spring.datasource.hikari.maximum-pool-size=2");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@Test
	void reportsStateAndHoldersWhenExposed() {
		contextRunner.withPropertyValues("management.endpoints.web.exposure.include=poolwarden").run((context) -> {
			try (Connection held = context.getBean(DataSource.class).getConnection()) {
				PoolReport report = context.getBean(PoolWardenEndpoint.class).pools().pools().get("ep");
				assertThat(report.state().active()).isOne();
				assertThat(report.state().max()).isEqualTo(2);
				assertThat(report.state().level()).isEqualTo("normal");
				assertThat(report.holders()).singleElement()
					.satisfies((holder) -> assertThat(holder.thread()).isEqualTo(Thread.currentThread().getName()));
				assertThat(report.tracking().borrowed()).isOne();
			}
		});
	}

	@Test
	void backsOffWhenNotExposed() {
		contextRunner.run((context) -> assertThat(context).doesNotHaveBean(PoolWardenEndpoint.class));
	}

	@Test
	void userDefinedEndpointWins() {
		contextRunner.withPropertyValues("management.endpoints.web.exposure.include=poolwarden")
			.withUserConfiguration(UserEndpoint.class)
			.run((context) -> assertThat(context.getBean(PoolWardenEndpoint.class))
				.isSameAs(context.getBean("userEndpoint")));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserEndpoint {

		@Bean
		PoolWardenEndpoint userEndpoint() {
			return new PoolWardenEndpoint(new GuardedPools());
		}

	}

}
