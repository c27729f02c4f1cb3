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
 * left only at or below the threshold minus the hysteresis, and never less than one
 * connection below it, however small the pool.
 *
 * @param warning the warning threshold, above 0 and at most {@code critical}
 * @param critical the critical threshold, at most 1
 * @param hysteresis how far below a threshold utilization must fall to leave its level,
 * from 0 to below 1
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record UtilizationThresholds(double warning, double critical, double hysteresis) {

	/**
	 * The defaults: warning at 80 %, critical at 95 %, left 5 points (and at least one
	 * connection) below.
	 */
	public static final UtilizationThresholds DEFAULTS = new UtilizationThresholds(0.80, 0.95, 0.05);

	private static final double EPSILON = 1e-9;

	/**
	 * Check the thresholds.
	 * @throws IllegalArgumentException if a value is out of its range
	 */
	public UtilizationThresholds {
		Assert.isTrue(warning > 0 && warning <= critical,
				() -> "Invalid warning (" + warning + "): must be above 0 and at most critical (" + critical + ")");
		Assert.isTrue(critical <= 1, () -> "Invalid critical (" + critical + "): must be at most 1");
		Assert.isTrue(hysteresis >= 0 && hysteresis < 1,
				() -> "Invalid hysteresis (" + hysteresis + "): must be from 0 to below 1");
	}

	/**
	 * Return the highest level whose threshold the utilization reaches.
	 * @param utilization the utilization, from 0 to 1
	 * @return the level
	 */
	public UtilizationLevel levelReached(double utilization) {
		if (utilization >= this.critical - EPSILON) {
			return UtilizationLevel.CRITICAL;
		}
		if (utilization >= this.warning - EPSILON) {
			return UtilizationLevel.WARNING;
		}
		return UtilizationLevel.NORMAL;
	}

	/**
	 * Whether utilization is low enough to leave a level: at or below its threshold
	 * minus the hysteresis, and at least one connection below it.
	 * @param level the level, {@link UtilizationLevel#WARNING} or
	 * {@link UtilizationLevel#CRITICAL}
	 * @param utilization the utilization
	 * @param capacity the connections the pool can have
	 * @return whether the level may be left
	 */
	public boolean isBelow(UtilizationLevel level, double utilization, int capacity) {
		return utilization <= exitPoint(level, capacity) + EPSILON;
	}

	/**
	 * Return the utilization at or below which a level may be left.
	 * @param level the level
	 * @param capacity the connections the pool can have
	 * @return the exit point, never below 0
	 */
	public double exitPoint(UtilizationLevel level, int capacity) {
		double oneConnection = (capacity > 0) ? 1.0 / capacity : 0;
		return Math.max(0, thresholdOf(level) - Math.max(this.hysteresis, oneConnection));
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
