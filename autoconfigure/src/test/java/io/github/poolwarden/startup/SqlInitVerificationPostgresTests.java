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

import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Verification happens before {@code spring.sql.init} borrows from the pool: the script
 * records how many of the pool's connections are open when it runs — all of them, verified,
 * with PoolWarden; only the one HikariCP opened for the script without it (the control,
 * {@code poolwarden.enabled=false}).
 */
class SqlInitVerificationPostgresTests {

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("sqlinit");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					DataSourceInitializationAutoConfiguration.class, PoolWardenAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.hikari.maximum-pool-size=3", "spring.sql.init.mode=always",
					"spring.sql.init.schema-locations=classpath:sqlinit/record-backends.sql");
	}

	@Test
	void thePoolIsVerifiedBeforeSqlInitRuns() {
		runner().run((context) -> {
			assertThat(context).hasNotFailed();

			assertThat(database.queryForLong("SELECT backends FROM seen_at_init")).as("connections open when the script ran")
				.isEqualTo(3);
		});
	}

	@Test
	void withoutPoolWardenTheScriptRunsOnAPoolThatHasNotFilled() {
		runner().withPropertyValues("poolwarden.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();

			assertThat(database.queryForLong("SELECT backends FROM seen_at_init")).as("connections open when the script ran")
				.isLessThan(3);
		});
	}

}
