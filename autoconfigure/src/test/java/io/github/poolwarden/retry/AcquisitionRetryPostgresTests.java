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

package io.github.poolwarden.retry;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.metrics.PoolWardenMeterBinder;
import io.github.poolwarden.pool.HikariConnectionSource;
import io.github.poolwarden.pool.HikariPoolProbe;
import io.github.poolwarden.testsupport.TcpForwarder;
import io.github.poolwarden.testsupport.Callers;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import io.github.poolwarden.utilization.UtilizationMonitor;
import io.github.poolwarden.utilization.UtilizationThresholds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Retry of exhausted acquisitions against a real PostgreSQL: incidents 001 and 002, a
 * connection released during the backoff, a pool never released, and the failures that
 * must never be retried.
 */
class AcquisitionRetryPostgresTests {

	private static TestDatabase database;

	private final java.util.List<HikariDataSource> pools = new java.util.ArrayList<>();

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("retry");
		database.execute("CREATE TABLE saves (task int NOT NULL, kind text NOT NULL)",
				"CREATE TABLE runs (id int NOT NULL)");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@AfterEach
	void closePools() {
		this.pools.forEach(HikariDataSource::close);
	}

	private HikariDataSource hikari(String name, String url, int max, long connectionTimeout) {
		HikariDataSource pool = new HikariDataSource();
		pool.setPoolName(name);
		pool.setJdbcUrl(url);
		pool.setMaximumPoolSize(max);
		pool.setMinimumIdle(0);
		pool.setConnectionTimeout(connectionTimeout);
		this.pools.add(pool);
		return pool;
	}

	private static HikariDataSource warm(HikariDataSource pool) {
		pool.setMinimumIdle(pool.getMaximumPoolSize());
		try {
			pool.getConnection().close();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(20))
			.until(() -> pool.getHikariPoolMXBean().getIdleConnections() == pool.getMaximumPoolSize());
		return pool;
	}

	private GuardedDataSource guarded(HikariDataSource pool, RetrySettings settings) {
		HikariPoolProbe probe = new HikariPoolProbe(pool);
		return new GuardedDataSource(pool, probe,
				(settings != null) ? new AcquisitionRetry(new HikariConnectionSource(pool), probe, settings,
						pool.getConnectionTimeout(), "poolwarden.retry.timeout") : null,
				new UtilizationMonitor(UtilizationThresholds.DEFAULTS), null);
	}

	private static RetrySettings patient(int maxRetries, Duration timeout) {
		return new RetrySettings(maxRetries, Duration.ofMillis(50), 2.0, Duration.ofMillis(400), Duration.ofMillis(25),
				timeout);
	}

	/**
	 * Incident 001, scaled: 1 site x 4 scenarios x {@code years} tasks on 8 workers, each
	 * task taking 12 connections in sequence and running a real query while holding
	 * each; the last three save a row each. Returns the failures.
	 */
	private static List<Throwable> fanOut(GuardedDataSource dataSource, int years, int runId) throws Exception {
		String[] steps = { "hazard", "probability", "building", "river", "coast", "population-1", "population-2",
				"population-3", "save-1", "save-2", "save-3", "save-4" };
		ExecutorService workers = Executors.newFixedThreadPool(8);
		Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
		try {
			for (int scenario = 0; scenario < 4; scenario++) {
				for (int year = 0; year < years; year++) {
					int task = runId * 10_000 + scenario * 1000 + year;
					workers.execute(() -> {
						try {
							for (String step : steps) {
								try (Connection connection = dataSource.getConnection();
										Statement statement = connection.createStatement()) {
									if (step.startsWith("save") && !step.equals("save-4")) {
										statement.executeUpdate(
												"INSERT INTO saves SELECT " + task + ", '" + step + "' FROM pg_sleep(0.06)");
									}
									else {
										statement.execute("SELECT pg_sleep(0.06)");
									}
								}
							}
						}
						catch (Throwable ex) {
							failures.add(ex);
						}
					});
				}
			}
		}
		finally {
			workers.shutdown();
			assertThat(workers.awaitTermination(90, TimeUnit.SECONDS)).as("fan-out finished in time").isTrue();
		}
		return List.copyOf(failures);
	}

	@Test
	void aCallerThatFoundThePoolExhaustedKeepsItsTurnAheadOfNewcomers() throws Exception {
		GuardedDataSource guarded = guarded(warm(hikari("turns", database.jdbcUrl(), 1, 30_000)), new RetrySettings(3,
				Duration.ofMillis(200), 2.0, Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(30)));
		AcquisitionRetry retry = guarded.getRetry();
		ExecutorService callers = Executors.newFixedThreadPool(2);
		Queue<String> served = new ConcurrentLinkedQueue<>();
		try {
			CompletableFuture<Void> first;
			CompletableFuture<Void> newcomer;
			try (Connection held = guarded.getConnection()) {
				first = CompletableFuture.runAsync(() -> borrowOnce(guarded, "first", served), callers);
				// its first attempt found every connection in use: it retries, in its turn
				org.awaitility.Awaitility.await()
					.atMost(Duration.ofSeconds(20))
					.until(() -> retry.queuedCallers() == 1 && retry.getStats().recovered() == 0);
				newcomer = CompletableFuture.runAsync(() -> borrowOnce(guarded, "newcomer", served), callers);
				org.awaitility.Awaitility.await()
					.atMost(Duration.ofSeconds(20))
					.until(() -> retry.queuedCallers() == 2 && retry.waitingForTurn() == 1);
				assertThat(guarded.snapshot().waiting()).as("HikariCP's waiter and the one behind it").isEqualTo(2);
				SimpleMeterRegistry registry = new SimpleMeterRegistry();
				new PoolWardenMeterBinder(() -> List.of(guarded)).bindTo(registry);
				assertThat(registry.get("poolwarden.connections.waiting").tag("pool", "turns").gauge().value())
					.isEqualTo(2);
			}
			CompletableFuture.allOf(first, newcomer).get(60, TimeUnit.SECONDS);
		}
		finally {
			callers.shutdownNow();
		}
		assertThat(served).containsExactly("first", "newcomer");
		assertThat(retry.getStats().recovered()).isEqualTo(2);
		assertThat(retry.queuedCallers()).isZero();
	}

	private static void borrowOnce(GuardedDataSource dataSource, String name, Queue<String> served) {
		try (Connection connection = dataSource.getConnection()) {
			served.add(name);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(name + " got no connection", ex);
		}
	}

	/**
	 * Incident 001 with the same budget for both: 8 workers fan out on a pool of 2, every
	 * caller allowed 1 s. HikariCP alone lets a worker that returns a connection take it
	 * straight back for its next step, and a worker left behind waits out its second;
	 * PoolWarden serves the waiting workers in turn within the same second. The control
	 * differs in one thing only, the retry being absent, and runs up to
	 * {@value #MAX_ROUNDS} rounds until the scenario shows (how many lose the race depends
	 * on the scheduler); PoolWarden runs as many, and every task saves its rows.
	 */
	@Test
	void incident001FanOutWithTheSameBudgetCompletesWhereHikariAloneTimesOut() throws Exception {
		long budget = 1000;
		GuardedDataSource control = guarded(hikari("fanout-control", database.jdbcUrl(), 2, budget), null);
		List<Throwable> controlFailures = new java.util.ArrayList<>();
		int rounds = 0;
		while (controlFailures.isEmpty() && rounds < MAX_ROUNDS) {
			controlFailures.addAll(fanOut(control, FAN_OUT_YEARS, 100 + rounds));
			rounds++;
		}
		assertThat(controlFailures).as("HikariCP alone, 1 s budget, %d rounds: workers that waited it out", rounds)
			.isNotEmpty()
			.allSatisfy((ex) -> assertThat(ex).isInstanceOf(SQLTransientConnectionException.class));

		GuardedDataSource guarded = guarded(hikari("fanout", database.jdbcUrl(), 2, budget), sameBudget(budget));
		List<Throwable> failures = new java.util.ArrayList<>();
		for (int round = 0; round < rounds; round++) {
			failures.addAll(fanOut(guarded, FAN_OUT_YEARS, 200 + round));
		}

		assertThat(failures).as("PoolWarden, the same 1 s budget, %d rounds", rounds).isEmpty();
		assertThat(database.queryForLong("SELECT count(*) FROM saves WHERE task >= 2000000"))
			.isEqualTo(rounds * 4L * FAN_OUT_YEARS * 3);
		assertThat(guarded.getRetry().getStats().recovered()).isPositive();
		assertThat(guarded.getRetry().getStats().exhausted()).isZero();
	}

	private static final int MAX_ROUNDS = 4;

	private static final int FAN_OUT_YEARS = 8;

	/**
	 * The retry settings the auto-configuration derives from a pool's
	 * {@code connectionTimeout} when nothing else is set: the budget is that timeout.
	 */
	private static RetrySettings sameBudget(long connectionTimeoutMillis) {
		Duration timeout = Duration.ofMillis(connectionTimeoutMillis);
		Duration delay = RetrySettings.defaultDelay(timeout, 3, 2.0);
		return new RetrySettings(3, delay, 2.0, timeout, RetrySettings.defaultJitter(delay), timeout);
	}

	/**
	 * Incident 002's stress test with the same budget for both: 30 concurrent one-second
	 * sleeps on a pool of 20, every caller allowed 500 ms. No retry can make a budget
	 * shorter than the hold enough: the ten that wait fail with HikariCP alone and with
	 * PoolWarden alike, none sooner than the budget; PoolWarden's failures say so, with
	 * the attempts, the time in all and the pool's counts. The longer budget the
	 * incident's own fix chose ({@code max_retries=3}, 1 + 2 + 4 s) is a setting, not
	 * something PoolWarden adds.
	 */
	@Test
	void incident002WithTheSameBudgetTheTenThatWaitFailAlikeAndPoolWardenSaysWhy() throws Exception {
		long budget = 500;
		GuardedDataSource control = guarded(warm(hikari("stress-control", database.jdbcUrl(), 20, budget)), null);
		List<Throwable> controlFailures = sleepers(control, 30);
		assertThat(controlFailures).as("HikariCP alone fails the ten that wait").hasSize(10)
			.allSatisfy((ex) -> assertThat(ex).isInstanceOf(SQLTransientConnectionException.class)
				.isNotInstanceOf(PoolExhaustedException.class));

		GuardedDataSource guarded = guarded(warm(hikari("stress", database.jdbcUrl(), 20, budget)), sameBudget(budget));
		List<Throwable> failures = sleepers(guarded, 30);

		assertThat(failures).as("PoolWarden, the same 500 ms budget").hasSize(10).allSatisfy((ex) -> {
			assertThat(ex).isInstanceOf(PoolExhaustedException.class)
				.hasMessageStartingWith("stress - pool exhausted: no connection after ")
				.hasMessageContaining("active=20, idle=0")
				.hasMessageContaining("budget 500 ms");
			assertThat(((PoolExhaustedException) ex).getWaitedMillis()).isGreaterThanOrEqualTo(budget - 5);
		});
		assertThat(guarded.getRetry().getStats().exhausted()).isEqualTo(10);
		assertThat(guarded.getRetry().getStats().recovered()).isZero();
	}

	private static List<Throwable> sleepers(GuardedDataSource dataSource, int count) throws Exception {
		return Callers.releasedTogether(count, Duration.ofSeconds(30), () -> {
			try (Connection connection = dataSource.getConnection();
					Statement statement = connection.createStatement()) {
				statement.execute("SELECT pg_sleep(1)");
			}
		});
	}

	@Test
	void connectionReleasedDuringBackoffIsPickedUp() throws Exception {
		HikariDataSource pool = hikari("handover", database.jdbcUrl(), 1, 250);
		GuardedDataSource guarded = guarded(pool, new RetrySettings(50, Duration.ofMillis(200), 1.0,
				Duration.ofMillis(200), Duration.ZERO, Duration.ofSeconds(20)));
		CountDownLatch exhausted = new CountDownLatch(1);
		guarded.getRetry().setExhaustionListener((snapshot) -> exhausted.countDown());
		Connection held = guarded.getConnection();

		CompletableFuture<Boolean> borrower = CompletableFuture.supplyAsync(() -> {
			try (Connection connection = guarded.getConnection()) {
				return connection.isValid(1);
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(exhausted.await(10, TimeUnit.SECONDS)).isTrue();
		held.close();

		assertThat(borrower.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(guarded.getRetry().getStats().recovered()).isOne();
		assertThat(guarded.getRetry().getStats().exhausted()).isZero();
	}

	@Test
	void poolNeverReleasedFailsWithinTheTimeoutWithADescriptiveException() throws Exception {
		HikariDataSource pool = hikari("dry", database.jdbcUrl(), 1, 250);
		GuardedDataSource guarded = guarded(pool, patient(100, Duration.ofMillis(1500)));
		try (Connection held = guarded.getConnection()) {
			long start = System.nanoTime();

			Throwable failure = catchThrowable(guarded::getConnection);

			Duration took = Duration.ofNanos(System.nanoTime() - start);
			// the budget, and never more than scheduling noise (generous on a busy machine)
			assertThat(took).isBetween(Duration.ofMillis(1500), Duration.ofMillis(1500 + 1500));
			assertThat(failure).isInstanceOf(PoolExhaustedException.class)
				.hasMessageStartingWith("dry - pool exhausted: no connection after ")
				.hasMessageContaining("active=1, idle=0, waiting=0, max=1")
				.hasCauseInstanceOf(SQLTransientConnectionException.class);
			PoolExhaustedException exhausted = (PoolExhaustedException) failure;
			assertThat(exhausted.getAttempts()).isGreaterThan(2);
			assertThat(exhausted.getSuppressed()).hasSize(Math.min(8, exhausted.getAttempts() - 1));
			assertThat(guarded.getRetry().getStats().exhausted()).isOne();
		}
	}

	@Test
	void databaseDownIsNeverRetriedAndTakesOneHikariTimeout() throws Exception {
		HikariDataSource pool = hikari("down", database.jdbcUrlVia(TcpForwarder.freePort()), 2, 1000);
		pool.setInitializationFailTimeout(-1);
		GuardedDataSource guarded = guarded(pool, patient(5, Duration.ofSeconds(30)));
		long start = System.nanoTime();

		Throwable failure = catchThrowable(guarded::getConnection);

		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(failure).isInstanceOf(SQLTransientConnectionException.class)
			.isNotInstanceOf(PoolExhaustedException.class);
		assertThat(((SQLException) failure).getSQLState()).isEqualTo("08001");
		// one HikariCP wait (1 s), not five
		assertThat(took).isLessThan(Duration.ofMillis(1000 + 1500));
		assertThat(guarded.getRetry().getStats().recovered() + guarded.getRetry().getStats().exhausted()).isZero();
	}

	@Test
	void unknownRoleAtRuntimeIsNeverRetried() {
		HikariDataSource pool = hikari("no-role", database.jdbcUrlWithoutCredentials(), 2, 1000);
		pool.setUsername("pw_no_such_role_at_runtime");
		pool.setPassword("not-a-password");
		GuardedDataSource guarded = guarded(pool, patient(5, Duration.ofSeconds(30)));

		Throwable failure = catchThrowable(guarded::getConnection);

		assertThat(failure).isInstanceOf(SQLException.class).isNotInstanceOf(PoolExhaustedException.class);
		// 28000 on a trust-auth server; 28P01 where passwords are required
		assertThat(((SQLException) failure).getSQLState()).isIn("28000", "28P01");
		assertThat(guarded.getRetry().getStats().recovered() + guarded.getRetry().getStats().exhausted()).isZero();
	}

	@Test
	void interruptDuringBackoffAgainstARealPoolStopsAndKeepsTheFlag() throws Exception {
		HikariDataSource pool = hikari("interrupt", database.jdbcUrl(), 1, 250);
		GuardedDataSource guarded = guarded(pool, new RetrySettings(5, Duration.ofSeconds(5), 1.0,
				Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(60)));
		CountDownLatch exhausted = new CountDownLatch(1);
		guarded.getRetry().setExhaustionListener((snapshot) -> exhausted.countDown());
		AtomicReference<Throwable> seen = new AtomicReference<>();
		AtomicBoolean flagKept = new AtomicBoolean();
		try (Connection held = guarded.getConnection()) {
			Thread borrower = new Thread(() -> {
				seen.set(catchThrowable(guarded::getConnection));
				flagKept.set(Thread.currentThread().isInterrupted());
			});
			borrower.start();
			assertThat(exhausted.await(10, TimeUnit.SECONDS)).isTrue();

			borrower.interrupt();
			borrower.join(Duration.ofSeconds(2).toMillis());

			assertThat(borrower.isAlive()).isFalse();
		}
		assertThat(seen.get()).isInstanceOf(SQLException.class).hasCauseInstanceOf(InterruptedException.class);
		assertThat(flagKept).isTrue();
		assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void statementKilledAfterAcquisitionRunsExactlyOnce() throws Exception {
		HikariDataSource pool = hikari("killed", database.jdbcUrl(), 2, 250);
		GuardedDataSource guarded = guarded(pool, patient(5, Duration.ofSeconds(10)));
		CompletableFuture<Throwable> victim = CompletableFuture.supplyAsync(() -> catchThrowable(() -> {
			try (Connection connection = guarded.getConnection(); Statement statement = connection.createStatement()) {
				statement.executeUpdate("INSERT INTO runs VALUES (1)");
				statement.execute("SELECT pg_sleep(30)");
			}
		}));
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.until(() -> database.queryForLong("SELECT count(*) FROM pg_stat_activity WHERE datname = '"
					+ database.name() + "' AND query LIKE '%pg_sleep(30)%' AND state = 'active' AND pid <> pg_backend_pid()") == 1);

		database.terminateBackends();

		Throwable failure = victim.get(10, TimeUnit.SECONDS);
		assertThat(failure).isInstanceOf(SQLException.class);
		assertThat(((SQLException) failure).getSQLState()).isEqualTo("57P01");
		assertThat(database.queryForLong("SELECT count(*) FROM runs")).isOne();
		assertThat(guarded.getRetry().getStats().recovered() + guarded.getRetry().getStats().exhausted()).isZero();
	}

}
