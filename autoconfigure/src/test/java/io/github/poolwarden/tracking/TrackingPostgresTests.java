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

package io.github.poolwarden.tracking;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import com.example.leaky.LeakyService;
import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.endpoint.PoolWardenEndpointAutoConfiguration;
import io.github.poolwarden.endpoint.PoolWardenEndpoint;
import io.github.poolwarden.endpoint.PoolWardenEndpoint.PoolReport;
import io.github.poolwarden.retry.PoolExhaustedException;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import io.github.poolwarden.utilization.UtilizationLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Holder tracking against a real PostgreSQL: incident 002's leak named, a long report
 * job, a soak with backends killed under it, and nothing committed by accident.
 */
@ExtendWith(OutputCaptureExtension.class)
class TrackingPostgresTests {

	private static final String CANARY = "Tracking-canary-5e1f";

	private static TestDatabase database;

	private static String role;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("tracking");
		database.execute("CREATE TABLE docs (id int NOT NULL)");
		// the pool logs in with the canary as its password, on a trust server and on one
		// that requires passwords alike
		role = database.createRole("tracked", "LOGIN PASSWORD '" + CANARY + "'");
		database.execute("GRANT ALL ON TABLE docs TO " + role);
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner(String... properties) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, PoolWardenEndpointAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrlAs(role),
					"spring.datasource.hikari.pool-name=tracked", "spring.datasource.hikari.maximum-pool-size=5",
					"spring.datasource.hikari.minimum-idle=1", "spring.datasource.hikari.connection-timeout=250",
					"poolwarden.utilization.sample-interval=20ms", "poolwarden.retry.max-retries=2",
					"poolwarden.retry.timeout=2s", "management.endpoints.web.exposure.include=poolwarden")
			.withPropertyValues(properties);
	}

	@Test
	void incident002LeakIsNamedWhenThePoolRunsDry(CapturedOutput output) {
		runner().run((context) -> {
			RecordingDataSource dataSource = new RecordingDataSource(context.getBean(DataSource.class));
			GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
			LeakyService service = new LeakyService(dataSource);
			for (int i = 0; i < 4; i++) {
				leak(service);
			}
			await().atMost(Duration.ofSeconds(5))
				.until(() -> guarded.getMonitor().level() == UtilizationLevel.WARNING);
			leak(service);

			Throwable failure = catchThrowable(() -> service.classify(false));

			assertThat(failure).isInstanceOf(PoolExhaustedException.class)
				.hasMessageContaining("held by LeakyService.classify(LeakyService.java:");
			PoolReport report = context.getBean(PoolWardenEndpoint.class).pools().pools().get("tracked");
			assertThat(report.holders()).hasSize(5);
			assertThat(report.byCallSite()).anyMatch((line) -> line.startsWith("5 held by LeakyService.classify("));
			String json = JsonMapper.shared().writeValueAsString(context.getBean(PoolWardenEndpoint.class).pools());
			assertThat(json).contains("\"thread\"").doesNotContain("SELECT").doesNotContain("jdbc:")
				.doesNotContain(CANARY);
			assertThat(output.getOut()).contains("crossed critical threshold 95%; holders, by call site, oldest first:")
				.contains("    5 held by LeakyService.classify(LeakyService.java:")
				.doesNotContain(CANARY);

			dataSource.closeAll();
			assertThat(guarded.getTracker().holders()).isEmpty();
			assertThat(guarded.getTracker().borrowed()).isEqualTo(guarded.getTracker().returned());
		});
	}

	@Test
	void onPressureNamesOnlyWhatWasBorrowedWhileThePoolWasShort() {
		runner("poolwarden.tracking.call-site=on-pressure").run((context) -> {
			RecordingDataSource dataSource = new RecordingDataSource(context.getBean(DataSource.class));
			GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
			LeakyService service = new LeakyService(dataSource);
			for (int i = 0; i < 4; i++) {
				leak(service);
			}
			await().atMost(Duration.ofSeconds(5))
				.until(() -> guarded.getMonitor().level() == UtilizationLevel.WARNING);
			leak(service);

			Throwable failure = catchThrowable(() -> service.classify(false));

			assertThat(failure).hasMessageContaining("4 held by an unrecorded call site")
				.hasMessageContaining("1 held by LeakyService.classify(LeakyService.java:");
			dataSource.closeAll();
		});
	}

	/**
	 * Run the leaking path once.
	 */
	private static void leak(LeakyService service) {
		assertThat(catchThrowable(() -> service.classify(true))).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void longHoldGivesOneWarnAndOneInfo(CapturedOutput output) {
		runner("poolwarden.tracking.long-hold-threshold=300ms", "poolwarden.tracking.call-site=always")
			.run((context) -> {
				GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
				new LeakyService(context.getBean(DataSource.class)).exportReport(1200);

				await().atMost(Duration.ofSeconds(5)).until(() -> lines(output, "INFO", "returned after").size() == 1);
				assertThat(lines(output, "WARN", "(poolwarden.tracking.long-hold-threshold=300 ms)")).singleElement()
					.asString()
					.contains("tracked - connection held for ")
					.contains("by thread '" + Thread.currentThread().getName() + "' at LeakyService.exportReport(");
				assertThat(lines(output, "INFO", "returned after")).singleElement()
					.asString()
					.contains("at LeakyService.exportReport(")
					.contains("returned after 1 s");
				assertThat(guarded.getTracker().longHolds()).isOne();
			});
	}

	@Test
	void soakWithKilledBackendsLeavesNothingBehind() {
		runner("spring.datasource.hikari.maximum-pool-size=4", "spring.datasource.hikari.connection-timeout=1000",
				"poolwarden.retry.max-retries=20", "poolwarden.retry.timeout=10s")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
				ExecutorService workers = Executors.newFixedThreadPool(16);
				AtomicBoolean running = new AtomicBoolean(true);
				Queue<String> unexpected = new ConcurrentLinkedQueue<>();
				long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
				List<Future<?>> loops = new ArrayList<>();
				for (int i = 0; i < 16; i++) {
					loops.add(workers.submit(() -> {
						while (running.get() && System.nanoTime() < deadline) {
							try (Connection connection = dataSource.getConnection();
									Statement statement = connection.createStatement()) {
								statement.execute("SELECT pg_sleep(" + ThreadLocalRandom.current().nextInt(20) / 1000.0 + ")");
							}
							catch (SQLException ex) {
								if (!"57P01".equals(ex.getSQLState()) && !"08006".equals(ex.getSQLState())
										&& !"08003".equals(ex.getSQLState())) {
									unexpected.add(ex.getSQLState() + ": " + ex.getMessage());
								}
							}
						}
					}));
				}
				int kills = 0;
				while (System.nanoTime() < deadline) {
					kills += database.terminateBackends();
					await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> true);
				}
				running.set(false);
				workers.shutdown();
				assertThat(workers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
				for (Future<?> loop : loops) {
					loop.get(); // anything but an SQLException ended a worker: fail with it
				}

				assertThat(kills).isPositive();
				assertThat(unexpected).isEmpty();
				HikariDataSource pool = guarded.getPool();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> pool.getHikariPoolMXBean().getActiveConnections() == 0);
				assertThat(guarded.getTracker().holders()).isEmpty();
				assertThat(guarded.getTracker().borrowed()).isEqualTo(guarded.getTracker().returned()).isPositive();
				guarded.getTracker().prune();
				assertThat(guarded.getTracker().registrySize()).isLessThanOrEqualTo(4);
			});
	}

	@Test
	void uncommittedWorkIsRolledBackOnReturnEvenThroughUnwrap() {
		runner().run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			database.execute("DELETE FROM docs");

			try (Connection connection = dataSource.getConnection()) {
				connection.setAutoCommit(false);
				connection.createStatement().executeUpdate("INSERT INTO docs VALUES (1)");
			}
			try (Connection connection = dataSource.getConnection()) {
				connection.setAutoCommit(false);
				Connection physical = (Connection) connection.unwrap(PGConnection.class);
				physical.createStatement().executeUpdate("INSERT INTO docs VALUES (2)");
			}

			assertThat(database.queryForLong("SELECT count(*) FROM docs")).isZero();
		});
	}

	@Test
	void withoutRollbackOnReturnHikariCommitsWorkDoneThroughUnwrap() {
		// the control changes one setting: tracking stays on, as in the test above
		runner("poolwarden.rollback-on-return=false").run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			database.execute("DELETE FROM docs");

			try (Connection connection = dataSource.getConnection()) {
				connection.setAutoCommit(false);
				Connection physical = (Connection) connection.unwrap(PGConnection.class);
				physical.createStatement().executeUpdate("INSERT INTO docs VALUES (3)");
			}

			assertThat(database.queryForLong("SELECT count(*) FROM docs")).as("the accident PoolWarden prevents")
				.isOne();
		});
	}

	private static List<String> lines(CapturedOutput output, String level, String text) {
		return output.getOut().lines().filter((line) -> line.contains(level) && line.contains(text)).toList();
	}

	/**
	 * The application's data source, as the leaking service sees it; remembers what it
	 * handed out so the test can clean up what the service lost.
	 */
	static final class RecordingDataSource extends DelegatingDataSource {

		final List<Connection> handedOut = new ArrayList<>();

		RecordingDataSource(DataSource target) {
			super(target);
		}

		@Override
		public Connection getConnection() throws SQLException {
			Connection connection = super.getConnection();
			this.handedOut.add(connection);
			return connection;
		}

		void closeAll() throws SQLException {
			for (Connection connection : this.handedOut) {
				connection.close();
			}
		}

	}

}
