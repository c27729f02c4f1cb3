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

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import io.github.poolwarden.PoolSnapshot;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The utilization level of one pool: snapshots in, a transition out when the level
 * changes. Pure: no clock, no I/O, no logging. Thread-safe.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class UtilizationMonitor {

	private final UtilizationThresholds thresholds;

	private final Map<UtilizationLevel, LongAdder> entries = new EnumMap<>(UtilizationLevel.class);

	private volatile UtilizationLevel level = UtilizationLevel.NORMAL;

	/**
	 * Create a monitor in the {@link UtilizationLevel#NORMAL} level.
	 * @param thresholds the thresholds
	 */
	public UtilizationMonitor(UtilizationThresholds thresholds) {
		Assert.notNull(thresholds, "'thresholds' must not be null");
		this.thresholds = thresholds;
		for (UtilizationLevel each : UtilizationLevel.values()) {
			this.entries.put(each, new LongAdder());
		}
	}

	/**
	 * Evaluate a snapshot.
	 * @param snapshot the pool's state
	 * @return the transition, or {@code null} when the level did not change
	 */
	public synchronized @Nullable UtilizationTransition evaluate(PoolSnapshot snapshot) {
		UtilizationLevel from = this.level;
		UtilizationLevel to = this.thresholds.levelFor(snapshot.utilization(), from);
		if (to == from) {
			return null;
		}
		this.level = to;
		this.entries.get(to).increment();
		return new UtilizationTransition(snapshot, from, to);
	}

	/**
	 * Return the current level.
	 * @return the level
	 */
	public UtilizationLevel level() {
		return this.level;
	}

	/**
	 * Return how many times the pool entered a level.
	 * @param level the level
	 * @return the count
	 */
	public long entries(UtilizationLevel level) {
		return this.entries.get(level).sum();
	}

	/**
	 * Return the thresholds.
	 * @return the thresholds
	 */
	public UtilizationThresholds thresholds() {
		return this.thresholds;
	}

}
