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
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The edges of each rule: every threshold on both sides, so a rule that moved by one
 * would be seen.
 */
class SizingRulesTests {

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	private static final long WINDOW = 20 * SECOND;

	private static Evidence evidence(int demandP99, int demandMax, long timeouts, long nested,
			@Nullable Integer budget, @Nullable Integer workers, @Nullable Double locks,
			List<Evidence.CallSiteShare> sites, @Nullable Long holdP50) {
		return new Evidence(20, 50.0, holdP50, holdP50, 100L, 1, demandP99, demandMax, 10L, 20L, timeouts, nested,
				budget, workers, locks, sites);
	}

	private static DemandWindow.Demand demand(Evidence evidence, long observed, long borrows) {
		return new DemandWindow.Demand(evidence, WINDOW, 5 * SECOND, observed, borrows, 0, null, 0, null,
				evidence.demandMax(), false);
	}

	private static PoolAdvice advise(int max, Evidence evidence) {
		return SizingRules.advise("orders", max, demand(evidence, WINDOW, 1000));
	}

	@Test
	void confidenceIsHighWithTheWholeWindowAndAThousandBorrows() {
		Evidence evidence = evidence(2, 2, 0, 0, 100, null, null, List.of(), 100L);
		assertThat(SizingRules.confidence(demand(evidence, WINDOW * 9 / 10, 1000))).isEqualTo(Confidence.HIGH);
		assertThat(SizingRules.confidence(demand(evidence, WINDOW * 9 / 10 - 1, 1000))).isEqualTo(Confidence.MEDIUM);
		assertThat(SizingRules.confidence(demand(evidence, WINDOW, 999))).isEqualTo(Confidence.MEDIUM);
		assertThat(SizingRules.confidence(demand(evidence, WINDOW / 2, 100))).isEqualTo(Confidence.MEDIUM);
		assertThat(SizingRules.confidence(demand(evidence, WINDOW / 2 - 1, 100))).isEqualTo(Confidence.LOW);
		assertThat(SizingRules.confidence(demand(evidence, WINDOW, 99))).isEqualTo(Confidence.LOW);
	}

	@Test
	void tenSecondsObservedIsEnoughToJudge() {
		Evidence evidence = evidence(2, 2, 0, 0, 100, null, null, List.of(), 100L);
		assertThat(SizingRules.advise("orders", 10, demand(evidence, 10 * SECOND, 1000)).verdict())
			.isEqualTo(Verdict.KEEP);
		assertThat(SizingRules.advise("orders", 10, demand(evidence, 10 * SECOND - 1, 1000)).verdict())
			.isEqualTo(Verdict.NOT_ENOUGH_DATA);
	}

	@Test
	void aHundredBorrowsAreEnoughToJudge() {
		Evidence evidence = evidence(8, 8, 0, 0, 100, null, null, List.of(), 100L);
		assertThat(SizingRules.advise("orders", 4, demand(evidence, WINDOW, 100)).verdict()).isEqualTo(Verdict.GROW);
		assertThat(SizingRules.advise("orders", 4, demand(evidence, WINDOW, 99)).verdict())
			.isEqualTo(Verdict.NOT_ENOUGH_DATA);
	}

	@Test
	void aLeakIsHalfTheConnectionTimeHeldPastTheThreshold() {
		Evidence evidence = evidence(2, 2, 0, 0, 100, null, null, List.of(), 100L);
		PoolAdvice half = SizingRules.advise("orders", 2, new DemandWindow.Demand(evidence, WINDOW, 1500_000_000L,
				WINDOW, 1000, 0, "Orders.leak(Orders.java:1)", 0.5, null, 2, false));
		PoolAdvice less = SizingRules.advise("orders", 2, new DemandWindow.Demand(evidence, WINDOW, 5 * SECOND, WINDOW,
				1000, 0, "Orders.leak(Orders.java:1)", 0.499, null, 2, false));

		assertThat(half.verdict()).isEqualTo(Verdict.FIX_CODE);
		assertThat(half.message()).contains("50 % of the connection-time")
			.contains("held longer than 1500 ms (the long-hold threshold");
		assertThat(less.verdict()).isNotEqualTo(Verdict.FIX_CODE);
	}

	@Test
	void nestedBorrowsNeedThreadsPlusOneConnections() {
		Evidence evidence = evidence(3, 3, 0, 5, 100, null, null, List.of(), 100L);
		DemandWindow.Demand three = new DemandWindow.Demand(evidence, WINDOW, 5 * SECOND, WINDOW, 1000, 0, null, 0,
				"Audit.inner(Audit.java:2)", 3, false);
		assertThat(SizingRules.advise("orders", 3, three).verdict()).isEqualTo(Verdict.FIX_CODE);
		assertThat(SizingRules.advise("orders", 3, three).message())
			.contains("with 3 threads a pool needs 3 x (2 - 1) + 1 = 4");
		assertThat(SizingRules.advise("orders", 4, three).verdict()).isNotEqualTo(Verdict.FIX_CODE);
		Evidence capped = evidence(3, 3, 0, 5, 100, 2, null, List.of(), 100L);
		DemandWindow.Demand behindTwoWorkers = new DemandWindow.Demand(capped, WINDOW, 5 * SECOND, WINDOW, 1000, 0,
				null, 0, null, 3, false);
		assertThat(SizingRules.advise("orders", 3, behindTwoWorkers).verdict()).as("2 workers need 3")
			.isNotEqualTo(Verdict.FIX_CODE);
		assertThat(SizingRules.advise("orders", 2, behindTwoWorkers).message()).contains("an unrecorded call site");
	}

	@Test
	void aDominantCallSiteNeedsHalfTheTimeASecondAndTenTimesTheMedian() {
		List<Evidence.CallSiteShare> dominant = List.of(new Evidence.CallSiteShare("Report.export(Report.java:4)", 0.5,
				1000));
		assertThat(advise(4, evidence(8, 8, 0, 0, 100, null, null, dominant, 100L)).verdict())
			.isEqualTo(Verdict.FIX_CODE);
		assertThat(advise(4, evidence(8, 8, 0, 0, 100, null, null, dominant, 101L)).verdict()).as("under 10 x")
			.isEqualTo(Verdict.GROW);
		List<Evidence.CallSiteShare> lessThanHalf = List
			.of(new Evidence.CallSiteShare("Report.export(Report.java:4)", 0.499, 1000));
		assertThat(advise(4, evidence(8, 8, 0, 0, 100, null, null, lessThanHalf, 100L)).verdict())
			.isEqualTo(Verdict.GROW);
		List<Evidence.CallSiteShare> underASecond = List
			.of(new Evidence.CallSiteShare("Report.export(Report.java:4)", 0.9, 999));
		assertThat(advise(4, evidence(8, 8, 0, 0, 100, null, null, underASecond, 10L)).verdict())
			.isEqualTo(Verdict.GROW);
		List<Evidence.CallSiteShare> unrecorded = List
			.of(new Evidence.CallSiteShare(DemandWindow.UNRECORDED, 0.9, 5000));
		assertThat(advise(4, evidence(8, 8, 0, 0, 100, null, null, unrecorded, 10L)).verdict())
			.isEqualTo(Verdict.GROW);
		assertThat(advise(8, evidence(8, 8, 0, 0, 100, null, null, dominant, 100L)).verdict())
			.as("only while callers wait").isNotEqualTo(Verdict.FIX_CODE);
	}

	@Test
	void halfTheSessionsOnALockIsDatabaseBound() {
		assertThat(advise(4, evidence(8, 8, 0, 0, 100, null, 0.5, List.of(), 100L)).verdict())
			.isEqualTo(Verdict.DATABASE_BOUND);
		assertThat(advise(4, evidence(8, 8, 0, 0, 100, null, 0.5, List.of(), 100L)).message())
			.contains("50 % of the pool's sessions");
		assertThat(advise(4, evidence(8, 8, 0, 0, 100, null, 0.499, List.of(), 100L)).verdict())
			.isEqualTo(Verdict.GROW);
	}

	@Test
	void demandAtTheSizeIsNotGrowButTimeoutsWithDemandAboveItAre() {
		assertThat(advise(4, evidence(4, 8, 0, 0, 100, null, null, List.of(), 100L)).verdict())
			.isEqualTo(Verdict.KEEP);
		PoolAdvice gaveUp = advise(4, evidence(4, 8, 3, 0, 100, null, null, List.of(), 100L));
		assertThat(gaveUp.verdict()).isEqualTo(Verdict.GROW);
		assertThat(gaveUp.recommendedMaximumPoolSize()).isEqualTo(8);
		assertThat(advise(8, evidence(4, 8, 3, 0, 100, null, null, List.of(), 100L)).verdict()).isEqualTo(Verdict.KEEP);
	}

	@Test
	void theBudgetAndTheWorkersAreCeilingsNotTargets() {
		PoolAdvice atBudget = advise(4, evidence(8, 8, 0, 0, 8, null, null, List.of(), 100L));
		assertThat(atBudget.verdict()).isEqualTo(Verdict.GROW);
		assertThat(atBudget.recommendedMaximumPoolSize()).isEqualTo(8);
		PoolAdvice overBudget = advise(4, evidence(8, 8, 0, 0, 7, null, null, List.of(), 100L));
		assertThat(overBudget.verdict()).isEqualTo(Verdict.SERVER_LIMITED);
		assertThat(overBudget.recommendedMaximumPoolSize()).isEqualTo(7);
		PoolAdvice noRoom = advise(4, evidence(8, 8, 0, 0, 0, null, null, List.of(), 100L));
		assertThat(noRoom.recommendedMaximumPoolSize()).as("never below one").isEqualTo(1);
		PoolAdvice atWorkers = advise(4, evidence(8, 8, 0, 0, 100, 8, null, List.of(), 100L));
		assertThat(atWorkers.recommendedMaximumPoolSize()).isEqualTo(8);
		assertThat(atWorkers.message()).endsWith("set 8.");
		PoolAdvice noBudget = advise(4, evidence(8, 8, 0, 0, null, null, null, List.of(), 100L));
		assertThat(noBudget.message()).contains("the server's limit was not read; set 8.");
	}

	@Test
	void shrinkNeedsDemandAtMostHalfTheSizeForNineTenthsOfTheWindow() {
		PoolAdvice half = advise(20, evidence(10, 10, 0, 0, 100, null, null, List.of(), 100L));
		assertThat(half.verdict()).isEqualTo(Verdict.SHRINK);
		assertThat(half.recommendedMaximumPoolSize()).isEqualTo(15);
		assertThat(half.message()).contains("the server can give the other 5 to other clients");
		assertThat(advise(20, evidence(11, 11, 0, 0, 100, null, null, List.of(), 100L)).verdict())
			.isEqualTo(Verdict.KEEP);
		assertThat(advise(20, evidence(1, 1, 0, 0, 100, null, null, List.of(), 100L)).recommendedMaximumPoolSize())
			.as("at least 2").isEqualTo(2);
		assertThat(advise(3, evidence(1, 1, 0, 0, 100, null, null, List.of(), 100L)).verdict())
			.as("3 would shrink to 2: still smaller").isEqualTo(Verdict.SHRINK);
		assertThat(advise(2, evidence(1, 1, 0, 0, 100, null, null, List.of(), 100L)).verdict()).isEqualTo(Verdict.KEEP);
		assertThat(advise(20, evidence(2, 2, 1, 0, 100, null, null, List.of(), 100L)).verdict())
			.as("not after a timeout").isEqualTo(Verdict.KEEP);
		Evidence small = evidence(2, 2, 0, 0, 100, null, null, List.of(), 100L);
		assertThat(SizingRules.advise("orders", 20, demand(small, WINDOW * 9 / 10, 1000)).verdict())
			.isEqualTo(Verdict.SHRINK);
		assertThat(SizingRules.advise("orders", 20, demand(small, WINDOW * 9 / 10 - 1, 1000)).verdict())
			.isEqualTo(Verdict.KEEP);
	}

	@Test
	void theSentenceCarriesTheNumbers() {
		Evidence evidence = new Evidence(20, 180.0, 20L, 70L, 30L, 6, 14, 16, 5L, 40L, 0, 0, 40, null, null, List.of());
		PoolAdvice advice = SizingRules.advise("orders", 10, demand(evidence, WINDOW, 3600));

		assertThat(advice.message()).isEqualTo("pool 'orders' (max 10) saw demand p99 = 14 (active + waiting, max 16), "
				+ "180.0 borrows/s held 70 ms at p99; the server can give 40 per instance; set 14.");
		Evidence withoutHolds = new Evidence(20, 180.0, null, null, 30L, 6, 14, 16, 5L, 40L, 0, 0, 40, null, null,
				List.of());
		assertThat(SizingRules.advise("orders", 10, demand(withoutHolds, WINDOW, 3600)).message())
			.contains("180.0 borrows/s held 30 ms on average;");
		Evidence idle = new Evidence(20, 0.0, null, null, null, 0, 0, 0, null, null, 0, 0, 40, null, null, List.of());
		assertThat(SizingRules.advise("orders", 10, demand(idle, WINDOW, 0)).message())
			.startsWith("pool 'orders' (max 10) saw demand p99 = 0 (active + waiting, max 0); 0 borrows");
	}

	@Test
	void settingsAcceptTheEndsOfTheirRanges() {
		new PoolAdvisor.Settings(Duration.ofSeconds(10), Duration.ofMillis(1), null, 1, true);
		new PoolAdvisor.Settings(Duration.ofHours(24), Duration.ofMillis(1), null, 1, true);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PoolAdvisor.Settings(Duration.ofSeconds(10), Duration.ZERO, null, 1, true));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PoolAdvisor.Settings(Duration.ofSeconds(10), Duration.ofSeconds(-1), null, 1, true));
		assertThatIllegalArgumentException().isThrownBy(() -> new PoolAdvisor("",
				new PoolAdvisor.Settings(Duration.ofSeconds(10), Duration.ofSeconds(1), null, 1, true), null,
				System::nanoTime));
		assertThatIllegalArgumentException().isThrownBy(() -> new PoolAdvisor("orders", null, null, System::nanoTime));
	}

}
