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
import java.util.concurrent.atomic.AtomicInteger;

import io.github.poolwarden.PoolSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link AcquisitionRetry}: classification, backoff arithmetic and bounds,
 * without a database.
 */
@ExtendWith(OutputCaptureExtension.class)
class AcquisitionRetryTests {

	private static final Connection CONNECTION = (Connection) Proxy.newProxyInstance(
			AcquisitionRetryTests.class.getClassLoader(), new Class<?>[] { Connection.class }, (p, m, a) -> null);

	private static final PoolSnapshot SATURATED = new PoolSnapshot("unit", 5, 0, 5, 7, 5);

	private final List<Long> delays = new ArrayList<>();

	private final AtomicInteger calls = new AtomicInteger();

	@AfterEach
	void clearInterrupt() {
		Thread.interrupted();
	}

	private static SQLTransientConnectionException exhaustion() {
		return new SQLTransientConnectionException("unit - Connection is not available, request timed out after 250ms");
	}

	private static RetrySettings settings(long maxRetries, long delay, long maxDelay, long timeoutMillis) {
		return new RetrySettings(maxRetries, Duration.ofMillis(delay), 2.0, Duration.ofMillis(maxDelay),
				Duration.ZERO, Duration.ofMillis(timeoutMillis));
	}

	private AcquisitionRetry retry(RetrySettings settings, long connectionTimeout, int failuresBeforeSuccess) {
		return new AcquisitionRetry(() -> {
			if (this.calls.incrementAndGet() <= failuresBeforeSuccess) {
				throw exhaustion();
			}
			return CONNECTION;
		}, () -> SATURATED, settings, connectionTimeout, this.delays::add);
	}

	@Test
	void classifiesOnlyHikarisBareTimeoutAsExhaustion() {
		assertThat(AcquisitionRetry.isPoolExhausted(exhaustion())).isTrue();
		assertThat(AcquisitionRetry.isPoolExhausted(new SQLTransientConnectionException("down", "08001"))).isFalse();
		assertThat(AcquisitionRetry.isPoolExhausted(
				new SQLTransientConnectionException("down", null, new SQLException("refused", "08001"))))
			.isFalse();
		assertThat(AcquisitionRetry.isPoolExhausted(
				new PoolExhaustedException("gave up", "unit", 4, 1000, exhaustion())))
			.isFalse();
	}

	@Test
	void getConnectionWhenPoolExhaustedRetriesAndRecovers() throws SQLException {
		AcquisitionRetry retry = retry(settings(3, 0, 0, 60_000), 250, 2);

		Connection connection = retry.acquire(exhaustion());

		assertThat(connection).isSameAs(CONNECTION);
		assertThat(this.calls).hasValue(3);
		assertThat(retry.getStats().recovered()).isOne();
		assertThat(retry.getStats().exhausted()).isZero();
	}

	@Test
	void backsOffExponentiallyUpToMaxDelay() {
		AcquisitionRetry retry = retry(settings(5, 100, 300, 60_000), 250, Integer.MAX_VALUE);

		assertThatExceptionOfType(PoolExhaustedException.class).isThrownBy(() -> retry.acquire(exhaustion()));

		assertThat(this.delays).containsExactly(100L, 200L, 300L, 300L, 300L);
	}

	@Test
	void jitterSpreadsDelaysWithinSpringsBounds() {
		RetrySettings settings = new RetrySettings(6, Duration.ofMillis(100), 2.0, Duration.ofSeconds(10),
				Duration.ofMillis(50), Duration.ofMinutes(1));
		AcquisitionRetry retry = new AcquisitionRetry(() -> {
			throw exhaustion();
		}, () -> SATURATED, settings, 250, this.delays::add);

		assertThatExceptionOfType(PoolExhaustedException.class).isThrownBy(() -> retry.acquire(exhaustion()));

		assertThat(this.delays).hasSize(6);
		long nominal = 100;
		for (long delay : this.delays) {
			assertThat(delay).isBetween(100L, nominal + nominal / 2);
			nominal *= 2;
		}
	}

	@Test
	void givesUpAfterMaxRetriesWithTheLastFailureAsCauseAndTheRestSuppressed() {
		AcquisitionRetry retry = retry(settings(3, 0, 0, 60_000), 250, Integer.MAX_VALUE);
		SQLTransientConnectionException first = exhaustion();

		PoolExhaustedException ex = (PoolExhaustedException) org.assertj.core.api.Assertions
			.catchThrowable(() -> retry.acquire(first));

		assertThat(ex.getAttempts()).isEqualTo(4);
		assertThat(this.calls).hasValue(3);
		assertThat(ex.getCause()).isInstanceOf(SQLTransientConnectionException.class).isNotSameAs(first);
		assertThat(ex.getSuppressed()).hasSize(3).contains(first);
		assertThat(ex.getMessage()).startsWith("unit - pool exhausted: no connection after 4 attempts in ")
			.contains("active=5, idle=0, waiting=7, max=5");
		assertThat(retry.getStats().exhausted()).isOne();
	}

	@Test
	void neverStartsARetryThatCannotFinishBeforeTheTimeout() {
		AcquisitionRetry retry = retry(settings(10, 100, 100, 1500), 1000, Integer.MAX_VALUE);

		assertThatExceptionOfType(PoolExhaustedException.class).isThrownBy(() -> retry.acquire(exhaustion()))
			.satisfies((ex) -> assertThat(ex.getAttempts()).isOne());

		assertThat(this.calls).hasValue(0);
	}

	@Test
	void emptyPoolWhoseDatabaseDoesNotAnswerIsNotRetried() {
		AcquisitionRetry retry = new AcquisitionRetry(() -> {
			this.calls.incrementAndGet();
			return CONNECTION;
		}, () -> new PoolSnapshot("unit", 0, 0, 0, 3, 5), settings(3, 0, 0, 60_000), 250, this.delays::add);
		retry.setReachability(() -> false);
		SQLTransientConnectionException timeout = exhaustion();

		assertThatExceptionOfType(SQLTransientConnectionException.class).isThrownBy(() -> retry.acquire(timeout))
			.isSameAs(timeout);

		assertThat(this.calls).hasValue(0);
		assertThat(retry.getStats().exhausted()).isZero();
	}

	@Test
	void emptyPoolWhoseDatabaseAnswersIsRetried() throws SQLException {
		AcquisitionRetry retry = new AcquisitionRetry(() -> CONNECTION, () -> new PoolSnapshot("unit", 0, 0, 0, 3, 5),
				settings(3, 0, 0, 60_000), 250, this.delays::add);
		retry.setReachability(() -> true);

		assertThat(retry.acquire(exhaustion())).isSameAs(CONNECTION);
		assertThat(retry.getStats().recovered()).isOne();
	}

	@Test
	void passesOtherFailuresThroughUnchanged() {
		AcquisitionRetry retry = retry(settings(3, 0, 0, 60_000), 250, Integer.MAX_VALUE);
		SQLTransientConnectionException down = new SQLTransientConnectionException("down", "08001",
				new SQLException("Connection refused", "08001"));

		assertThatExceptionOfType(SQLTransientConnectionException.class).isThrownBy(() -> retry.acquire(down))
			.isSameAs(down);

		assertThat(this.calls).hasValue(0);
		assertThat(retry.getStats().exhausted()).isZero();
	}

	@Test
	void stopsWhenARetryFailsForAnotherReason() {
		SQLTransientConnectionException down = new SQLTransientConnectionException("down", "08001");
		AcquisitionRetry retry = new AcquisitionRetry(() -> {
			this.calls.incrementAndGet();
			throw down;
		}, () -> SATURATED, settings(3, 0, 0, 60_000), 250, this.delays::add);

		assertThatExceptionOfType(SQLTransientConnectionException.class).isThrownBy(() -> retry.acquire(exhaustion()))
			.isSameAs(down);

		assertThat(this.calls).hasValue(1);
	}

	@Test
	void interruptDuringBackoffStopsAtOnceAndKeepsTheFlag() {
		AcquisitionRetry retry = new AcquisitionRetry(() -> {
			this.calls.incrementAndGet();
			return CONNECTION;
		}, () -> SATURATED, settings(3, 10_000, 10_000, 60_000), 250);
		Thread.currentThread().interrupt();

		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> retry.acquire(exhaustion()))
			.withCauseInstanceOf(InterruptedException.class)
			.withMessageContaining("interrupted");

		assertThat(Thread.currentThread().isInterrupted()).isTrue();
		assertThat(this.calls).hasValue(0);
	}

	@Test
	void warnsAboutExhaustionAtMostOncePerInterval(CapturedOutput output) {
		AcquisitionRetry retry = retry(settings(0, 0, 0, 60_000), 250, Integer.MAX_VALUE);

		for (int i = 0; i < 50; i++) {
			assertThatExceptionOfType(PoolExhaustedException.class).isThrownBy(() -> retry.acquire(exhaustion()));
		}

		assertThat(output.getOut().lines().filter((line) -> line.contains("WARN") && line.contains("pool exhausted")))
			.hasSize(1);
		assertThat(retry.getStats().exhausted()).isEqualTo(50);
	}

	@Test
	void rejectsSettingsOutOfRange() {
		assertThatIllegalArgumentException().isThrownBy(() -> settings(-1, 0, 0, 1000))
			.withMessage("Invalid maxRetries (-1): must be zero or positive");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RetrySettings(1, Duration.ofMillis(10), 0.5, Duration.ofMillis(10), Duration.ZERO,
					Duration.ofSeconds(1)))
			.withMessageContaining("multiplier");
		assertThatIllegalArgumentException().isThrownBy(() -> settings(1, 100, 50, 1000))
			.withMessageContaining("maxDelay");
	}

}
