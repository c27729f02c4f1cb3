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

package io.github.poolwarden.advice;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The rules, one by one, on demand fed sample by sample with a clock of the test's own:
 * each verdict, the order in which the rules are tried, and the INFO line.
 */
@ExtendWith(OutputCaptureExtension.class)
class PoolAdvisorTests {

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	private long now = 1_000 * SECOND;

	private long borrows;

	private long nested;

	private PoolAdvisor advisor(Duration window, @Nullable Integer workers, int instances, @Nullable LockWaits locks) {
		return advisor("orders", window, workers, instances, locks);
	}

	private PoolAdvisor advisor(String pool, Duration window, @Nullable Integer workers, int instances,
			@Nullable LockWaits locks) {
		return new PoolAdvisor(pool,
				new PoolAdvisor.Settings(window, Duration.ofSeconds(60), workers, instances, true), locks,
				() -> this.now);
	}

	private PoolAdvisor advisor() {
		return advisor(Duration.ofSeconds(20), null, 1, null);
	}

	/**
	 * Feed one sample a second for {@code seconds}: {@code perSecond} borrows each held
	 * {@code holdMillis}, and the holders given.
	 */
	private void feed(PoolAdvisor advisor, int seconds, int active, int waiting, int max, int perSecond,
			long holdMillis, @Nullable Integer headroom, @Nullable Integer limit, List<DemandSample.Held> holders) {
		for (int i = 0; i < seconds; i++) {
			this.now += SECOND;
			this.borrows += perSecond;
			for (int b = 0; b < perSecond; b++) {
				advisor.recordHold(TimeUnit.MILLISECONDS.toNanos(holdMillis));
			}
			advisor.sample(new DemandSample(this.now, active, waiting, max, this.borrows, this.nested, holders,
					headroom, limit));
		}
	}

	private void feed(PoolAdvisor advisor, int seconds, int active, int waiting, int max, int perSecond) {
		feed(advisor, seconds, active, waiting, max, perSecond, 100, 100, 100, List.of());
	}

	@Test
	void demandAboveTheSizeWithRoomOnTheServerIsGrowToTheDemand() {
		PoolAdvisor advisor = advisor();
		feed(advisor, 21, 2, 4, 2, 20);

		PoolAdvice advice = advisor.advice();
		assertThat(advice.verdict()).isEqualTo(Verdict.GROW);
		assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(6);
		assertThat(advice.evidence().demandP99()).isEqualTo(6);
		assertThat(advice.evidence().borrowsPerSecond()).isEqualTo(20.0);
		assertThat(advice.evidence().holdMillisP50()).isBetween(94L, 106L);
		assertThat(advice.evidence().holdMillisMean()).isEqualTo(100L);
		assertThat(advice.evidence().waitMillisMean()).isEqualTo(200L);
		assertThat(advice.message()).isEqualTo("pool 'orders' (max 2) saw demand p99 = 6 (active + waiting, max 6), "
				+ "20.0 borrows/s held " + advice.evidence().holdMillisP99()
				+ " ms at p99; the server can give 100 per instance; set 6.");
	}

	@Test
	void neverAboveWhatTheServerCanGiveThisInstance() {
		PoolAdvisor advisor = advisor();
		feed(advisor, 21, 2, 4, 2, 20, 100, 4, 100, List.of());

		PoolAdvice advice = advisor.advice();
		assertThat(advice.verdict()).isEqualTo(Verdict.SERVER_LIMITED);
		assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(4);
		assertThat(advice.message()).contains("it needs 6 but the server can give 4 per instance; set 4");
	}

	@Test
	void theServersLimitIsSharedAmongReplicasAndSurge() {
		PoolAdvisor advisor = advisor(Duration.ofSeconds(20), null, 3, null);
		feed(advisor, 21, 2, 4, 2, 20, 100, 90, 12, List.of());

		PoolAdvice advice = advisor.advice();
		assertThat(advice.evidence().serverBudget()).isEqualTo(4);
		assertThat(advice.verdict()).isEqualTo(Verdict.SERVER_LIMITED);
		assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(4);
	}

	@Test
	void neverAboveTheWorkerThreadsThatCanAsk() {
		PoolAdvisor advisor = advisor(Duration.ofSeconds(20), 5, 1, null);
		feed(advisor, 21, 2, 6, 2, 20);

		assertThat(advisor.advice().verdict()).isEqualTo(Verdict.GROW);
		assertThat(advisor.advice().recommendedMaximumPoolSize()).isEqualTo(5);
		assertThat(advisor.advice().message()).endsWith("set 5 (no more than the 5 worker threads that can ask).");
	}

	@Test
	void demandWellUnderTheSizeForTheWholeWindowIsShrink() {
		PoolAdvisor advisor = advisor();
		feed(advisor, 21, 2, 0, 20, 50);

		PoolAdvice advice = advisor.advice();
		assertThat(advice.verdict()).isEqualTo(Verdict.SHRINK);
		assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(3);
	}

	@Test
	void demandUnderTheSizeForLessThanTheWholeWindowIsKeep() {
		PoolAdvisor advisor = advisor(Duration.ofSeconds(60), null, 1, null);
		feed(advisor, 21, 2, 0, 20, 50);

		assertThat(advisor.advice().verdict()).isEqualTo(Verdict.KEEP);
		assertThat(advisor.advice().recommendedMaximumPoolSize()).isEqualTo(20);
	}

	@Test
	void demandThatFitsIsKeep() {
		PoolAdvisor advisor = advisor();
		feed(advisor, 21, 7, 0, 10, 50);

		PoolAdvice advice = advisor.advice();
		assertThat(advice.verdict()).isEqualTo(Verdict.KEEP);
		assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(10);
		assertThat(advice.message()).endsWith("keep 10.");
	}

	@Test
	void lessThanTenSecondsWatchedIsNotEnoughData() {
		PoolAdvisor advisor = advisor();
		feed(advisor, 9, 2, 4, 2, 20);

		assertThat(advisor.advice().verdict()).isEqualTo(Verdict.NOT_ENOUGH_DATA);
		assertThat(advisor.advice().confidence()).isEqualTo(Confidence.LOW);
	}

	@Test
	void fewBorrowsAndNobodyWaitingIsNotEnoughData() {
		PoolAdvisor advisor = advisor();
		feed(advisor, 21, 1, 0, 10, 4);

		assertThat(advisor.advice().verdict()).isEqualTo(Verdict.NOT_ENOUGH_DATA);
		assertThat(advisor.advice().recommendedMaximumPoolSize()).isEqualTo(10);
	}

	@Test
	void connectionsHeldPastTheLeakThresholdAreFixCodeNamingWhereTheyWereBorrowed() {
		PoolAdvisor advisor = advisor();
		List<DemandSample.Held> leaked = new ArrayList<>();
		for (int i = 0; i < 21; i++) {
			long age = (i + 20) * SECOND;
			leaked = List.of(new DemandSample.Held("t", "Orders.leak(Orders.java:12)", age, null),
					new DemandSample.Held("t", "Orders.leak(Orders.java:12)", age, null));
			feed(advisor, 1, 2, 1, 2, 0, 0, 100, 100, leaked);
		}

		PoolAdvice advice = advisor.advice();
		assertThat(advice.verdict()).isEqualTo(Verdict.FIX_CODE);
		assertThat(advice.callSite()).isEqualTo("Orders.leak(Orders.java:12)");
		assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(2);
	}

	@Test
	void nestedBorrowsOnAPoolTooSmallToNeverDeadlockAreFixCode() {
		PoolAdvisor advisor = advisor();
		List<DemandSample.Held> holders = List.of(
				new DemandSample.Held("t1", "Orders.outer(Orders.java:10)", 0, "Audit.inner(Audit.java:20)"),
				new DemandSample.Held("t2", "Orders.outer(Orders.java:10)", 0, null));
		for (int i = 0; i < 21; i++) {
			this.nested += 5;
			feed(advisor, 1, 2, 2, 2, 20, 100, 100, 100, holders);
		}

		PoolAdvice advice = advisor.advice();
		assertThat(advice.verdict()).isEqualTo(Verdict.FIX_CODE);
		assertThat(advice.callSite()).startsWith("Audit.inner(Audit.java:20)");
		assertThat(advice.message()).contains("4 threads a pool needs 4 x (2 - 1) + 1 = 5");
	}

	@Test
	void oneThreadHoldingManyIsNotANestedDeadlockRisk() {
		PoolAdvisor advisor = advisor();
		List<DemandSample.Held> holders = List.of(
				new DemandSample.Held("job", "Job.run(Job.java:10)", 0, "Job.run(Job.java:10)"),
				new DemandSample.Held("job", "Job.run(Job.java:10)", 0, null),
				new DemandSample.Held("job", "Job.run(Job.java:10)", 0, null));
		for (int i = 0; i < 21; i++) {
			this.nested += 5;
			feed(advisor, 1, 3, 1, 4, 20, 100, 100, 100, holders);
		}

		assertThat(advisor.advice().verdict()).as(advisor.advice().message()).isNotEqualTo(Verdict.FIX_CODE);
	}

	@Test
	void nestedBorrowsOnAPoolLargeEnoughAreNotFixCode() {
		PoolAdvisor advisor = advisor();
		for (int i = 0; i < 21; i++) {
			this.nested += 5;
			feed(advisor, 1, 3, 0, 10, 20);
		}

		assertThat(advisor.advice().verdict()).isNotEqualTo(Verdict.FIX_CODE);
	}

	@Test
	void oneCallSiteHoldingMostConnectionTimeFarLongerThanTheRestIsFixCodeOnASaturatedPool() {
		PoolAdvisor advisor = advisor();
		List<DemandSample.Held> holders = List.of(new DemandSample.Held("t", "Report.export(Report.java:40)", 6 * SECOND, null),
				new DemandSample.Held("t", "Report.export(Report.java:40)", 7 * SECOND, null),
				new DemandSample.Held("t", "Report.export(Report.java:40)", 8 * SECOND, null),
				new DemandSample.Held("t", "Orders.find(Orders.java:10)", 0, null));
		feed(advisor, 21, 4, 4, 4, 40, 20, 100, 100, holders);

		PoolAdvice advice = advisor.advice();
		assertThat(advice.verdict()).isEqualTo(Verdict.FIX_CODE);
		assertThat(advice.callSite()).isEqualTo("Report.export(Report.java:40)");
		assertThat(advice.evidence().topCallSites().get(0).share()).isEqualTo(0.75);
	}

	@Test
	void sessionsWaitingOnLocksAreDatabaseBoundNeverGrow() {
		LockWaits locks = new LockWaits() {

			@Override
			public Sessions sample() {
				return new Sessions(4, 3);
			}

			@Override
			public void close() {
			}

		};
		PoolAdvisor advisor = advisor(Duration.ofSeconds(20), null, 1, locks);
		feed(advisor, 21, 4, 4, 4, 20);

		assertThat(advisor.advice().verdict()).isEqualTo(Verdict.DATABASE_BOUND);
		assertThat(advisor.advice().evidence().lockWaitShare()).isEqualTo(0.75);
		assertThat(advisor.advice().recommendedMaximumPoolSize()).isEqualTo(4);
	}

	@Test
	void locksAreSampledOnlyWhileCallersWait() {
		int[] samples = new int[1];
		boolean[] closed = new boolean[1];
		LockWaits locks = new LockWaits() {

			@Override
			public Sessions sample() {
				samples[0]++;
				return new Sessions(2, 0);
			}

			@Override
			public void close() {
				closed[0] = true;
			}

		};
		PoolAdvisor advisor = advisor(Duration.ofSeconds(20), null, 1, locks);
		feed(advisor, 5, 2, 0, 4, 20);
		assertThat(samples[0]).isZero();
		feed(advisor, 3, 3, 2, 4, 20);
		assertThat(samples[0]).as("not while the pool is short of its maximum").isZero();
		feed(advisor, 5, 4, 2, 4, 20);
		assertThat(samples[0]).isEqualTo(5);
		assertThat(closed[0]).isFalse();
		feed(advisor, 1, 3, 3, 4, 20);
		feed(advisor, 1, 4, 2, 4, 20);
		assertThat(closed[0]).as("kept through a sample taken while a connection changed hands").isFalse();
		feed(advisor, 2, 2, 0, 4, 20);
		assertThat(closed[0]).as("kept for 3 s after the last sample with callers waiting").isFalse();
		feed(advisor, 1, 2, 0, 4, 20);
		assertThat(closed[0]).as("the session is given back once callers no longer wait").isTrue();
	}

	/**
	 * A server that refuses the sampler's session (a role at its limit) is asked again
	 * after 30 s, not every second: 2 tries in 40 s of saturation.
	 */
	@Test
	void aSamplerThatCannotConnectTriesAgainAfterThirtySecondsNotEverySecond() {
		int[] tries = new int[1];
		LockWaits refused = new LockWaits() {

			@Override
			public Sessions sample() {
				tries[0]++;
				return null;
			}

			@Override
			public void close() {
			}

		};
		PoolAdvisor advisor = advisor(Duration.ofSeconds(20), null, 1, refused);
		feed(advisor, 40, 4, 2, 4, 20);

		assertThat(tries[0]).isEqualTo(2);
	}

	@Test
	void moreActiveConnectionsWithoutMoreThroughputAreDatabaseBound() {
		PoolAdvisor advisor = advisor();
		for (int i = 0; i < 11; i++) {
			feed(advisor, 1, 2, 4, 4, 20);
			feed(advisor, 1, 4, 2, 4, 20);
		}

		assertThat(advisor.advice().verdict()).isEqualTo(Verdict.DATABASE_BOUND);
		assertThat(advisor.advice().message()).contains("more active connections brought no more borrows per second");
	}

	@Test
	void moreActiveConnectionsWithMoreThroughputAreGrow() {
		PoolAdvisor advisor = advisor();
		for (int i = 0; i < 11; i++) {
			feed(advisor, 1, 2, 4, 4, 20);
			feed(advisor, 1, 4, 2, 4, 40);
		}

		assertThat(advisor.advice().verdict()).isEqualTo(Verdict.GROW);
	}

	@Test
	void oneInfoLineWhenTheVerdictChangesAtMostOncePerWindow(CapturedOutput output) {
		// a name of its own: the console also carries the lines of the advice tests that
		// run beside this class, whose pools may be called "orders"
		PoolAdvisor advisor = advisor("advised-once", Duration.ofSeconds(20), null, 1, null);
		feed(advisor, 9, 2, 4, 2, 20);
		assertThat(lines(output)).as("nothing while there is not enough data").isEmpty();
		feed(advisor, 3, 2, 4, 2, 20);
		assertThat(lines(output)).singleElement().asString().contains("advised-once - pool-size advice: grow").endsWith("set 6.");
		feed(advisor, 5, 2, 6, 2, 20);
		assertThat(advisor.advice().recommendedMaximumPoolSize()).isEqualTo(8);
		assertThat(lines(output)).as("the change within the window waits for its end").hasSize(1);
		feed(advisor, 15, 2, 6, 2, 20);
		assertThat(lines(output)).hasSize(2).last().asString().endsWith("set 8.");
		feed(advisor, 30, 2, 6, 2, 20);
		assertThat(lines(output)).as("the same advice is not repeated").hasSize(2);
	}

	@Test
	void waitsAndCallersThatGaveUpAreCounted() {
		PoolAdvisor advisor = advisor();
		for (int i = 0; i < 5; i++) {
			advisor.recordWait(TimeUnit.SECONDS.toNanos(2));
		}
		advisor.recordTimeout();
		advisor.recordTimeout();
		feed(advisor, 21, 2, 1, 4, 20);

		Evidence evidence = advisor.advice().evidence();
		assertThat(evidence.timeouts()).isEqualTo(2);
		assertThat(evidence.waitMillisP99()).as("5 of 420 acquisitions waited 2 s").isBetween(1750L, 2250L);
		assertThat(evidence.borrowsPerSecond()).isEqualTo(20.0);
		assertThat(evidence.windowSeconds()).as("21 samples, 20 s between them").isEqualTo(20);
	}

	@Test
	void demandLeavesTheWindowASliceAtATime() {
		PoolAdvisor advisor = advisor();
		feed(advisor, 21, 2, 4, 2, 20);
		assertThat(advisor.advice().evidence().demandMax()).isEqualTo(6);
		feed(advisor, 20, 1, 0, 2, 20);
		assertThat(advisor.advice().evidence().demandMax()).as("within a window and a slice").isEqualTo(6);
		feed(advisor, 2, 1, 0, 2, 20);
		assertThat(advisor.advice().evidence().demandMax()).isEqualTo(1);
		assertThat(advisor.advice().evidence().windowSeconds()).isBetween(20L, 21L);
	}

	@Test
	void theServersLimitIsNotSharedByASingleInstance() {
		PoolAdvisor advisor = advisor();
		feed(advisor, 21, 2, 4, 2, 20, 100, 7, 12, List.of());

		assertThat(advisor.advice().evidence().serverBudget()).isEqualTo(7);
	}

	@Test
	void withoutAServerReadingThereIsNoBudget() {
		PoolAdvisor advisor = advisor();
		feed(advisor, 21, 2, 4, 2, 20, 100, null, null, List.of());

		assertThat(advisor.advice().evidence().serverBudget()).isNull();
		assertThat(advisor.advice().verdict()).isEqualTo(Verdict.GROW);
	}

	@Test
	void closingTheAdvisorGivesBackTheSamplersSession() {
		boolean[] closed = new boolean[1];
		LockWaits locks = new LockWaits() {

			@Override
			public Sessions sample() {
				return null;
			}

			@Override
			public void close() {
				closed[0] = true;
			}

		};
		advisor(Duration.ofSeconds(20), null, 1, locks).close();
		assertThat(closed[0]).isTrue();
	}

	@Test
	void beforeTheFirstSampleTheAdviceIsAsOfNow() {
		PoolAdvisor advisor = advisor();
		assertThat(advisor.advice().verdict()).isEqualTo(Verdict.NOT_ENOUGH_DATA);
		assertThat(advisor.advice().evidence().windowSeconds()).isZero();
	}

	@Test
	void aWindowOutsideTenSecondsToADayIsRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PoolAdvisor.Settings(Duration.ofSeconds(9), Duration.ofSeconds(1), null, 1, true));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PoolAdvisor.Settings(Duration.ofHours(25), Duration.ofSeconds(1), null, 1, true));
	}

	private static List<String> lines(CapturedOutput output) {
		return output.getOut().lines().filter((line) -> line.contains("advised-once - pool-size advice:")).toList();
	}

}
