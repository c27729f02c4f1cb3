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

package io.github.poolwarden.pool;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.testsupport.TcpForwarder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The probe answers from the cheapest evidence: the pool's traffic, the latest answer
 * while it stands, an idle connection, and a connection outside the pool only when there
 * is nothing else, at most once per interval. No database: the pool's connections are
 * stubs and the URL points at a closed port.
 */
@ExtendWith(OutputCaptureExtension.class)
class DatabaseProbeTests {

	private static final Duration INTERVAL = Duration.ofSeconds(10);

	private final AtomicLong clock = new AtomicLong(1_000_000_000L);

	private final HikariDataSource pool = new HikariDataSource();

	private final StubPool pooled = new StubPool();

	private final List<ConnectionError> errors = new ArrayList<>();

	private OptionalLong traffic = OptionalLong.empty();

	private int idle = 1;

	DatabaseProbeTests() {
		this.pool.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + TcpForwarder.freePort() + "/nowhere");
		this.pool.setPoolName("probed");
	}

	@AfterEach
	void closePool() {
		this.pool.close();
	}

	private DatabaseProbe probe() {
		DatabaseProbe probe = new DatabaseProbe(this.pool, Duration.ofSeconds(5), INTERVAL, this.errors::add,
				this.pooled, () -> new PoolSnapshot("probed", 1, this.idle, 1 + this.idle, 0, 5), this.clock::get);
		probe.setPoolTraffic(() -> this.traffic);
		return probe;
	}

	private void advance(Duration duration) {
		this.clock.addAndGet(duration.toNanos());
	}

	@Test
	void firstAnswerValidatesAnIdleConnectionAndNamesTheProduct() {
		DatabaseProbe probe = probe();

		DatabaseProbe.Answer answer = probe.check();

		assertThat(answer.state()).isEqualTo(DatabaseProbe.State.UP);
		assertThat(answer.source()).isEqualTo(DatabaseProbe.Source.IDLE_CONNECTION);
		assertThat(answer.product()).isEqualTo("StubDB");
		assertThat(this.pooled.validations.get()).isOne();
		assertThat(probe.answers(DatabaseProbe.Source.NEW_CONNECTION)).isZero();
	}

	@Test
	void anAnswerStandsForTheIntervalThenIsAskedAgain() {
		DatabaseProbe probe = probe();
		probe.check();

		advance(INTERVAL);
		DatabaseProbe.Answer within = probe.check();
		advance(Duration.ofNanos(1));
		DatabaseProbe.Answer after = probe.check();

		assertThat(within.source()).isEqualTo(DatabaseProbe.Source.IDLE_CONNECTION);
		assertThat(after.source()).isEqualTo(DatabaseProbe.Source.IDLE_CONNECTION);
		assertThat(this.pooled.validations.get()).isEqualTo(2);
		assertThat(probe.answers(DatabaseProbe.Source.IDLE_CONNECTION)).isEqualTo(2);
	}

	@Test
	void aConnectionReturnedWithinTheIntervalAnswersWithoutAsking() {
		DatabaseProbe probe = probe();
		probe.check();
		advance(Duration.ofSeconds(30));
		this.traffic = OptionalLong.of(this.clock.get() - Duration.ofSeconds(9).toNanos());

		DatabaseProbe.Answer answer = probe.check();

		assertThat(answer.state()).isEqualTo(DatabaseProbe.State.UP);
		assertThat(answer.source()).isEqualTo(DatabaseProbe.Source.POOL_TRAFFIC);
		assertThat(answer.product()).isEqualTo("StubDB");
		assertThat(probe.ageOf(answer)).isEqualTo(Duration.ofSeconds(9));
		assertThat(this.pooled.validations.get()).isOne();
	}

	@Test
	void trafficOlderThanTheIntervalIsNoEvidence() {
		DatabaseProbe probe = probe();
		probe.check();
		advance(Duration.ofSeconds(30));
		this.traffic = OptionalLong.of(this.clock.get() - INTERVAL.toNanos() - 1);

		DatabaseProbe.Answer answer = probe.check();

		assertThat(answer.source()).isEqualTo(DatabaseProbe.Source.IDLE_CONNECTION);
		assertThat(this.pooled.validations.get()).isEqualTo(2);
	}

	@Test
	void trafficIsNoEvidenceBeforeTheDatabaseEverAnswered() {
		this.traffic = OptionalLong.of(this.clock.get());
		DatabaseProbe probe = probe();

		DatabaseProbe.Answer answer = probe.check();

		assertThat(answer.source()).isEqualTo(DatabaseProbe.Source.IDLE_CONNECTION);
	}

	@Test
	void aCallersConnectionFailureIsDownAtOnceUntilAConnectionComesBackAfterIt() {
		DatabaseProbe probe = probe();
		probe.check();
		this.traffic = OptionalLong.of(this.clock.get());
		advance(Duration.ofMillis(10));

		probe.recordFailure(new ConnectionError("08001", "Connection refused", java.time.Instant.now()), false);
		DatabaseProbe.Answer down = probe.check();
		advance(Duration.ofMillis(10));
		this.traffic = OptionalLong.of(this.clock.get());
		DatabaseProbe.Answer up = probe.check();

		assertThat(down.state()).isEqualTo(DatabaseProbe.State.DOWN);
		assertThat(down.source()).isEqualTo(DatabaseProbe.Source.FAILED_BORROW);
		assertThat(down.product()).isEqualTo("StubDB");
		assertThat(up.state()).isEqualTo(DatabaseProbe.State.UP);
		assertThat(up.source()).isEqualTo(DatabaseProbe.Source.POOL_TRAFFIC);
		assertThat(this.pooled.validations.get()).isOne();
	}

	@Test
	void aPoolWithNothingIdleIsAskedOutsideAtMostOncePerInterval() {
		this.idle = 0;
		DatabaseProbe probe = probe();

		DatabaseProbe.Answer first = probe.check();
		for (int i = 0; i < 20; i++) {
			advance(Duration.ofMillis(250));
			probe.check();
		}

		assertThat(first.state()).isEqualTo(DatabaseProbe.State.DOWN);
		assertThat(first.source()).isEqualTo(DatabaseProbe.Source.NEW_CONNECTION);
		assertThat(first.error()).isNotNull();
		assertThat(first.error().sqlState()).isEqualTo("08001");
		assertThat(this.errors).hasSize(1);
		assertThat(probe.answers(DatabaseProbe.Source.NEW_CONNECTION)).isEqualTo(1);
		assertThat(this.pooled.borrows.get()).isZero();
	}

	@Test
	void anIdleConnectionThatFailsValidationIsFollowedByOneOutside() {
		this.pooled.valid = false;
		DatabaseProbe probe = probe();

		DatabaseProbe.Answer answer = probe.check();

		assertThat(answer.source()).isEqualTo(DatabaseProbe.Source.NEW_CONNECTION);
		assertThat(answer.state()).isEqualTo(DatabaseProbe.State.DOWN);
		assertThat(probe.getProduct()).isEqualTo("StubDB");
	}

	@Test
	void anIdleConnectionTakenMeanwhileIsFollowedByOneOutside() {
		this.pooled.exhausted = true;
		DatabaseProbe probe = probe();

		DatabaseProbe.Answer answer = probe.check();

		assertThat(answer.source()).isEqualTo(DatabaseProbe.Source.NEW_CONNECTION);
		assertThat(this.pooled.borrows.get()).isOne();
	}

	@Test
	void checkNowAsksWhateverTheEvidenceAndSharesTheAnswer() {
		DatabaseProbe probe = probe();
		probe.check();

		DatabaseProbe.Answer now = probe.checkNow(Duration.ofSeconds(1));
		DatabaseProbe.Answer shared = probe.check();

		assertThat(now.source()).isEqualTo(DatabaseProbe.Source.IDLE_CONNECTION);
		assertThat(this.pooled.validations.get()).isEqualTo(2);
		assertThat(shared).isSameAs(now);
	}

	@Test
	void aCheckThatOutlastsItsWaitIsDownWithoutAnAnswerAndRunsOnlyOnce() throws Exception {
		this.pooled.hang = true;
		DatabaseProbe probe = probe();

		DatabaseProbe.Answer first = probe.checkNow(Duration.ofMillis(50));
		DatabaseProbe.Answer second = probe.checkNow(Duration.ofMillis(50));
		this.pooled.release();

		assertThat(first.state()).isEqualTo(DatabaseProbe.State.DOWN);
		assertThat(first.source()).isEqualTo(DatabaseProbe.Source.NO_ANSWER_YET);
		assertThat(first.description()).isEqualTo("no answer within 50 ms");
		assertThat(second.source()).isEqualTo(DatabaseProbe.Source.NO_ANSWER_YET);
		assertThat(this.pooled.borrows.get()).isOne();
	}

	@Test
	void aDatabaseThatComesAndGoesIsOneEpisodeToTheReader(CapturedOutput output) {
		DatabaseProbe probe = probe();
		probe.check();
		ConnectionError refused = new ConnectionError("08001", "Connection refused", java.time.Instant.now());

		for (int i = 0; i < 5; i++) {
			advance(Duration.ofSeconds(1));
			probe.recordFailure(refused, false);
			advance(Duration.ofSeconds(1));
			this.traffic = OptionalLong.of(this.clock.get());
			probe.check();
		}
		long flapping = outageLines(output);
		advance(Duration.ofSeconds(31));
		probe.recordFailure(refused, false);

		assertThat(flapping).as("one WARN and one INFO for five outages within 30 s").isEqualTo(2);
		assertThat(outageLines(output)).as("a new episode 30 s later").isEqualTo(3);
		assertThat(probe.isAway()).isTrue();
	}

	private static long outageLines(CapturedOutput output) {
		return output.getOut()
			.lines()
			.filter((line) -> line.contains("probed - the database at ")
					&& (line.contains("does not answer") || line.contains("answers again")))
			.count();
	}

	@Test
	void aFullServerCountsAsAnsweringOnlyWhileThePoolHoldsConnections() {
		DatabaseProbe.Answer full = new DatabaseProbe.Answer(DatabaseProbe.State.FULL, "full", null, null, null,
				DatabaseProbe.Source.NEW_CONNECTION, 0);

		assertThat(full.answers(true)).isTrue();
		assertThat(full.answers(false)).isFalse();
	}

	/**
	 * The pool's connections, as stubs that count what is asked of them.
	 */
	private static final class StubPool implements TimedConnectionSource {

		final AtomicInteger borrows = new AtomicInteger();

		final AtomicInteger validations = new AtomicInteger();

		volatile boolean valid = true;

		volatile boolean exhausted;

		volatile boolean hang;

		private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

		void release() {
			this.released.countDown();
		}

		@Override
		public Connection getConnection(long timeoutMillis) throws SQLException {
			this.borrows.incrementAndGet();
			if (this.hang) {
				try {
					this.released.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			if (this.exhausted) {
				throw new SQLTransientConnectionException("probed - Connection is not available");
			}
			AtomicBoolean closed = new AtomicBoolean();
			DatabaseMetaData metaData = (DatabaseMetaData) Proxy.newProxyInstance(getClass().getClassLoader(),
					new Class<?>[] { DatabaseMetaData.class }, (proxy, method, args) -> switch (method.getName()) {
						case "getDatabaseProductName" -> "StubDB";
						default -> null;
					});
			return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
					(proxy, method, args) -> switch (method.getName()) {
						case "getMetaData" -> metaData;
						case "isValid" -> {
							this.validations.incrementAndGet();
							yield this.valid;
						}
						case "close" -> {
							closed.set(true);
							yield null;
						}
						case "isClosed" -> closed.get();
						default -> null;
					});
		}

	}

}
