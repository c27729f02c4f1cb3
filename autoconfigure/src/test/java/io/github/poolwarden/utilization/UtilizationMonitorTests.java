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

package io.github.poolwarden.utilization;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.poolwarden.pool.PoolSnapshot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link UtilizationThresholds} and {@link UtilizationMonitor}: a pure state
 * machine fed snapshots and the time.
 */
class UtilizationMonitorTests {

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	private UtilizationMonitor monitor = new UtilizationMonitor(UtilizationThresholds.DEFAULTS);

	private long now = 1_000 * SECOND;

	private static PoolSnapshot active(int active, int max) {
		return new PoolSnapshot("unit", active, max - active, max, 0, max);
	}

	/**
	 * Feed one snapshot a second to a pool of 100 and return the levels entered.
	 */
	private List<UtilizationLevel> feed(int... actives) {
		return feedPool(100, actives);
	}

	private List<UtilizationLevel> feedPool(int max, int... actives) {
		List<UtilizationLevel> changes = new ArrayList<>();
		for (int active : actives) {
			this.now += SECOND;
			UtilizationTransition transition = this.monitor.evaluate(active(active, max), this.now);
			if (transition != null) {
				changes.add(transition.to());
			}
		}
		return changes;
	}

	@Test
	void entersLevelsAtTheirThresholds() {
		assertThat(feed(79, 80, 94, 95, 100)).containsExactly(UtilizationLevel.WARNING, UtilizationLevel.CRITICAL);
		assertThat(this.monitor.level()).isEqualTo(UtilizationLevel.CRITICAL);
	}

	@Test
	void hoveringAtAThresholdDoesNotFlap() {
		assertThat(feed(80, 79, 80, 76, 80, 79, 76, 80)).containsExactly(UtilizationLevel.WARNING);
	}

	@Test
	void leavesALevelOnlyAtOrBelowThresholdMinusHysteresis() {
		assertThat(feed(95, 91, 90)).containsExactly(UtilizationLevel.CRITICAL, UtilizationLevel.WARNING);
		assertThat(feed(76, 75)).containsExactly(UtilizationLevel.NORMAL);
	}

	@Test
	void theHysteresisIsAtLeastOneConnectionOnSmallPools() {
		assertThat(feedPool(10, 8, 7)).containsExactly(UtilizationLevel.WARNING, UtilizationLevel.NORMAL);
		this.monitor = new UtilizationMonitor(UtilizationThresholds.DEFAULTS);
		assertThat(feedPool(2, 2, 1, 2, 1, 2, 1)).containsExactly(UtilizationLevel.CRITICAL);
		assertThat(feedPool(2, 0)).containsExactly(UtilizationLevel.NORMAL);
	}

	@Test
	void fallsFromCriticalStraightToNormal() {
		assertThat(feed(100, 0)).containsExactly(UtilizationLevel.CRITICAL, UtilizationLevel.NORMAL);
	}

	@Test
	void staysSilentWhileTheLevelHolds() {
		feed(100);
		for (int i = 0; i < 3600; i++) {
			this.now += SECOND;
			assertThat(this.monitor.evaluate(active(100, 100), this.now)).isNull();
		}
	}

	@Test
	void leavesALevelOnlyAfterTheHoldDown() {
		this.monitor = new UtilizationMonitor(UtilizationThresholds.DEFAULTS, Duration.ofSeconds(60));

		assertThat(feedPool(2, 2)).containsExactly(UtilizationLevel.CRITICAL);
		assertThat(feedPool(2, new int[60])).isEmpty();
		assertThat(feedPool(2, 0)).containsExactly(UtilizationLevel.NORMAL);
	}

	@Test
	void aSmallPoolUnderSteadyLoadEntersCriticalOnceAndStays() {
		this.monitor = new UtilizationMonitor(UtilizationThresholds.DEFAULTS, Duration.ofSeconds(60));
		int[] load = new int[600];
		for (int i = 0; i < load.length; i++) {
			load[i] = (i % 3 == 0) ? 2 : (i % 3 == 1) ? 1 : 0;
		}

		assertThat(feedPool(2, load)).containsExactly(UtilizationLevel.CRITICAL);
	}

	@Test
	void aReturnAboveTheExitPointRestartsTheHoldDown() {
		this.monitor = new UtilizationMonitor(UtilizationThresholds.DEFAULTS, Duration.ofSeconds(10));
		feed(100);

		assertThat(feed(50, 50, 50, 50, 50, 50, 50, 50, 96, 50, 50, 50, 50, 50, 50, 50, 50, 50)).isEmpty();
		assertThat(feed(50, 50)).containsExactly(UtilizationLevel.NORMAL);
	}

	@Test
	void fromCriticalStepsDownToWarningWhenOnlyTheCriticalHoldDownHasPassed() {
		this.monitor = new UtilizationMonitor(UtilizationThresholds.DEFAULTS, Duration.ofSeconds(5));
		feed(100);

		assertThat(feed(85, 85, 85, 85, 85, 85)).containsExactly(UtilizationLevel.WARNING);
		assertThat(feed(10, 10, 10, 10, 10, 10)).containsExactly(UtilizationLevel.NORMAL);
	}

	@Test
	void stateSaysWhenTheHoldDownKeepsTheLevel() {
		this.monitor = new UtilizationMonitor(UtilizationThresholds.DEFAULTS, Duration.ofSeconds(60));
		feedPool(2, 2, 1, 0, 0);

		UtilizationState state = this.monitor.state(active(0, 2), this.now);

		assertThat(state.level()).isEqualTo(UtilizationLevel.CRITICAL);
		assertThat(state.held()).isEqualTo("utilization 0% has been at or below 45% for 1 s of the 60 s hold-down");
	}

	@Test
	void stateSaysWhenTheHysteresisKeepsTheLevel() {
		feed(100);

		UtilizationState state = this.monitor.state(active(93, 100), this.now);

		assertThat(state.level()).isEqualTo(UtilizationLevel.CRITICAL);
		assertThat(state.held()).contains("below the critical threshold 95%").contains("exit point 90% (hysteresis)");
	}

	@Test
	void stateIsNotHeldWhenUtilizationReachesTheLevel() {
		feed(100);

		assertThat(this.monitor.state(active(97, 100), this.now).isHeld()).isFalse();
		assertThat(new UtilizationMonitor(UtilizationThresholds.DEFAULTS).state(active(0, 100), this.now).isHeld())
			.isFalse();
	}

	@Test
	void countsEntriesPerLevel() {
		feed(80, 50, 95, 0, 96);

		assertThat(this.monitor.entries(UtilizationLevel.WARNING)).isOne();
		assertThat(this.monitor.entries(UtilizationLevel.CRITICAL)).isEqualTo(2);
		assertThat(this.monitor.entries(UtilizationLevel.NORMAL)).isEqualTo(2);
	}

	@Test
	void transitionCarriesSnapshotAndBothLevels() {
		PoolSnapshot snapshot = active(96, 100);

		UtilizationTransition transition = this.monitor.evaluate(snapshot, this.now);

		assertThat(transition).isNotNull();
		assertThat(transition.snapshot()).isSameAs(snapshot);
		assertThat(transition.from()).isEqualTo(UtilizationLevel.NORMAL);
		assertThat(transition.to()).isEqualTo(UtilizationLevel.CRITICAL);
		assertThat(transition.isRise()).isTrue();
		assertThat(transition.holders()).isEmpty();
		assertThat(transition.withHolders(List.of("1 held by X")).holders()).containsExactly("1 held by X");
	}

	@Test
	void utilizationOfAnEmptyOrNotStartedPoolIsZero() {
		assertThat(PoolSnapshot.notStarted("unit", 10).utilization()).isZero();
		assertThat(new PoolSnapshot("unit", 0, 0, 0, 0, 0).utilization()).isZero();
		assertThat(new PoolSnapshot("unit", 3, 0, 3, 0, 10).withCapacity(3).utilization()).isEqualTo(1.0);
	}

	@Test
	void equalThresholdsSkipTheWarningLevel() {
		this.monitor = new UtilizationMonitor(new UtilizationThresholds(0.9, 0.9, 0.05));

		assertThat(feed(89, 90)).containsExactly(UtilizationLevel.CRITICAL);
	}

	@Test
	void rejectsThresholdsOutOfRange() {
		assertThatIllegalArgumentException().isThrownBy(() -> new UtilizationThresholds(0, 0.95, 0.05))
			.withMessageContaining("warning");
		assertThatIllegalArgumentException().isThrownBy(() -> new UtilizationThresholds(0.96, 0.95, 0.05))
			.withMessageContaining("warning");
		assertThatIllegalArgumentException().isThrownBy(() -> new UtilizationThresholds(0.8, 1.5, 0.05))
			.withMessageContaining("critical");
		assertThatIllegalArgumentException().isThrownBy(() -> new UtilizationThresholds(0.8, 0.95, 1.0))
			.withMessageContaining("hysteresis");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new UtilizationMonitor(UtilizationThresholds.DEFAULTS, Duration.ofSeconds(-1)));
	}

	@Test
	void rejectsMissingThresholdsAndANegativeHoldDown() {
		assertThatIllegalArgumentException().isThrownBy(() -> new UtilizationMonitor(null, Duration.ZERO))
			.withMessage("'thresholds' must not be null");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new UtilizationMonitor(UtilizationThresholds.DEFAULTS, Duration.ofMillis(-1)))
			.withMessage("'holdDown' must be zero or positive");
	}

}
