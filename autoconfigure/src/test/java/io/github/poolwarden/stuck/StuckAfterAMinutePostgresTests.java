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

package io.github.poolwarden.stuck;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.GuardedDatabaseHealthContributorAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.PoolWardenHealthContributorAutoConfiguration;
import io.github.poolwarden.testsupport.BesideOthersAppender;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stuck pool with nothing tuned but its size: the default {@code stuck-after} (60 s)
 * and Boot's 30 s {@code connection-timeout} for the callers that keep arriving. The
 * minute is waited out beside the other classes: the pool is named {@code beside-stuck},
 * so its lines are kept by {@code BesideOthersAppender} and off the console
 * ({@code BesideOthersFilter}).
 */
@Execution(ExecutionMode.CONCURRENT)
class StuckAfterAMinutePostgresTests {

	private static final String POOL = "beside-stuck";

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("stuckminute");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@Test
	void withTheDefaultsAPoolWhoseConnectionsNeverComeBackIsStuckAfterAMinute() throws Exception {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					PoolWardenHealthContributorAutoConfiguration.class,
					GuardedDatabaseHealthContributorAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.hikari.pool-name=" + POOL, "spring.datasource.hikari.maximum-pool-size=2")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				List<Connection> leaked = new ArrayList<>();
				for (int i = 0; i < 2; i++) {
					leaked.add(dataSource.getConnection());
				}
				AtomicBoolean calling = new AtomicBoolean(true);
				Thread caller = new Thread(() -> {
					while (calling.get()) {
						try (Connection connection = dataSource.getConnection()) {
							return;
						}
						catch (SQLException ex) {
							// timed out after Boot's 30 s: the next request comes
						}
					}
				}, "request-loop");
				caller.start();
				long start = System.nanoTime();
				try {
					await().atMost(Duration.ofSeconds(90))
						.pollInterval(Duration.ofSeconds(1))
						.until(() -> status(context).equals(Status.DOWN));

					assertThat(Duration.ofNanos(System.nanoTime() - start))
						.isGreaterThanOrEqualTo(Duration.ofSeconds(59));
					assertThat(poolwarden(context).health(true).getDetails()).containsEntry("stuck", true);
					assertThat(stuckLines()).hasSize(1)
						.first()
						.satisfies((line) -> assertThat(line.getFormattedMessage())
							.contains("poolwarden.health.stuck-after=60s"));
				}
				finally {
					calling.set(false);
					for (Connection connection : leaked) {
						connection.close();
					}
					caller.join(35_000);
				}
				await().atMost(Duration.ofSeconds(5)).until(() -> status(context).equals(Status.UP));
			});
	}

	private static List<ILoggingEvent> stuckLines() {
		return BesideOthersAppender.lines(POOL + " - stuck: ")
			.stream()
			.filter((line) -> line.getLevel() == Level.ERROR)
			.toList();
	}

	private static Status status(AssertableApplicationContext context) {
		return poolwarden(context).health(true).getStatus();
	}

	private static HealthIndicator poolwarden(AssertableApplicationContext context) {
		return context.getBean("poolwardenHealthContributor", HealthIndicator.class);
	}

}
