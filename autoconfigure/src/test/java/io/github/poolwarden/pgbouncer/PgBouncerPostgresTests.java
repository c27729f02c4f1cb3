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
package io.github.poolwarden.pgbouncer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.endpoint.PoolWardenEndpointAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.GuardedDatabaseHealthContributorAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.PoolWardenHealthContributorAutoConfiguration;
import io.github.poolwarden.autoconfigure.metrics.PoolWardenMetricsAutoConfiguration;
import io.github.poolwarden.capacity.ServerCapacity;
import io.github.poolwarden.endpoint.PoolWardenEndpoint;
import io.github.poolwarden.retry.PoolExhaustedException;
import io.github.poolwarden.startup.StartupVerificationException;
import io.github.poolwarden.support.SqlStates;
import io.github.poolwarden.testsupport.PgBouncer;
import io.github.poolwarden.testsupport.TcpForwarder;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * PoolWarden through a real PgBouncer (transaction pooling) in front of the test
 * PostgreSQL: verification, retry, utilization, health and holders work through it;
 * pgjdbc's prepared statements fail without {@code prepareThreshold=0}, and PoolWarden
 * says so at startup; PgBouncer's own refusals are classified as PgBouncer being full or
 * unable to reach the server, never as an exhausted pool; and the capacity check reads
 * PgBouncer's limits, not the server's.
 */
@ExtendWith(OutputCaptureExtension.class)
class PgBouncerPostgresTests {

	private static TestDatabase database;

	private static String role;

	private static String password;

	private static PgBouncer bouncer;

	@BeforeAll
	static void startPgBouncer() {
		database = TestPostgres.createDatabase("bouncer");
		role = database.createRole("app", "LOGIN");
		password = database.passwordOf(role);
		database.execute("CREATE TABLE orders (id int NOT NULL)", "GRANT ALL ON orders TO " + role);
		bouncer = PgBouncer.inFrontOfTestServer(Map.of(role, password), Map.of());
	}

	@AfterAll
	static void stop() {
		if (bouncer != null) {
			bouncer.close();
		}
		database.close();
	}

	private static ApplicationContextRunner runner(PgBouncer through, String urlParameters) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					PoolWardenMetricsAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					PoolWardenHealthContributorAutoConfiguration.class,
					GuardedDatabaseHealthContributorAutoConfiguration.class,
					DataSourceHealthContributorAutoConfiguration.class, PoolWardenEndpointAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + through.jdbcUrl(database.name(), urlParameters),
					"spring.datasource.username=" + role, "spring.datasource.password=" + password,
					"spring.datasource.hikari.pool-name=bounced", "spring.datasource.hikari.maximum-pool-size=4",
					"poolwarden.pgbouncer.enabled=true", "management.endpoints.web.exposure.include=poolwarden");
	}

	@Test
	void verificationRetryUtilizationHealthAndHoldersWorkThroughPgBouncer(CapturedOutput output) throws Exception {
		runner(bouncer, "prepareThreshold=0").withPropertyValues("poolwarden.retry.timeout=10s").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output.getOut()).contains("bounced - verified 4 connections to 127.0.0.1:" + bouncer.port() + "/"
					+ database.name())
				.doesNotContain("prepareThreshold=0 to spring.datasource.url")
				.contains("bounced - behind PgBouncer 1.")
				.contains("at most 2 of the pool's 4 connections run a transaction at once");
			GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
			assertThat(guarded.getServerCapacity()).isNotNull()
				.extracting(ServerCapacity::source)
				.isEqualTo(ServerCapacity.Source.PGBOUNCER);
			assertThat(context.getBean(MeterRegistry.class).get("poolwarden.server.connections.limit").gauge().value())
				.as("PgBouncer's max_client_conn, not the server's max_connections")
				.isEqualTo(100);

			DataSource dataSource = context.getBean(DataSource.class);
			try (Connection connection = dataSource.getConnection()) {
				connection.setAutoCommit(false);
				try (PreparedStatement insert = connection.prepareStatement("INSERT INTO orders VALUES (?)")) {
					for (int i = 0; i < 10; i++) {
						insert.setInt(1, i);
						insert.executeUpdate();
					}
				}
				connection.commit();
			}
			assertThat(database.queryForLong("SELECT count(*) FROM orders")).isEqualTo(10);

			List<Connection> held = holdAll(dataSource, 4);
			CompletableFuture<Boolean> caller = CompletableFuture.supplyAsync(() -> {
				try (Connection connection = dataSource.getConnection()) {
					return connection.isValid(1);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			await().atMost(Duration.ofSeconds(10))
				.until(() -> output.getOut().contains("bounced - pool exhausted: a caller has waited"));
			assertThat(output.getOut()).contains("4 held by PgBouncerPostgresTests.holdAll(PgBouncerPostgresTests.java:")
				.contains("bounced - utilization 100% (active=4, max=4");
			Health poolwarden = context.getBean("poolwardenHealthContributor", HealthIndicator.class).health();
			assertThat(poolwarden.getStatus()).isEqualTo(Status.UP);
			assertThat(poolwarden.getDetails()).containsEntry("level", "critical").containsEntry("database", "answers");
			Health db = context.getBean("dbHealthContributor", HealthIndicator.class).health();
			assertThat(db.getStatus()).isEqualTo(Status.UP);
			assertThat(db.getDetails()).containsEntry("saturated", true);
			assertThat(context.getBean(PoolWardenEndpoint.class).pools().pools().get("bounced").holders()).hasSize(4);

			held.remove(0).close();
			assertThat(caller.get(10, TimeUnit.SECONDS)).isTrue();
			assertThat(guarded.getRetry().getStats().recovered()).isOne();
			for (Connection connection : held) {
				connection.close();
			}
			assertThat(guarded.getTracker().holders()).isEmpty();
		});
	}

	private static List<Connection> holdAll(DataSource dataSource, int count) throws SQLException {
		List<Connection> held = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			held.add(dataSource.getConnection());
		}
		return held;
	}

	/**
	 * The control: without {@code prepareThreshold=0}, a statement pgjdbc has prepared on
	 * one server connection is executed on another. PoolWarden warned at startup.
	 */
	@Test
	void withoutPrepareThresholdZeroPreparedStatementsFailAndPoolWardenSaidSo(CapturedOutput output) {
		runner(bouncer, "").run((context) -> {
			assertThat(output.getOut()).contains("bounced - poolwarden.pgbouncer.enabled is true and the pool connects "
					+ "through PgBouncer 1.")
				.contains("in transaction pooling, max_prepared_statements 0")
				.contains("Add prepareThreshold=0 to spring.datasource.url");

			Throwable failure = catchThrowable(
					() -> preparedOnOneServerConnectionRunOnAnother(context.getBean(DataSource.class)));

			// the name is unknown on the other server connection, or already taken there by
			// another client's statement: either way the statement fails
			assertThat(failure).isInstanceOf(SQLException.class)
				.message()
				.containsPattern("prepared statement \"S_\\d+\" (does not exist|already exists)");
		});
	}

	/**
	 * Without poolwarden.pgbouncer.enabled nothing says the pool goes through PgBouncer at
	 * startup; the first prepared statement that falls into the trap says so, once, with
	 * the fix for either side of PgBouncer 1.21.
	 */
	@Test
	void withoutThePropertyTheFirstPreparedStatementThatFailsNamesTheFixOnce(CapturedOutput output) {
		runner(bouncer, "").withPropertyValues("poolwarden.pgbouncer.enabled=false").run((context) -> {
			assertThat(output.getOut()).doesNotContain("prepareThreshold=0");
			DataSource dataSource = context.getBean(DataSource.class);

			for (int i = 0; i < 3; i++) {
				assertThat(catchThrowable(() -> preparedOnOneServerConnectionRunOnAnother(dataSource)))
					.isInstanceOf(SQLException.class);
			}

			assertThat(output.getOut().lines().filter((line) -> line.contains("bounced - a statement failed as "
					+ "pgjdbc's prepared statements fail behind a transaction pooler")))
				.singleElement()
				.asString()
				.contains(" WARN ")
				.containsPattern("prepared statement \"S_\\d+\" (does not exist|already exists)|bind message")
				.contains("Add prepareThreshold=0 to spring.datasource.url (PgBouncer before 1.21)")
				.contains("set max_prepared_statements in pgbouncer.ini");
		});
	}

	@Test
	void withPrepareThresholdZeroTheSameStatementsRun(CapturedOutput output) {
		runner(bouncer, "prepareThreshold=0").run((context) -> {
			assertThat(output.getOut()).doesNotContain("poolwarden.pgbouncer.enabled is true and the pool connects");

			assertThat(preparedOnOneServerConnectionRunOnAnother(context.getBean(DataSource.class))).isEqualTo(7);
		});
	}

	/**
	 * Execute one prepared statement past pgjdbc's prepareThreshold (5) in auto-commit,
	 * so that it is named and prepared on the server connection PgBouncer gave that
	 * transaction; then have another client hold that server connection in a transaction
	 * (PgBouncer reuses the most recently used one) and execute the statement once more,
	 * on the other server connection.
	 */
	private static int preparedOnOneServerConnectionRunOnAnother(DataSource dataSource) throws SQLException {
		try (Connection first = dataSource.getConnection(); Connection second = dataSource.getConnection();
				PreparedStatement select = first.prepareStatement("SELECT ?::int")) {
			int executions = 0;
			for (int i = 0; i < 6; i++) {
				select.setInt(1, i);
				try (ResultSet row = select.executeQuery()) {
					row.next();
				}
				executions++;
			}
			second.setAutoCommit(false);
			try (Statement statement = second.createStatement()) {
				statement.execute("SELECT 1");
				select.setInt(1, 42);
				try (ResultSet row = select.executeQuery()) {
					row.next();
				}
				executions++;
			}
			finally {
				second.rollback();
			}
			return executions;
		}
	}

	/**
	 * PgBouncer full ({@code max_client_conn}): at startup it is waited for as a full
	 * server is, and reported as PgBouncer being full; at run time the pool's new
	 * connection is refused, not retried as exhaustion, and reported the same way.
	 */
	@Test
	void maxClientConnReachedIsPgBouncerFullNeverAnExhaustedPool(CapturedOutput output) throws Exception {
		try (PgBouncer small = PgBouncer.inFrontOfTestServer(Map.of(role, password), Map.of("max_client_conn", "3"))) {
			List<Connection> others = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				others.add(DriverManager.getConnection(small.jdbcUrl(database.name(), ""), role, password));
			}

			runner(small, "prepareThreshold=0").withPropertyValues("poolwarden.startup.timeout=2s").run((context) -> {
				StartupVerificationException failure = verificationFailure(context.getStartupFailure());
				assertThat(failure.getFailure().meaning()).startsWith("PgBouncer is full");
				assertThat(failure.isTimedOut()).isTrue();
			});
			assertThat(output.getOut()).contains("not ready (SQLState 08P01, PgBouncer is full");

			others.remove(2).close();
			runner(small, "prepareThreshold=0")
				.withPropertyValues("spring.datasource.hikari.minimum-idle=1",
						"spring.datasource.hikari.connection-timeout=1000", "poolwarden.capacity.enabled=false")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
					try (Connection held = guarded.getConnection()) {
						Throwable refused = catchThrowable(guarded::getConnection);

						assertThat(refused).isNotInstanceOf(PoolExhaustedException.class);
						assertThat(SqlStates.find(refused)).isEqualTo("08P01");
						assertThat(guarded.getRetry().getStats().recovered() + guarded.getRetry().getStats().exhausted())
							.isZero();
						assertThat(output.getOut()).contains("PgBouncer is full: max_client_conn or a client "
								+ "connection limit is reached, not the pool");
					}
				});
			for (Connection other : others) {
				other.close();
			}
		}
	}

	private static StartupVerificationException verificationFailure(Throwable failure) {
		for (Throwable each = failure; each != null; each = each.getCause()) {
			if (each instanceof StartupVerificationException verification) {
				return verification;
			}
		}
		throw new AssertionError("Not a verification failure", failure);
	}

	/**
	 * A PgBouncer whose server is down: PgBouncer keeps the client waiting for a server
	 * connection, until its {@code query_wait_timeout} (here 1 s) or the driver's login
	 * timeout. At startup that is waited for, as a database that is not up yet is, never
	 * taken for a configuration error.
	 */
	@Test
	void aServerPgBouncerCannotReachIsWaitedForNotAConfigurationError(CapturedOutput output) {
		try (PgBouncer orphan = PgBouncer.start("127.0.0.1", TcpForwarder.freePort(), Map.of(role, password),
				Map.of("server_connect_timeout", "1", "query_wait_timeout", "1"))) {
			runner(orphan, "prepareThreshold=0")
				.withPropertyValues("spring.datasource.hikari.connection-timeout=3000", "poolwarden.startup.timeout=4s")
				.run((context) -> {
					StartupVerificationException failure = verificationFailure(context.getStartupFailure());
					assertThat(failure.isTimedOut()).as("waited for, as a database not up yet").isTrue();
					assertThat(failure.getAttempts()).isGreaterThan(1);
					assertThat(failure.getFailure().isWorthWaitingFor()).isTrue();
					assertThat(failure.getFailure().meaning()).contains("the server does not answer");
				});
		}
	}

	/**
	 * PgBouncer's {@code query_wait_timeout}: the server side of its pool stayed full.
	 * Classified as full (waited for at startup), never as a configuration error.
	 */
	@Test
	void queryWaitTimeoutIsPgBouncerFull() throws Exception {
		try (PgBouncer busy = PgBouncer.inFrontOfTestServer(Map.of(role, password),
				Map.of("default_pool_size", "1", "query_wait_timeout", "1"));
				Connection blocker = DriverManager.getConnection(busy.jdbcUrl(database.name(), "prepareThreshold=0"),
						role, password)) {
			blocker.setAutoCommit(false);
			try (Statement statement = blocker.createStatement()) {
				statement.execute("SELECT 1");
			}

			runner(busy, "prepareThreshold=0").withPropertyValues("poolwarden.startup.timeout=3s").run((context) -> {
				StartupVerificationException failure = verificationFailure(context.getStartupFailure());
				assertThat(failure.getFailure().meaning()).startsWith("PgBouncer waited query_wait_timeout");
				assertThat(failure.isTimedOut()).isTrue();
			});
			blocker.rollback();
		}
	}

	/**
	 * The capacity check reads PgBouncer's limits on its admin console: a pool larger than
	 * what {@code max_client_conn} leaves is reported with PgBouncer's numbers, never the
	 * server's {@code max_connections}. Without console access it says plainly it cannot.
	 */
	@Test
	void theCapacityCheckReadsPgBouncerNotTheServer(CapturedOutput output) {
		try (PgBouncer small = PgBouncer.inFrontOfTestServer(Map.of(role, password), Map.of("max_client_conn", "6"))) {
			runner(small, "prepareThreshold=0")
				.withPropertyValues("spring.datasource.hikari.maximum-pool-size=10",
						"spring.datasource.hikari.minimum-idle=2")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(output.getOut()).contains("bounced - maximumPoolSize 10 cannot fit: the pool can have at "
							+ "most 6 connections (PgBouncer max_client_conn 6, 0 in use by other clients)")
						.doesNotContain("server max_connections");
				});
			runner(small, "prepareThreshold=0")
				.withPropertyValues("poolwarden.pgbouncer.admin-username=pw_not_an_admin",
						"poolwarden.pgbouncer.admin-password=Not-The-Password-7")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(output.getOut()).contains("bounced - capacity check: the pool connects through PgBouncer, "
							+ "whose admin console could not be read")
						.contains("the server's max_connections does not bound a pool behind PgBouncer")
						.doesNotContain("Not-The-Password-7");
					assertThat(context.getBean(GuardedDataSource.class).getServerCapacity()).isNull();
				});
		}
	}

}
