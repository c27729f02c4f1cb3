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

import org.springframework.util.Assert;

/**
 * The utilization ratios at which a pool changes level, and the hysteresis that keeps a
 * pool hovering at a threshold from flapping: a level is entered at its threshold and
 * left only below the threshold minus the hysteresis.
 *
 * @param warning the warning threshold, above 0 and below {@code critical}
 * @param critical the critical threshold, at most 1
 * @param hysteresis how far below a threshold utilization must fall to leave its level,
 * from 0 to below {@code warning}
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record UtilizationThresholds(double warning, double critical, double hysteresis) {

	/**
	 * The defaults: warning at 80 %, critical at 95 %, left 5 points below.
	 */
	public static final UtilizationThresholds DEFAULTS = new UtilizationThresholds(0.80, 0.95, 0.05);

	/**
	 * Check the thresholds.
	 * @throws IllegalArgumentException if a value is out of its range
	 */
	public UtilizationThresholds {
		Assert.isTrue(warning > 0 && warning < critical,
				() -> "Invalid warning (" + warning + "): must be above 0 and below critical (" + critical + ")");
		Assert.isTrue(critical <= 1, () -> "Invalid critical (" + critical + "): must be at most 1");
		Assert.isTrue(hysteresis >= 0 && hysteresis < warning,
				() -> "Invalid hysteresis (" + hysteresis + "): must be from 0 to below warning (" + warning + ")");
	}

	/**
	 * Return the level a pool at the given utilization is in, given the level it was in.
	 * @param utilization the utilization, from 0 to 1
	 * @param current the level before
	 * @return the level now
	 */
	public UtilizationLevel levelFor(double utilization, UtilizationLevel current) {
		if (utilization >= this.critical) {
			return UtilizationLevel.CRITICAL;
		}
		if (current == UtilizationLevel.CRITICAL && utilization >= this.critical - this.hysteresis) {
			return UtilizationLevel.CRITICAL;
		}
		if (utilization >= this.warning) {
			return UtilizationLevel.WARNING;
		}
		if (current != UtilizationLevel.NORMAL && utilization >= this.warning - this.hysteresis) {
			return UtilizationLevel.WARNING;
		}
		return UtilizationLevel.NORMAL;
	}

	/**
	 * Return the threshold of a level.
	 * @param level the level
	 * @return its threshold, 0 for {@link UtilizationLevel#NORMAL}
	 */
	public double thresholdOf(UtilizationLevel level) {
		return switch (level) {
			case NORMAL -> 0;
			case WARNING -> this.warning;
			case CRITICAL -> this.critical;
		};
	}

}
