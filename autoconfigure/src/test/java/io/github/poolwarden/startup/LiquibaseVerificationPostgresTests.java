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

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.testsupport.TcpForwarder;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Verification happens before Liquibase borrows from the pool to migrate. A database that
 * is not up yet when the application starts (a port that refuses, opened later): with
 * PoolWarden the start waits for it, verifies the pool and only then lets Liquibase
 * migrate, with every connection of the pool open; without it (the control,
 * {@code poolwarden.enabled=false}) Liquibase's first borrow fails the start. A database
 * per test: a changeset runs once.
 */
@ExtendWith(OutputCaptureExtension.class)
class LiquibaseVerificationPostgresTests {

	private TestDatabase database;

	private TcpForwarder late;

	@BeforeEach
	void createDatabase() {
		this.database = TestPostgres.createDatabase("liquibase");
		this.late = TcpForwarder.toTestServer();
	}

	@AfterEach
	void dropDatabase() throws Exception {
		this.late.close();
		this.database.close();
	}

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					LiquibaseAutoConfiguration.class, PoolWardenAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + this.database.jdbcUrlVia(this.late.port()),
					"spring.datasource.hikari.pool-name=migrated", "spring.datasource.hikari.maximum-pool-size=3",
					"spring.liquibase.change-log=classpath:liquibase/record-backends.sql");
	}

	@Test
	void aDatabaseThatComesUpLateIsWaitedForAndLiquibaseMigratesOnTheVerifiedPool(CapturedOutput output)
			throws Exception {
		CompletableFuture<Void> application = CompletableFuture.runAsync(() -> runner().run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(this.database.queryForLong("SELECT backends FROM seen_at_migration"))
				.as("connections open when the changeset ran")
				.isEqualTo(3);
		}));

		await().atMost(Duration.ofSeconds(20)).until(() -> output.getOut().contains("migrated - database at "));
		assertThat(application).isNotDone();
		this.late.open();

		application.get(60, TimeUnit.SECONDS);
		assertThat(output.getOut()).contains("not ready (SQLState 08001, the database cannot be reached")
			.contains("migrated - verified 3 connections to ");
	}

	@Test
	void withoutPoolWardenTheSameLateDatabaseFailsLiquibaseAndTheStart() {
		runner().withPropertyValues("poolwarden.enabled=false").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasMessageContaining("liquibase")
				.hasRootCauseInstanceOf(java.net.ConnectException.class);
		});
	}

}
