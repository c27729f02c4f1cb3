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

import java.util.ArrayList;
import java.util.List;

import io.github.poolwarden.PoolSnapshot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link UtilizationThresholds} and {@link UtilizationMonitor}.
 */
class UtilizationMonitorTests {

	private final UtilizationMonitor monitor = new UtilizationMonitor(UtilizationThresholds.DEFAULTS);

	private static PoolSnapshot active(int active) {
		return new PoolSnapshot("unit", active, 100 - active, 100, 0, 100);
	}

	private List<UtilizationLevel> feed(int... actives) {
		List<UtilizationLevel> changes = new ArrayList<>();
		for (int active : actives) {
			UtilizationTransition transition = this.monitor.evaluate(active(active));
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
		assertThat(feed(80, 79, 80, 76, 80, 79, 75, 80)).containsExactly(UtilizationLevel.WARNING);
	}

	@Test
	void leavesALevelOnlyBelowThresholdMinusHysteresis() {
		assertThat(feed(95, 91, 90, 89)).containsExactly(UtilizationLevel.CRITICAL, UtilizationLevel.WARNING);
		assertThat(feed(76, 75, 74)).containsExactly(UtilizationLevel.NORMAL);
	}

	@Test
	void fallsFromCriticalStraightToNormal() {
		assertThat(feed(100, 0)).containsExactly(UtilizationLevel.CRITICAL, UtilizationLevel.NORMAL);
	}

	@Test
	void staysSilentWhileTheLevelHolds() {
		feed(100);
		for (int i = 0; i < 3600; i++) {
			assertThat(this.monitor.evaluate(active(100))).isNull();
		}
		assertThat(this.monitor.entries(UtilizationLevel.CRITICAL)).isOne();
	}

	@Test
	void countsEntriesPerLevel() {
		feed(80, 0, 80, 100, 0);
		assertThat(this.monitor.entries(UtilizationLevel.WARNING)).isEqualTo(2);
		assertThat(this.monitor.entries(UtilizationLevel.CRITICAL)).isOne();
		assertThat(this.monitor.entries(UtilizationLevel.NORMAL)).isEqualTo(2);
	}

	@Test
	void transitionCarriesSnapshotAndBothLevels() {
		UtilizationTransition transition = this.monitor.evaluate(active(85));
		assertThat(transition.from()).isEqualTo(UtilizationLevel.NORMAL);
		assertThat(transition.to()).isEqualTo(UtilizationLevel.WARNING);
		assertThat(transition.snapshot().active()).isEqualTo(85);
		assertThat(transition.isRise()).isTrue();
	}

	@Test
	void utilizationOfAnEmptyOrNotStartedPoolIsZero() {
		assertThat(PoolSnapshot.notStarted("unit", 10).utilization()).isZero();
		assertThat(new PoolSnapshot("unit", 0, 0, 0, 0, 0).utilization()).isZero();
		assertThat(new PoolSnapshot("unit", 8, 2, 10, 0, 10).utilizationPercent()).isEqualTo(80);
	}

	@Test
	void rejectsThresholdsOutOfRange() {
		assertThatIllegalArgumentException().isThrownBy(() -> new UtilizationThresholds(0.95, 0.80, 0.05))
			.withMessageContaining("warning");
		assertThatIllegalArgumentException().isThrownBy(() -> new UtilizationThresholds(0.8, 1.2, 0.05))
			.withMessageContaining("critical");
		assertThatIllegalArgumentException().isThrownBy(() -> new UtilizationThresholds(0.8, 0.9, 0.9))
			.withMessageContaining("hysteresis");
	}

}
