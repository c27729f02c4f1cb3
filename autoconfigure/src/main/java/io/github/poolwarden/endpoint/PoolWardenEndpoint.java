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

package io.github.poolwarden.endpoint;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.PoolReading;
import io.github.poolwarden.pool.PoolSnapshot;
import io.github.poolwarden.tracking.ConnectionHolder;
import io.github.poolwarden.tracking.ConnectionTracker;
import io.github.poolwarden.tracking.HolderSummary;
import io.github.poolwarden.utilization.UtilizationState;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code GET /actuator/poolwarden}: for every guarded pool, its state and the current
 * holders of its connections (thread, how long, call site). Never SQL, parameter
 * values, URLs or passwords. Reads the pool's MXBeans and PoolWarden's registry only: it
 * never borrows a connection.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
@Endpoint(id = "poolwarden")
public class PoolWardenEndpoint {

	private final GuardedPools pools;

	/**
	 * Create an endpoint.
	 * @param pools the guarded pools
	 */
	public PoolWardenEndpoint(GuardedPools pools) {
		this.pools = pools;
	}

	/**
	 * Report every pool.
	 * @return the report
	 */
	@ReadOperation
	public PoolsReport pools() {
		Map<String, PoolReport> reports = new LinkedHashMap<>();
		for (GuardedDataSource pool : this.pools.asMap().values()) {
			reports.put(pool.getPoolName(), report(pool));
		}
		return new PoolsReport(reports);
	}

	private static PoolReport report(GuardedDataSource pool) {
		PoolReading reading = pool.read();
		PoolSnapshot snapshot = reading.snapshot();
		UtilizationState utilization = reading.utilization();
		PoolState state = new PoolState(snapshot.active(), snapshot.idle(), snapshot.total(), snapshot.waiting(),
				snapshot.max(), snapshot.capacity(), Math.round(snapshot.utilization() * 1000) / 1000.0,
				utilization.level().tagValue(), utilization.held());
		ConnectionTracker tracker = pool.getTracker();
		if (tracker == null || !tracker.isTrackingHolders()) {
			return new PoolReport(state, null, List.of(), List.of(), null);
		}
		List<ConnectionHolder> holders = tracker.holders();
		List<HolderReport> holderReports = holders.stream()
			.map((holder) -> new HolderReport(holder.thread(), holder.heldFor().toMillis(),
					HolderSummary.age(holder.heldFor()), holder.borrowedAt().toString(), holder.callSite(),
					holder.waitingAt()))
			.toList();
		return new PoolReport(state,
				new Tracking(tracker.borrowed(), tracker.returned(), tracker.abandoned(), tracker.longHolds(),
						tracker.nestedAcquisitions()),
				HolderSummary.lines(holders), holderReports, HolderSummary.nested(holders));
	}

	/**
	 * Every pool, by pool name.
	 *
	 * @param pools the pools
	 */
	public record PoolsReport(Map<String, PoolReport> pools) {
	}

	/**
	 * One pool.
	 *
	 * @param state the pool's counts and level
	 * @param tracking the tracker's counters, or {@code null} when tracking is off
	 * @param byCallSite the holders grouped by call site, oldest group first
	 * @param holders every current holder, oldest first
	 * @param nested the holders that are waiting for another connection of the same pool
	 * (thread and both call sites), or {@code null} when none is
	 */
	public record PoolReport(PoolState state, @Nullable Tracking tracking, List<String> byCallSite,
			List<HolderReport> holders, @Nullable String nested) {
	}

	/**
	 * A pool's counts and utilization level.
	 *
	 * @param active connections in use
	 * @param idle connections idle
	 * @param total connections open
	 * @param waiting threads waiting
	 * @param max the maximum pool size
	 * @param capacity the connections the pool can really have (below {@code max} when
	 * the server cannot give more)
	 * @param utilization active / capacity
	 * @param level normal, warning or critical
	 * @param levelHeld why the level is above what the utilization alone gives (the
	 * hysteresis or the hold-down keeps it), or {@code null} when it is not
	 */
	public record PoolState(int active, int idle, int total, int waiting, int max, int capacity, double utilization,
			String level, @Nullable String levelHeld) {
	}

	/**
	 * The tracker's counters.
	 *
	 * @param borrowed connections borrowed
	 * @param returned connections returned
	 * @param abandoned connections given up after the pool closed them behind their
	 * holder's back and the holder never returned them
	 * @param longHolds connections held past the long-hold threshold
	 * @param nested acquisitions made by a thread that already held a connection of the
	 * pool
	 */
	public record Tracking(long borrowed, long returned, long abandoned, long longHolds, long nested) {
	}

	/**
	 * One holder.
	 *
	 * @param thread the holding thread's name
	 * @param heldForMillis how long it has been held, in milliseconds
	 * @param heldFor the same, briefly
	 * @param borrowedAt when it was borrowed
	 * @param callSite where it was borrowed, or {@code null} when not captured
	 * @param waitingAt where the same thread waits for another connection of the pool,
	 * or {@code null} when it does not
	 */
	public record HolderReport(String thread, long heldForMillis, String heldFor, String borrowedAt,
			@Nullable String callSite, @Nullable String waitingAt) {
	}

}
