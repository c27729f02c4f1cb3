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

package io.github.poolwarden.reliability;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.support.SqlStates;
import io.github.poolwarden.testsupport.PrivateCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Server faults on a private PostgreSQL cluster: a restart under load, a crashed
 * backend, a long outage, and the server's connection limit.
 */
@ExtendWith(OutputCaptureExtension.class)
class ServerFaultsTests {

	private static PrivateCluster cluster;

	@BeforeAll
	static void startCluster() {
		cluster = PrivateCluster.start(Map.of("max_connections", "12", "superuser_reserved_connections", "2"));
		cluster.execute("CREATE TABLE events (v int)", "CREATE ROLE app LOGIN", "GRANT ALL ON events TO app");
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	private static long rows() {
		try (Connection connection = DriverManager.getConnection(cluster.jdbcUrl());
				Statement statement = connection.createStatement();
				var result = statement.executeQuery("SELECT count(*) FROM events")) {
			result.next();
			return result.getLong(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void restartUnderLoadFailsOnlyInFlightStatementsAndRecoversWithoutARestart() {
		Faults.runner(cluster.jdbcUrl()).run((context) -> {
			GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
			HealthIndicator health = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
			cluster.execute("TRUNCATE events");
			try (Faults.Load load = new Faults.Load(context.getBean(DataSource.class), 4, "events")) {
				await().atMost(Duration.ofSeconds(10)).until(() -> load.succeeded.get() > 20);

				cluster.stop("fast");
				Faults.awaitHealth(health, Status.DOWN, Duration.ofSeconds(5));
				cluster.start();

				int before = load.succeeded.get();
				await().atMost(Duration.ofSeconds(30)).until(() -> load.succeeded.get() > before + 20);
				Faults.awaitHealth(health, Status.UP, Duration.ofSeconds(10));
				load.close();
				load.assertOnlyServerStates();
				assertThat(load.failures).isNotEmpty();
				assertThat(rows()).as("every success written once, no failure written").isEqualTo(load.succeeded.get());
			}
			assertThat(Faults.retries(guarded)).as("server failures are never retried").isZero();
			Faults.assertNothingLeaked(guarded);
			assertThat(guarded.getPool().getHikariPoolMXBean().getTotalConnections()).isGreaterThanOrEqualTo(2);
		});
	}

	@Test
	void crashedBackendGives08006ThenRecoveryIsWaitedOut() {
		Faults.runner(cluster.jdbcUrlWithoutUser(), "spring.datasource.username=app").run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
			CompletableFuture<Throwable> inFlight = CompletableFuture.supplyAsync(() -> catchThrowable(() -> {
				try (Connection connection = dataSource.getConnection();
						Statement statement = connection.createStatement()) {
					statement.execute("SELECT pg_sleep(20)");
				}
			}));
			await().atMost(Duration.ofSeconds(10)).until(() -> guarded.snapshot().active() == 1);
			List<Integer> backends = cluster.backends("app");

			cluster.killBackend(backends.get(0));

			Throwable failure = inFlight.get(30, TimeUnit.SECONDS);
			assertThat(failure).isInstanceOf(SQLException.class);
			assertThat(SqlStates.find(failure)).isIn("08006", "57P02");
			await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
				try (Connection connection = dataSource.getConnection()) {
					return connection.isValid(1);
				}
			});
			assertThat(Faults.retries(guarded)).isZero();
			Faults.assertNothingLeaked(guarded);
		});
	}

	@Test
	void longOutageFailsEachCallerAfterOneTimeoutWithoutARetryStorm() {
		Faults.runner(cluster.jdbcUrl()).run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
			HealthIndicator health = context.getBean("poolwardenHealthContributor", HealthIndicator.class);

			cluster.stop("immediate");
			int attempts = 0;
			List<Long> tookMillis = new ArrayList<>();
			try {
				long outageStart = System.nanoTime();
				while (System.nanoTime() - outageStart < Duration.ofSeconds(10).toNanos()) {
					long start = System.nanoTime();
					Throwable failure = catchThrowable(() -> {
						try (Connection connection = dataSource.getConnection();
								Statement statement = connection.createStatement()) {
							statement.execute("SELECT 1");
						}
					});
					Duration took = Duration.ofNanos(System.nanoTime() - start);
					attempts++;
					assertThat(failure).as("nothing succeeds while the server is down").isNotNull();
					assertThat(SqlStates.find(failure)).as("the driver's SQLState").isIn("08001", "08006", "57P01");
					tookMillis.add(took.toMillis());
					assertThat(Faults.timedHealth(health).getStatus()).isEqualTo(Status.DOWN);
				}
			}
			finally {
				cluster.start();
			}
			assertThat(attempts).as("attempts in 10 s by one caller: one per HikariCP timeout, plus the pooled "
					+ "connections found dead").isBetween(5, 20);
			// One HikariCP wait (1 s) per caller, not a retry's several: the median tells one
			// wait from two on a busy machine, where a single iteration may run late.
			List<Long> sorted = tookMillis.stream().sorted().toList();
			assertThat(sorted.get(sorted.size() / 2)).as("median wait of " + sorted + " ms").isLessThan(1500);
			assertThat(sorted.get(sorted.size() - 1)).as("longest wait of " + sorted + " ms").isLessThan(3500);
			assertThat(Faults.retries(guarded)).isZero();

			Faults.awaitHealth(health, Status.UP, Duration.ofSeconds(15));
			await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
				try (Connection connection = dataSource.getConnection()) {
					return connection.isValid(1);
				}
			});
			Faults.assertNothingLeaked(guarded);
		});
	}

	@Test
	void serverConnectionLimitGivesOneClearWarningAndThePoolKeepsServing(
			org.springframework.boot.test.system.CapturedOutput output) {
		Faults.runner(cluster.jdbcUrlWithoutUser(), "spring.datasource.username=app",
				"spring.datasource.hikari.maximum-pool-size=15", "spring.datasource.hikari.minimum-idle=1")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
				assertThat(output.getOut()).contains("faulty - maximumPoolSize 15 cannot fit");
				List<Connection> held = new java.util.ArrayList<>();
				Throwable refused = null;
				for (int i = 0; i < 15 && refused == null; i++) {
					try {
						held.add(dataSource.getConnection());
					}
					catch (SQLException ex) {
						refused = ex;
					}
				}
				assertThat(SqlStates.find(refused)).isEqualTo("53300");
				assertThat(held.size()).isBetween(5, 10);
				for (int i = 0; i < 3; i++) {
					assertThat(SqlStates.find(catchThrowable(dataSource::getConnection))).isEqualTo("53300");
				}
				assertThat(output.getOut().lines()
					.filter((line) -> line.contains("the server, the database or the role is full, not the pool")))
					.as("one clear warning").hasSize(1);
				assertThat(Faults.retries(guarded)).as("no retry storm").isZero();
				held.remove(0).close();
				try (Connection again = dataSource.getConnection()) {
					assertThat(again.isValid(1)).as("the pool keeps serving what it has").isTrue();
				}
				for (Connection connection : held) {
					connection.close();
				}
				Faults.assertNothingLeaked(guarded);
			});
	}

}
