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
package io.github.poolwarden.mariadb;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.example.leaky.LeakyService;
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
import io.github.poolwarden.support.ConnectionFailure;
import io.github.poolwarden.support.JdbcTarget;
import io.github.poolwarden.testsupport.TcpForwarder;
import io.github.poolwarden.testsupport.Callers;
import io.github.poolwarden.testsupport.TestMariaDb;
import io.github.poolwarden.testsupport.TestMariaDb.Database;
import io.github.poolwarden.testsupport.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
 * PoolWarden's core features against a real MariaDB with MariaDB Connector/J:
 * verification and its fail-fast classification by vendor code, retry, utilization and
 * health, holders, rollback on return, read-only eviction and the capacity check
 * ({@code max_connections}, {@code max_user_connections}, {@code Threads_connected}); and
 * incident 002, which happened on MySQL, replayed.
 */
@ExtendWith(OutputCaptureExtension.class)
class MariaDbTests {

	private static Database database;

	private static String user;

	@BeforeAll
	static void createDatabase() {
		database = TestMariaDb.createDatabase("maria");
		user = database.createUser("app", "");
		database.execute("CREATE TABLE orders (id INT NOT NULL) ENGINE=InnoDB");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	/**
	 * A context with a pool of 5 on the test database as the given account, or, for
	 * {@code null}, on whatever {@code spring.datasource.url} the properties give.
	 */
	private static ApplicationContextRunner runner(@Nullable String account, String... properties) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					PoolWardenMetricsAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					PoolWardenHealthContributorAutoConfiguration.class,
					GuardedDatabaseHealthContributorAutoConfiguration.class,
					DataSourceHealthContributorAutoConfiguration.class, PoolWardenEndpointAutoConfiguration.class))
			.withPropertyValues((account != null) ? database.credentialsOf(account) : new String[0])
			.withPropertyValues("spring.datasource.hikari.pool-name=maria",
					"spring.datasource.hikari.maximum-pool-size=5", "management.endpoints.web.exposure.include=poolwarden")
			.withPropertyValues(properties);
	}

	@Test
	void verifiesThePoolAndReadsTheServersCapacity(CapturedOutput output) {
		runner(user).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output.getOut()).contains("maria - verified 5 connections to "
					+ JdbcTarget.parse(database.jdbcUrl()).describe());
			GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
			long maxConnections = database.queryForLong("SELECT @@max_connections");
			ServerCapacity capacity = guarded.getServerCapacity();
			assertThat(capacity).isNotNull();
			assertThat(capacity.source()).isEqualTo(ServerCapacity.Source.MARIADB);
			assertThat(capacity.maxConnections()).isEqualTo(maxConnections);
			assertThat(capacity.role()).isEqualTo("'" + user + "'@'%'");
			assertThat(capacity.roleLimit()).as("no account limit").isEqualTo(-1);
			assertThat(capacity.roleInUse()).as("the pool's own connections").isEqualTo(5);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("poolwarden.server.connections.limit").gauge().value()).isEqualTo(maxConnections);
			assertThat(registry.get("poolwarden.server.connections.used").gauge().value()).isGreaterThanOrEqualTo(5);
		});
	}

	@Test
	void aWrongPasswordFailsStartupAtOnceByItsVendorCode() {
		runner(user, "spring.datasource.password=not-the-password").run((context) -> {
			StartupVerificationException failure = verificationFailure(context.getStartupFailure());
			assertThat(failure.getFailure().kind()).isEqualTo(ConnectionFailure.Kind.CONFIGURATION);
			assertThat(failure.getFailure().vendorCode()).isEqualTo(1045);
			assertThat(failure.getSqlState()).isEqualTo("28000");
			assertThat(failure.getAttempts()).isOne();
			assertThat(failure.isTimedOut()).isFalse();
			assertThat(failure.getMessage()).doesNotContain("not-the-password");
		});
	}

	/**
	 * An unknown database: an account with privileges on every database hears 1049; one
	 * with privileges on its own database only hears 1044 (MariaDB does not say whether
	 * a database it may not use exists). Both fail at once.
	 */
	@Test
	void anUnknownDatabaseFailsStartupAtOnceByItsVendorCode() {
		String unknown = TestPostgres.withDatabase(TestMariaDb.adminUrl(), "pw_no_such_database");
		runner(null, "spring.datasource.url=" + unknown)
			.run((context) -> {
				StartupVerificationException failure = verificationFailure(context.getStartupFailure());
				assertThat(failure.getFailure().meaning()).isEqualTo("unknown database (error 1049)");
				assertThat(failure.getAttempts()).isOne();
				assertThat(failure.isTimedOut()).isFalse();
			});
		runner(user, "spring.datasource.url=" + database.jdbcUrlWithoutCredentials().replace(database.name(),
				"pw_no_such_database"))
			.run((context) -> {
				StartupVerificationException failure = verificationFailure(context.getStartupFailure());
				assertThat(failure.getFailure().meaning()).startsWith("the account may not use this database, or no "
						+ "database of that name exists").endsWith("(error 1044)");
				assertThat(failure.getAttempts()).isOne();
			});
	}

	@Test
	void aServerThatDoesNotAnswerIsWaitedFor() {
		String closed = database.jdbcUrlWithoutCredentials()
			.replaceFirst("//[^/]+/", "//127.0.0.1:" + TcpForwarder.freePort() + "/");
		runner(user, "spring.datasource.url=" + closed, "poolwarden.startup.timeout=1s").run((context) -> {
			StartupVerificationException failure = verificationFailure(context.getStartupFailure());
			assertThat(failure.getFailure().kind()).isEqualTo(ConnectionFailure.Kind.NOT_READY);
			assertThat(failure.isTimedOut()).isTrue();
			assertThat(failure.getAttempts()).isGreaterThan(1);
		});
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
	 * Incident 002 (MySQL, a pool of 5): 30 concurrent {@code SELECT SLEEP(1)} on a pool
	 * of 5, the same 500 ms budget for both. A budget shorter than the hold cannot be
	 * retried into enough: the 25 that wait fail with PoolWarden off (the control, one
	 * setting changed) and on alike; with PoolWarden each failure names who holds the
	 * five connections and how long the caller waited in all.
	 */
	@ParameterizedTest(name = "poolwarden.enabled={0}")
	@ValueSource(booleans = { false, true })
	void incident002WithTheSameBudgetTheCallersThatWaitFailAlikeAndPoolWardenNamesTheHolders(boolean enabled) {
		runner(user, "spring.datasource.hikari.connection-timeout=500", "poolwarden.enabled=" + enabled)
			.run((context) -> {
				List<Throwable> failures = sleepers(context.getBean(DataSource.class), 30);
				assertThat(failures).as("the 25 callers that wait longer than the 500 ms budget").hasSize(25);
				if (enabled) {
					assertThat(failures).allSatisfy((ex) -> {
						assertThat(ex).isInstanceOf(PoolExhaustedException.class)
							.hasMessageContaining("budget 500 ms (spring.datasource.hikari.connection-timeout)")
							.hasMessageContaining("holders: 5 held by MariaDbTests.");
						assertThat(((PoolExhaustedException) ex).getWaitedMillis()).isGreaterThanOrEqualTo(495);
					});
				}
				else {
					assertThat(failures).allSatisfy((ex) -> assertThat(ex)
						.isInstanceOf(java.sql.SQLTransientConnectionException.class)
						.hasMessageNotContaining("held by"));
				}
			});
	}

	/**
	 * The same stress test with nothing tuned (Boot's 30 s budget): every caller
	 * completes. The first attempt waits 2 s in HikariCP's queue; the callers still
	 * waiting after it (the 15 of the last three rounds of sleeps at least) are served by
	 * the retry, in turn.
	 */
	@Test
	void incident002WithBootsBudgetEveryCallerCompletesThroughTheRetry() {
		runner(user).run((context) -> {
			assertThat(sleepers(context.getBean(DataSource.class), 30)).isEmpty();
			assertThat(context.getBean(GuardedDataSource.class).getRetry().getStats().recovered()).isBetween(15L, 25L);
		});
	}

	private static List<Throwable> sleepers(DataSource dataSource, int count) throws InterruptedException {
		return Callers.releasedTogether(count, Duration.ofSeconds(60), () -> {
			try (Connection connection = dataSource.getConnection();
					Statement statement = connection.createStatement()) {
				statement.execute("SELECT SLEEP(1)");
			}
		});
	}

	/**
	 * Incident 002's other cause: an error path that never closes its connection. The
	 * pool of 5 runs dry, and PoolWarden names the leaking call site while the next caller
	 * still waits, in the log, the endpoint and health says the pool is saturated.
	 */
	@Test
	void incident002sLeakingErrorPathIsNamed(CapturedOutput output) throws Exception {
		runner(user, "poolwarden.retry.timeout=5s").run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			LeakyService service = new LeakyService(dataSource);
			for (int i = 0; i < 5; i++) {
				assertThat(catchThrowable(() -> service.classify(true))).isInstanceOf(IllegalArgumentException.class);
			}
			CompletableFuture<Throwable> next = CompletableFuture.supplyAsync(() -> catchThrowable(() -> {
				try (Connection connection = dataSource.getConnection()) {
					connection.isValid(1);
				}
			}));

			await().atMost(Duration.ofSeconds(10))
				.until(() -> output.getOut().contains("maria - pool exhausted: a caller has waited"));
			assertThat(next).isNotDone();
			assertThat(output.getOut()).contains("holders: 5 held by LeakyService.classify(LeakyService.java:");
			assertThat(context.getBean(PoolWardenEndpoint.class).pools().pools().get("maria").byCallSite())
				.singleElement()
				.asString()
				.startsWith("5 held by LeakyService.classify(");
			Health health = context.getBean("poolwardenHealthContributor", HealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("level", "critical").containsEntry("database", "answers");
			assertThat(context.getBean("dbHealthContributor", HealthIndicator.class).health().getDetails())
				.containsEntry("saturated", true);
			assertThat(next.get(10, TimeUnit.SECONDS)).isInstanceOf(PoolExhaustedException.class)
				.hasMessageContaining("5 held by LeakyService.classify(");
		});
	}

	/**
	 * Work done through {@code unwrap()} with auto-commit off: PoolWarden rolls it back
	 * on return. The control (rollback on return off) shows HikariCP committing it when
	 * it resets auto-commit, as {@code SET autocommit=1} does on MariaDB.
	 */
	@ParameterizedTest(name = "poolwarden.rollback-on-return={0}")
	@ValueSource(booleans = { true, false })
	void uncommittedWorkIsRolledBackOnReturn(boolean rollback) {
		runner(user, "poolwarden.rollback-on-return=" + rollback).run((context) -> {
			database.execute("DELETE FROM orders");
			try (Connection connection = context.getBean(DataSource.class).getConnection()) {
				connection.setAutoCommit(false);
				Connection physical = connection.unwrap(org.mariadb.jdbc.Connection.class);
				try (Statement statement = physical.createStatement()) {
					statement.executeUpdate("INSERT INTO orders VALUES (1)");
				}
			}
			assertThat(database.queryForLong("SELECT count(*) FROM orders")).isEqualTo(rollback ? 0 : 1);
		});
	}

	/**
	 * A connection that answers read-only (error 1792, as after a failover to a
	 * replica) is evicted; the control keeps it.
	 */
	@ParameterizedTest(name = "poolwarden.evict-read-only-connections={0}")
	@ValueSource(booleans = { true, false })
	void aConnectionThatTurnedReadOnlyIsEvicted(boolean evict) {
		runner(user, "spring.datasource.hikari.maximum-pool-size=1", "poolwarden.evict-read-only-connections=" + evict)
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				long first;
				try (Connection connection = dataSource.getConnection();
						Statement statement = connection.createStatement()) {
					first = connectionId(statement);
					statement.execute("SET SESSION TRANSACTION READ ONLY");
					SQLException readOnly = (SQLException) catchThrowable(
							() -> statement.executeUpdate("INSERT INTO orders VALUES (2)"));
					assertThat(readOnly.getErrorCode()).isEqualTo(1792);
				}
				try (Connection next = dataSource.getConnection(); Statement statement = next.createStatement()) {
					assertThat(connectionId(statement) != first).isEqualTo(evict);
				}
			});
	}

	private static long connectionId(Statement statement) throws SQLException {
		try (ResultSet row = statement.executeQuery("SELECT CONNECTION_ID()")) {
			row.next();
			return row.getLong(1);
		}
	}

	/**
	 * An account limited by {@code MAX_USER_CONNECTIONS}: the startup check quotes it; at
	 * run time its refusal (error 1203) is the account being full, never retried, and the
	 * pool counts what it has as its capacity.
	 */
	@Test
	void anAccountsConnectionLimitIsCheckedAtStartupAndRespectedAtRunTime(CapturedOutput output) throws Exception {
		String limited = database.createUser("limited", "WITH MAX_USER_CONNECTIONS 3");
		runner(limited, "spring.datasource.hikari.minimum-idle=1", "spring.datasource.hikari.connection-timeout=1000")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output.getOut()).contains("maria - maximumPoolSize 5 cannot fit: the pool can have at most 3 "
						+ "connections (server max_connections ")
					.contains("account '" + limited + "'@'%' max_user_connections 3, 0 in use by others");
				GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
				List<Connection> held = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					held.add(guarded.getConnection());
				}

				Throwable refused = catchThrowable(guarded::getConnection);

				assertThat(refused).isNotInstanceOf(PoolExhaustedException.class);
				// MAX_USER_CONNECTIONS of the account: 1226 (the global max_user_connections: 1203)
				assertThat(ConnectionFailure.of(refused).vendorCode()).isEqualTo(1226);
				assertThat(guarded.getRetry().getStats().recovered() + guarded.getRetry().getStats().exhausted())
					.isZero();
				assertThat(output.getOut()).contains("the account has reached a connection or resource limit of its own "
						+ "(MAX_USER_CONNECTIONS, error 1226), not the pool");
				assertThat(guarded.snapshot().capacity()).isEqualTo(3);
				for (Connection connection : held) {
					connection.close();
				}
			});
	}

	/**
	 * Nothing tuned but the pool size (so minimumIdle is 5) for an account limited to 3:
	 * started within seconds, one WARN naming 3 and 5, a capacity of 3.
	 */
	@Test
	void aPoolOfFiveForAnAccountLimitedToThreeStartsAtOnceWithOneWarning(CapturedOutput output) {
		String limited = database.createUser("three", "WITH MAX_USER_CONNECTIONS 3");
		long start = System.nanoTime();

		runner(limited).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
			assertThat(output.getOut().lines().filter((line) -> line.contains(" WARN ") && line.contains("maria - ")))
				.singleElement()
				.asString()
				.contains("maximumPoolSize 5 cannot fit: the pool can have at most 3 connections")
				.contains("max_user_connections 3");
			HealthIndicator health = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
			assertThat(health.health(true).getDetails()).containsEntry("capacity", 3);
			assertThat(context.getBean(PoolWardenEndpoint.class).pools().pools().get("maria").state().capacity())
				.isEqualTo(3);
		});
	}

	/**
	 * A link lost in the middle of use (the server kills the session): the statement
	 * fails with the driver's own error, nothing is retried, HikariCP evicts the broken
	 * connection and the next borrower gets a working one.
	 */
	@Test
	void aLinkLostMidUseFailsThatStatementOnlyAndThePoolReplacesTheConnection() throws Exception {
		String killed = database.createUser("killed", "");
		runner(killed).run((context) -> {
			GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
			Throwable failure;
			try (Connection connection = guarded.getConnection(); Statement statement = connection.createStatement()) {
				statement.execute("SELECT 1");
				assertThat(database.killConnectionsOf(killed)).isPositive();

				failure = catchThrowable(() -> statement.execute("SELECT 2"));
			}

			assertThat(failure).isInstanceOf(SQLException.class);
			assertThat(((SQLException) failure).getSQLState()).as("the driver's link-lost state").startsWith("08");
			assertThat(guarded.getRetry().getStats().recovered() + guarded.getRetry().getStats().exhausted()).isZero();
			await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
				try (Connection again = guarded.getConnection(); Statement statement = again.createStatement()) {
					return statement.execute("SELECT 3");
				}
			});
			await().atMost(Duration.ofSeconds(10)).until(() -> guarded.getTracker().holders().isEmpty());
		});
	}

	@Test
	void healthIsDownWhenTheServerCannotBeReached() throws Exception {
		String target = JdbcTarget.parse(database.jdbcUrl()).host();
		int port = JdbcTarget.parse(database.jdbcUrl()).port();
		try (TcpForwarder forwarder = new TcpForwarder(target, port)) {
			forwarder.open();
			String url = database.jdbcUrlWithoutCredentials()
				.replaceFirst("//[^/]+/", "//127.0.0.1:" + forwarder.port() + "/");
			runner(user, "spring.datasource.url=" + url, "poolwarden.health.timeout=1s").run((context) -> {
				HealthIndicator health = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
				assertThat(health.health().getStatus()).isEqualTo(Status.UP);

				forwarder.cut();

				// the answer stands for the probe interval (10 s); DOWN within it plus the timeout
				await().atMost(Duration.ofSeconds(10 + 1 + 2))
					.until(() -> health.health().getStatus().equals(Status.DOWN));
				Health db = context.getBean("dbHealthContributor", HealthIndicator.class).health();
				assertThat(db.getStatus()).isEqualTo(Status.DOWN);
				assertThat(db.getDetails()).as("the product it last answered as").containsEntry("database", "MariaDB");
			});
		}
	}

	/**
	 * What health costs a MariaDB server, counted by its own {@code Connections} status
	 * counter: a hundred calls of both components on a working pool open at most one
	 * connection (each reading of the counter opens one of its own, subtracted).
	 */
	@Test
	void aHundredHealthCallsOpenAtMostOneServerConnection() {
		runner(user).run((context) -> {
			HealthIndicator db = context.getBean("dbHealthContributor", HealthIndicator.class);
			HealthIndicator poolwarden = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
			try (Connection connection = context.getBean(DataSource.class).getConnection();
					Statement statement = connection.createStatement()) {
				statement.execute("SELECT 1");
			}
			long before = serverConnections();

			for (int i = 0; i < 100; i++) {
				assertThat(db.health().getStatus()).isEqualTo(Status.UP);
				assertThat(poolwarden.health().getStatus()).isEqualTo(Status.UP);
			}

			long opened = serverConnections() - before - 1;
			System.out.println("[figure] MariaDB: 100 calls of db and poolwarden opened " + opened + " connections");
			assertThat(opened).isLessThanOrEqualTo(1);
		});
	}

	private static long serverConnections() {
		return database.queryForLong(
				"SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'CONNECTIONS'");
	}

}
