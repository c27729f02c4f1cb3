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
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import io.github.poolwarden.pool.PoolSnapshot;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The utilization level of one pool: snapshots in, a transition out when the level
 * changes. Pure: the time is passed in, nothing is logged. Thread-safe.
 * <p>
 * A level is entered as soon as utilization reaches its threshold. It is left only
 * after utilization has stayed at or below the level's exit point (the threshold less
 * the hysteresis, and at least one connection less) for the whole hold-down period, so
 * a small pool whose utilization jumps between 50 % and 100 % enters critical once and
 * stays there while it keeps coming back, rather than logging every jump.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class UtilizationMonitor {

	private final UtilizationThresholds thresholds;

	private final long holdDownNanos;

	private final Map<UtilizationLevel, LongAdder> entries = new EnumMap<>(UtilizationLevel.class);

	private volatile UtilizationLevel level = UtilizationLevel.NORMAL;

	/**
	 * When utilization last went below each level's exit point, and has stayed there
	 * since; 0 when it is not below. Indexed by level ordinal.
	 */
	private final long[] belowSince = new long[UtilizationLevel.values().length];

	/**
	 * Create a monitor in the {@link UtilizationLevel#NORMAL} level that leaves a level
	 * at the first evaluation below its exit point.
	 * @param thresholds the thresholds
	 */
	public UtilizationMonitor(UtilizationThresholds thresholds) {
		this(thresholds, Duration.ZERO);
	}

	/**
	 * Create a monitor in the {@link UtilizationLevel#NORMAL} level.
	 * @param thresholds the thresholds
	 * @param holdDown how long utilization must stay below a level before it is left
	 */
	public UtilizationMonitor(UtilizationThresholds thresholds, Duration holdDown) {
		Assert.notNull(thresholds, "'thresholds' must not be null");
		Assert.isTrue(holdDown != null && !holdDown.isNegative(), "'holdDown' must be zero or positive");
		this.thresholds = thresholds;
		this.holdDownNanos = holdDown.toNanos();
		for (UtilizationLevel each : UtilizationLevel.values()) {
			this.entries.put(each, new LongAdder());
		}
	}

	/**
	 * Evaluate a snapshot.
	 * @param snapshot the pool's state
	 * @param nanoTime the time of the snapshot, as {@link System#nanoTime()} gives it
	 * @return the transition, or {@code null} when the level did not change
	 */
	public synchronized @Nullable UtilizationTransition evaluate(PoolSnapshot snapshot, long nanoTime) {
		UtilizationLevel from = this.level;
		double utilization = snapshot.utilization();
		UtilizationLevel reached = this.thresholds.levelReached(utilization);
		UtilizationLevel to;
		if (reached.compareTo(from) > 0) {
			to = reached;
			for (UtilizationLevel each : UtilizationLevel.values()) {
				if (each.compareTo(to) <= 0) {
					this.belowSince[each.ordinal()] = 0;
				}
			}
		}
		else {
			trackTimeBelow(utilization, snapshot.capacity(), nanoTime);
			to = from;
			while (to != UtilizationLevel.NORMAL && heldDownLongEnough(to, nanoTime)) {
				to = UtilizationLevel.values()[to.ordinal() - 1];
			}
		}
		if (to == from) {
			return null;
		}
		this.level = to;
		this.entries.get(to).increment();
		return new UtilizationTransition(snapshot, from, to);
	}

	private void trackTimeBelow(double utilization, int capacity, long nanoTime) {
		for (UtilizationLevel each : UtilizationLevel.values()) {
			if (each == UtilizationLevel.NORMAL || each.compareTo(this.level) > 0) {
				continue;
			}
			if (!this.thresholds.isBelow(each, utilization, capacity)) {
				this.belowSince[each.ordinal()] = 0;
			}
			else if (this.belowSince[each.ordinal()] == 0) {
				// 0 means "not below": a real time of 0 is nudged by a nanosecond.
				this.belowSince[each.ordinal()] = (nanoTime != 0) ? nanoTime : 1;
			}
		}
	}

	private boolean heldDownLongEnough(UtilizationLevel level, long nanoTime) {
		long since = this.belowSince[level.ordinal()];
		return since != 0 && nanoTime - since >= this.holdDownNanos;
	}

	/**
	 * Describe the level for a snapshot taken now, without evaluating it: the level,
	 * and whether (and why) it is held above what the snapshot alone would give.
	 * @param snapshot the pool's state
	 * @param nanoTime the time of the snapshot
	 * @return the state
	 */
	public synchronized UtilizationState state(PoolSnapshot snapshot, long nanoTime) {
		UtilizationLevel current = this.level;
		double utilization = snapshot.utilization();
		if (this.thresholds.levelReached(utilization).compareTo(current) >= 0) {
			return new UtilizationState(current, null);
		}
		long since = this.belowSince[current.ordinal()];
		String held;
		if (!this.thresholds.isBelow(current, utilization, snapshot.capacity())) {
			held = "utilization " + percent(utilization) + " is below the " + current.tagValue() + " threshold "
					+ percent(this.thresholds.thresholdOf(current)) + " but not at or below its exit point "
					+ percent(this.thresholds.exitPoint(current, snapshot.capacity())) + " (hysteresis)";
		}
		else {
			long below = (since != 0) ? Math.max(0, nanoTime - since) : 0;
			held = "utilization " + percent(utilization) + " has been at or below "
					+ percent(this.thresholds.exitPoint(current, snapshot.capacity())) + " for "
					+ Duration.ofNanos(below).toSeconds() + " s of the " + Duration.ofNanos(this.holdDownNanos).toSeconds()
					+ " s hold-down";
		}
		return new UtilizationState(current, held);
	}

	private static String percent(double ratio) {
		return Math.round(ratio * 100) + "%";
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

	/**
	 * Return how long utilization must stay below a level before it is left.
	 * @return the hold-down period
	 */
	public Duration holdDown() {
		return Duration.ofNanos(this.holdDownNanos);
	}

}
