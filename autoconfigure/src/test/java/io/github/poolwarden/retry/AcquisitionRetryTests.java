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

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.github.poolwarden.pool.PoolSnapshot;
import io.github.poolwarden.pool.TimedConnectionSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Tests for {@link AcquisitionRetry}: what is retried, how long each attempt waits in the
 * pool's queue, and the budget, on a clock that moves only when a simulated wait ends.
 */
@ExtendWith(OutputCaptureExtension.class)
class AcquisitionRetryTests {

	private static final Connection CONNECTION = (Connection) Proxy.newProxyInstance(
			AcquisitionRetryTests.class.getClassLoader(), new Class<?>[] { Connection.class }, (p, m, a) -> null);

	private static final PoolSnapshot SATURATED = new PoolSnapshot("unit", 5, 0, 5, 7, 5);

	private static final PoolSnapshot EMPTY = new PoolSnapshot("unit", 0, 0, 0, 3, 5);

	private final AtomicLong clock = new AtomicLong(1_000_000_000L);

	/**
	 * Every wait asked of the pool, in milliseconds, the first attempt included.
	 */
	private final List<Long> waits = new ArrayList<>();

	private static SQLTransientConnectionException exhaustion() {
		return new SQLTransientConnectionException("unit - Connection is not available, request timed out");
	}

	private static SQLTransientConnectionException databaseDown() {
		return new SQLTransientConnectionException("unit - Connection is not available", "08001",
				new SQLException("Connection refused", "08001"));
	}

	private static RetrySettings settings(long maxRetries, long delay, double multiplier, long maxDelay, long jitter,
			long timeout) {
		return new RetrySettings(maxRetries, Duration.ofMillis(delay), multiplier, Duration.ofMillis(maxDelay),
				Duration.ofMillis(jitter), Duration.ofMillis(timeout));
	}

	/**
	 * A pool that makes each caller wait the whole time asked and then fails it with
	 * {@code failure}, {@code failures} times, then hands out a connection at once.
	 */
	private TimedConnectionSource pool(int failures, SQLException failure) {
		AtomicInteger calls = new AtomicInteger();
		return (timeoutMillis) -> {
			this.waits.add(timeoutMillis);
			if (calls.incrementAndGet() <= failures) {
				this.clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
				throw failure;
			}
			return CONNECTION;
		};
	}

	private AcquisitionRetry retry(TimedConnectionSource pool, RetrySettings settings, long connectionTimeout) {
		return retry(pool, settings, connectionTimeout, SATURATED);
	}

	private AcquisitionRetry retry(TimedConnectionSource pool, RetrySettings settings, long connectionTimeout,
			PoolSnapshot snapshot) {
		return new AcquisitionRetry(pool, () -> snapshot, settings, connectionTimeout,
				"spring.datasource.hikari.connection-timeout", this.clock::get);
	}

	/**
	 * Acquire as {@code GuardedDataSource} does: the first attempt, then the retry.
	 */
	private static Connection acquire(AcquisitionRetry retry) throws SQLException {
		try {
			return retry.firstAttempt();
		}
		catch (SQLException ex) {
			return retry.acquire(ex);
		}
	}

	private long waited() {
		return this.waits.stream().mapToLong(Long::longValue).sum();
	}

	@Test
	void classifiesOnlyHikarisBareTimeoutAsExhaustion() {
		assertThat(AcquisitionRetry.isPoolExhausted(exhaustion())).isTrue();
		assertThat(AcquisitionRetry.isPoolExhausted(new SQLTransientConnectionException("down", "08001"))).isFalse();
		assertThat(AcquisitionRetry.isPoolExhausted(databaseDown())).isFalse();
		assertThat(AcquisitionRetry.isPoolExhausted(new PoolExhaustedException("gave up", "unit", 4, 1000, exhaustion())))
			.isFalse();
	}

	@Test
	void warnsAtMostOncePer10SecondsAndTheNextWarningCountsWhatWasHeldBack(CapturedOutput output) {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(3, 2000, 2.0, 30_000, 0, 30_000),
				30_000);

		// the first caller: warned of after 2 s of waiting, and when it fails after 30 s
		catchThrowable(() -> acquire(retry));
		// the second starts at once: its early warning comes 2 s after the last line and is
		// held back; its failure, 30 s later, passes and says so
		catchThrowable(() -> acquire(retry));

		List<String> lines = output.getOut()
			.lines()
			.filter((line) -> line.contains("pool exhausted") && line.contains(" WARN "))
			.toList();
		assertThat(lines).hasSize(3);
		assertThat(lines.get(0)).contains("a caller has waited 2000 ms").doesNotContain("held back");
		assertThat(lines.get(1)).contains("no connection after 4 attempts in 30000 ms").doesNotContain("held back");
		assertThat(lines.get(2)).contains("no connection after 4 attempts in 30000 ms")
			.endsWith("[1 more exhaustion warnings held back since the last one]");
	}

	@Test
	void withBootsDefaultBudgetTheAttemptsGrowAndTheLastUsesWhatIsLeft() {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(3, 2000, 2.0, 30_000, 0, 30_000),
				30_000);

		Throwable failure = catchThrowable(() -> acquire(retry));

		assertThat(failure).isInstanceOf(PoolExhaustedException.class);
		assertThat(this.waits).containsExactly(2000L, 4000L, 8000L, 16_000L);
		assertThat(((PoolExhaustedException) failure).getWaitedMillis()).isEqualTo(30_000);
		assertThat(retry.getStats().exhausted()).isOne();
	}

	/**
	 * The shortest attempt worth making is 1 ms, and exactly 1 ms left of the budget is
	 * still worth one: the next attempt is not merged into this one (101 ms left, a
	 * 100 ms wait), and the last millisecond is waited, not given up.
	 */
	@Test
	void exactlyOneMillisecondLeftIsStillOneMoreAttempt() {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(10, 100, 1.0, 100, 0, 201), 100);

		Throwable failure = catchThrowable(() -> acquire(retry));

		assertThat(this.waits).containsExactly(100L, 100L, 1L);
		assertThat(((PoolExhaustedException) failure).getAttempts()).isEqualTo(3);
		assertThat(((PoolExhaustedException) failure).getWaitedMillis()).isEqualTo(201);
	}

	/**
	 * Exactly 1 ms left once the first attempt found the pool exhausted: the caller is
	 * told of (it is still waiting), takes its turn and waits that millisecond in the
	 * pool's queue.
	 */
	@Test
	void exactlyOneMillisecondLeftAfterTheFirstAttemptIsWarnedOfAndWaited(CapturedOutput output) {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(3, 100, 2.0, 1000, 0, 101), 100);

		Throwable failure = catchThrowable(() -> acquire(retry));

		assertThat(this.waits).containsExactly(100L, 1L);
		assertThat(((PoolExhaustedException) failure).getAttempts()).isEqualTo(2);
		assertThat(output.getOut().lines().filter((line) -> line.contains("unit - pool exhausted: a caller has waited")))
			.singleElement()
			.asString()
			.contains("for up to 1 ms more")
			.as("the pool's 7 waiting and this caller")
			.contains("waiting=8");
	}

	/**
	 * A first attempt that used the whole budget: nothing is left to wait, so the caller
	 * is not told of as still waiting; only its failure is.
	 */
	@Test
	void aFirstAttemptThatUsedTheWholeBudgetIsNotWarnedOfAsStillWaiting(CapturedOutput output) {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(3, 100, 2.0, 1000, 0, 100), 100);

		Throwable failure = catchThrowable(() -> acquire(retry));

		assertThat(this.waits).containsExactly(100L);
		assertThat(failure).isInstanceOf(PoolExhaustedException.class);
		assertThat(output.getOut()).doesNotContain("a caller has waited").contains("unit - pool exhausted: no connection after");
	}

	/**
	 * A database that is down, with exactly 1 ms of HikariCP's own wait left after the
	 * first attempt: that millisecond is waited too, as HikariCP alone would.
	 */
	@Test
	void aDatabaseThatIsDownIsWaitedForToTheLastMillisecond() {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, databaseDown()), settings(3, 100, 2.0, 1000, 0, 101),
				101);

		Throwable failure = catchThrowable(() -> acquire(retry));

		assertThat(this.waits).containsExactly(100L, 1L);
		assertThat(failure).hasMessageContaining("after waiting 101 ms in all");
	}

	@Test
	void recoversWhenAConnectionIsHandedOverDuringARetry() throws SQLException {
		AcquisitionRetry retry = retry(pool(2, exhaustion()), settings(3, 2000, 2.0, 30_000, 0, 30_000), 30_000);

		Connection connection = acquire(retry);

		assertThat(connection).isSameAs(CONNECTION);
		assertThat(this.waits).containsExactly(2000L, 4000L, 8000L);
		assertThat(retry.getStats().recovered()).isOne();
		assertThat(retry.getStats().exhausted()).isZero();
	}

	@Test
	void aCallerThatWillFailUsesItsWholeBudgetEvenWhenJitterLeavesAShortLastAttempt() {
		for (int run = 0; run < 50; run++) {
			this.waits.clear();
			AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()),
					settings(100, 250, 1.0, 400, 50, 2000), 250);

			PoolExhaustedException failure = (PoolExhaustedException) catchThrowable(() -> acquire(retry));

			assertThat(waited()).isEqualTo(2000);
			assertThat(failure.getWaitedMillis()).isEqualTo(2000);
			assertThat(this.waits).allSatisfy((wait) -> assertThat(wait).isPositive());
		}
	}

	@Test
	void neverWaitsLongerThanTheBudget() {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(10, 700, 3.0, 60_000, 300, 5000),
				5000);

		catchThrowable(() -> acquire(retry));

		assertThat(waited()).isEqualTo(5000);
	}

	@Test
	void capsEveryWaitButTheLastAtMaxDelay() {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(5, 100, 2.0, 300, 0, 60_000),
				60_000);

		catchThrowable(() -> acquire(retry));

		assertThat(this.waits).containsExactly(100L, 200L, 300L, 300L, 300L, 58_800L);
	}

	@Test
	void jitterSpreadsRetriesWithinSpringsBounds() {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(6, 100, 2.0, 10_000, 50, 60_000),
				60_000);

		catchThrowable(() -> acquire(retry));

		// Spring's ExponentialBackOff: the jitter scales with the multiplier, never below
		// the initial delay nor above the longest.
		List<Long> retries = this.waits.subList(1, this.waits.size() - 1);
		long[] base = { 200, 400, 800, 1600, 3200 };
		assertThat(retries).hasSize(base.length);
		for (int i = 0; i < base.length; i++) {
			long jitter = 50 * (base[i] / 100);
			assertThat(retries.get(i)).isBetween(Math.max(100, base[i] - jitter), base[i] + jitter);
		}
		// five waits each drawn from a range of 100 ms or more: all five on the bare
		// backoff means no jitter was applied (odds below one in 10^11 otherwise)
		assertThat(retries).as("spread by the jitter").isNotEqualTo(List.of(200L, 400L, 800L, 1600L, 3200L));
	}

	@Test
	void withoutRetriesTheFirstAttemptWaitsTheWholeBudget() {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(0, 2000, 2.0, 30_000, 0, 30_000),
				30_000);

		Throwable failure = catchThrowable(() -> acquire(retry));

		assertThat(failure).isInstanceOf(PoolExhaustedException.class);
		assertThat(this.waits).containsExactly(30_000L);
	}

	@Test
	void aDatabaseThatIsDownIsWaitedForAsHikariWouldAndNeverCounted() {
		SQLTransientConnectionException down = databaseDown();
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, down), settings(3, 2000, 2.0, 30_000, 0, 30_000), 30_000);

		Throwable failure = catchThrowable(() -> acquire(retry));

		assertThat(failure).isInstanceOf(SQLTransientConnectionException.class)
			.hasMessage("unit - Connection is not available after waiting 30000 ms in all (HikariCP: "
					+ "unit - Connection is not available)")
			.hasCause(down.getCause());
		assertThat(((SQLException) failure).getSQLState()).isEqualTo("08001");
		assertThat(this.waits).containsExactly(2000L, 28_000L);
		assertThat(retry.getStats().recovered() + retry.getStats().exhausted()).isZero();
	}

	@Test
	void aLongerBudgetDoesNotMakeCallersWaitLongerForADatabaseThatIsDown() {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, databaseDown()), settings(3, 500, 2.0, 60_000, 0, 60_000),
				2000);

		catchThrowable(() -> acquire(retry));

		assertThat(this.waits).containsExactly(500L, 1500L);
	}

	@Test
	void anEmptyPoolWhoseDatabaseDoesNotAnswerIsNotRetried() {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(3, 2000, 2.0, 30_000, 0, 30_000),
				30_000, EMPTY);
		retry.setReachability(() -> false);

		Throwable failure = catchThrowable(() -> acquire(retry));

		assertThat(failure).isInstanceOf(SQLTransientConnectionException.class)
			.isNotInstanceOf(PoolExhaustedException.class)
			.hasMessageContaining("after waiting 30000 ms in all");
		assertThat(AcquisitionRetry.isPoolExhausted((SQLTransientConnectionException) failure))
			.as("still HikariCP's bare timeout: no SQLState, no cause").isTrue();
		assertThat(this.waits).containsExactly(2000L, 28_000L);
		assertThat(retry.getStats().recovered() + retry.getStats().exhausted()).isZero();
	}

	@Test
	void anEmptyPoolWhoseDatabaseAnswersIsRetried() throws SQLException {
		AcquisitionRetry retry = retry(pool(1, exhaustion()), settings(3, 2000, 2.0, 30_000, 0, 30_000), 30_000, EMPTY);
		retry.setReachability(() -> true);

		assertThat(acquire(retry)).isSameAs(CONNECTION);
		assertThat(retry.getStats().recovered()).isOne();
	}

	@Test
	void aRetryThatEndsForAnotherReasonKeepsWaitingOnlyAsLongAsHikariWould() {
		AtomicInteger calls = new AtomicInteger();
		SQLTransientConnectionException down = databaseDown();
		AcquisitionRetry retry = retry((timeoutMillis) -> {
			this.waits.add(timeoutMillis);
			this.clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
			throw (calls.incrementAndGet() <= 2) ? exhaustion() : down;
		}, settings(5, 1000, 2.0, 60_000, 0, 60_000), 10_000);

		Throwable failure = catchThrowable(() -> acquire(retry));

		assertThat(failure).hasMessageContaining("after waiting 10000 ms in all").hasCause(down.getCause());
		assertThat(((SQLException) failure).getSQLState()).isEqualTo("08001");
		assertThat(this.waits).containsExactly(1000L, 2000L, 4000L, 3000L);
		assertThat(retry.getStats().exhausted()).isZero();
	}

	@Test
	void passesOtherFailuresThroughAtOnce() {
		SQLException badPassword = new SQLException("password authentication failed", "28P01");
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, badPassword), settings(3, 2000, 2.0, 30_000, 0, 30_000),
				30_000);

		assertThat(catchThrowable(() -> acquire(retry))).isSameAs(badPassword);
		assertThat(this.waits).containsExactly(2000L);
	}

	@Test
	void anInterruptedWaitStopsAtOnceWithHikarisException() {
		SQLException interrupted = new SQLException("unit - Interrupted during connection acquisition",
				new InterruptedException());
		AtomicInteger calls = new AtomicInteger();
		AcquisitionRetry retry = retry((timeoutMillis) -> {
			this.waits.add(timeoutMillis);
			this.clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
			throw (calls.incrementAndGet() == 1) ? exhaustion() : interrupted;
		}, settings(3, 2000, 2.0, 30_000, 0, 30_000), 30_000);

		assertThat(catchThrowable(() -> acquire(retry))).isSameAs(interrupted);
		assertThat(this.waits).hasSize(2);
	}

	@Test
	void aClosedRetryFailsTheNextAttemptWithPoolClosed() {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(3, 2000, 2.0, 30_000, 0, 30_000),
				30_000);
		retry.close();

		Throwable failure = catchThrowable(() -> acquire(retry));

		assertThat(failure).isInstanceOf(SQLException.class).hasMessageContaining("pool closed");
		assertThat(((SQLException) failure).getSQLState()).isEqualTo("08003");
		assertThat(this.waits).containsExactly(2000L);
	}

	@Test
	void keepsTheLastTimeoutAsCauseAndTheEarlierOnesSuppressed() {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(3, 100, 2.0, 60_000, 0, 60_000),
				60_000);

		PoolExhaustedException failure = (PoolExhaustedException) catchThrowable(() -> acquire(retry));

		assertThat((Throwable) failure).hasCauseInstanceOf(SQLTransientConnectionException.class)
			.hasMessageStartingWith("unit - pool exhausted: no connection after 4 attempts in 60000 ms")
			.hasMessageContaining("active=5, idle=0, waiting=7, max=5")
			.hasMessageContaining("budget 60000 ms (spring.datasource.hikari.connection-timeout)");
		assertThat(failure.getAttempts()).isEqualTo(4);
		assertThat(failure.getSuppressed()).hasSize(3);
	}

	@Test
	void tellsTheListenerAboutEveryExhaustedAttempt() {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(3, 100, 2.0, 60_000, 0, 60_000),
				60_000);
		List<PoolSnapshot> told = new ArrayList<>();
		retry.setExhaustionListener(told::add);

		catchThrowable(() -> acquire(retry));

		assertThat(told).hasSize(4).containsOnly(SATURATED);
	}

	@Test
	void warnsWhileTheCallerIsStillWaitingNamesTheHoldersAndStaysQuietForTheInterval(CapturedOutput output) {
		AcquisitionRetry retry = retry(pool(Integer.MAX_VALUE, exhaustion()), settings(3, 2000, 2.0, 30_000, 0, 30_000),
				30_000);
		retry.setHolderSummary((snapshot) -> "5 held by Leaky.run(Leaky.java:7), oldest 40 s (thread main)");

		catchThrowable(() -> acquire(retry));
		catchThrowable(() -> acquire(retry));

		// the second caller's early warning came 2 s after the first caller's last line
		assertThat(output.getOut()
			.lines()
			.filter((line) -> line.contains("a caller has waited") && line.contains(" WARN ")))
			.singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
			.contains("WARN")
			.contains("a caller has waited 2000 ms with every connection in use")
			.contains("keeps waiting in the queue for up to 28000 ms more")
			.contains("holders: 5 held by Leaky.run(Leaky.java:7)");
		assertThat(retry.getStats().exhausted()).isEqualTo(2);
	}

	@Test
	void rejectsSettingsOutOfRange() {
		assertThatIllegalArgumentException().isThrownBy(() -> settings(-1, 100, 2.0, 1000, 0, 1000))
			.withMessageContaining("maxRetries");
		assertThatIllegalArgumentException().isThrownBy(() -> settings(1, -1, 2.0, 1000, 0, 1000))
			.withMessageContaining("delay");
		assertThatIllegalArgumentException().isThrownBy(() -> settings(1, 100, 0.5, 1000, 0, 1000))
			.withMessageContaining("multiplier");
		assertThatIllegalArgumentException().isThrownBy(() -> settings(1, 100, 2.0, 0, 0, 1000))
			.withMessageContaining("maxDelay");
		assertThatIllegalArgumentException().isThrownBy(() -> settings(1, 100, 2.0, 1000, -1, 1000))
			.withMessageContaining("jitter");
		assertThatIllegalArgumentException().isThrownBy(() -> settings(1, 100, 2.0, 1000, 0, 0))
			.withMessageContaining("timeout");
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> settings(1, 100, Double.POSITIVE_INFINITY, 1000, 0, 1000));
	}


	@Test
	void aNewcomerWhileACallerRetriesWaitsBehindItWithoutTouchingThePool() throws Exception {
		OneConnection pool = new OneConnection();
		AcquisitionRetry retry = pool.retry(30_000);
		ExecutorService callers = Executors.newFixedThreadPool(2);
		try {
			Future<Connection> first = callers.submit(() -> acquire(retry));
			pool.awaitFirstCallerRetrying();
			assertThat(retry.queuedCallers()).isEqualTo(1);
			Future<Connection> newcomer = callers.submit(() -> acquire(retry));
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> retry.waitingForTurn() == 1);
			assertThat(pool.calls).as("the newcomer has not entered the pool's queue").hasValue(2);
			assertThat(retry.queuedCallers()).isEqualTo(2);

			pool.returned.countDown();

			assertThat(first.get(10, TimeUnit.SECONDS)).isSameAs(CONNECTION);
			assertThat(newcomer.get(10, TimeUnit.SECONDS)).isSameAs(CONNECTION);
		}
		finally {
			callers.shutdownNow();
		}
		assertThat(pool.calls).hasValue(3);
		assertThat(retry.getStats().recovered()).isEqualTo(2);
		assertThat(retry.queuedCallers()).isZero();
		assertThat(retry.waitingForTurn()).isZero();
	}

	@Test
	void aNewcomerWhoseTurnNeverComesFailsAtTheEndOfItsBudget() throws Exception {
		OneConnection pool = new OneConnection();
		AcquisitionRetry retry = pool.retry(300);
		ExecutorService callers = Executors.newFixedThreadPool(2);
		try {
			Future<Connection> first = callers.submit(() -> acquire(retry));
			pool.awaitFirstCallerRetrying();
			Future<Throwable> newcomer = callers.submit(() -> catchThrowable(() -> acquire(retry)));

			assertThat(newcomer.get(10, TimeUnit.SECONDS)).isInstanceOf(PoolExhaustedException.class)
				.hasMessageContaining("budget 300 ms (poolwarden.retry.timeout)");
			assertThat(pool.calls).as("it never entered the pool's queue").hasValue(2);
			assertThat(retry.getStats().exhausted()).isEqualTo(1);
			pool.returned.countDown();
			assertThat(first.get(10, TimeUnit.SECONDS)).isSameAs(CONNECTION);
		}
		finally {
			pool.returned.countDown();
			callers.shutdownNow();
		}
	}

	@Test
	void aNewcomerInterruptedWhileWaitingForItsTurnFailsAndKeepsItsInterrupt() throws Exception {
		OneConnection pool = new OneConnection();
		AcquisitionRetry retry = pool.retry(30_000);
		// The first caller keeps its turn throughout: only the newcomer is interrupted, so
		// no turn is freed for it meanwhile.
		ExecutorService first = Executors.newSingleThreadExecutor();
		ExecutorService newcomers = Executors.newSingleThreadExecutor();
		try {
			first.submit(() -> acquire(retry));
			pool.awaitFirstCallerRetrying();
			AtomicReference<Boolean> interruptKept = new AtomicReference<>();
			Future<Throwable> newcomer = newcomers.submit(() -> {
				Throwable failure = catchThrowable(() -> acquire(retry));
				interruptKept.set(Thread.currentThread().isInterrupted());
				return failure;
			});
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> retry.waitingForTurn() == 1);
			newcomers.shutdownNow();
			assertThat(newcomer.get(10, TimeUnit.SECONDS)).isInstanceOf(SQLException.class)
				.isNotInstanceOf(PoolExhaustedException.class)
				.hasMessageContaining("interrupted while waiting for an exhausted pool");
			assertThat(interruptKept.get()).isTrue();
		}
		finally {
			pool.returned.countDown();
			newcomers.shutdownNow();
			first.shutdownNow();
		}
	}

	/**
	 * A pool of one connection, in use: the first borrow finds it exhausted, the second
	 * waits until {@link #returned} and gets it, every later borrow gets it at once.
	 */
	private static final class OneConnection implements TimedConnectionSource {

		private static final PoolSnapshot ONE_IN_USE = new PoolSnapshot("unit", 1, 0, 1, 1, 1);

		final CountDownLatch returned = new CountDownLatch(1);

		final AtomicInteger calls = new AtomicInteger();

		@Override
		public Connection getConnection(long timeoutMillis) throws SQLException {
			int call = this.calls.incrementAndGet();
			if (call == 1) {
				throw exhaustion();
			}
			if (call == 2) {
				try {
					this.returned.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return CONNECTION;
		}

		AcquisitionRetry retry(long budgetMillis) {
			return new AcquisitionRetry(this, () -> ONE_IN_USE, settings(3, 100, 2.0, 10_000, 0, budgetMillis), 30_000,
					"poolwarden.retry.timeout");
		}

		/**
		 * Wait until the first caller, its first attempt over, waits its turn in the pool.
		 */
		void awaitFirstCallerRetrying() {
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.calls.get() == 2);
		}

	}

	@Test
	void rejectsMissingCollaboratorsAndABudgetThatIsNotPositive() {
		TimedConnectionSource pool = pool(0, exhaustion());
		RetrySettings settings = settings(3, 100, 2.0, 1000, 0, 1000);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new AcquisitionRetry(null, () -> SATURATED, settings, 1000, "budget"))
			.withMessage("'source' must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> new AcquisitionRetry(pool, null, settings, 1000, "budget"))
			.withMessage("'probe' must not be null");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new AcquisitionRetry(pool, () -> SATURATED, null, 1000, "budget"))
			.withMessage("'settings' must not be null");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new AcquisitionRetry(pool, () -> SATURATED, settings, 0, "budget"))
			.withMessage("'connectionTimeoutMillis' must be positive");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new AcquisitionRetry(pool, () -> SATURATED, settings, 1000, " "))
			.withMessage("'budgetSource' must not be empty");
		AcquisitionRetry retry = new AcquisitionRetry(pool, () -> SATURATED, settings, 1, "budget");
		assertThat(retry.firstAttemptMillis()).isEqualTo(100);
		assertThat(retry.getSettings()).isSameAs(settings);
		assertThatIllegalArgumentException().isThrownBy(() -> retry.setExhaustionListener(null))
			.withMessage("'listener' must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> retry.setReachability(null))
			.withMessage("'reachable' must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> retry.setHolderSummary(null))
			.withMessage("'holders' must not be null");
	}

}
