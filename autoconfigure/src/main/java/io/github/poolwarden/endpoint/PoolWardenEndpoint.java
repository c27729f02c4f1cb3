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

import io.github.poolwarden.advice.Evidence;
import io.github.poolwarden.advice.PoolAdvice;
import io.github.poolwarden.advice.PoolAdvisor;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.PoolReading;
import io.github.poolwarden.StuckPool;
import io.github.poolwarden.pool.DatabaseProbe;
import io.github.poolwarden.pool.PoolSnapshot;
import io.github.poolwarden.retry.Waiter;
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

	/**
	 * How many times a report reads the counts and the holders again when they disagree
	 * (a borrow or a return between the two readings).
	 */
	private static final int READINGS = 3;

	private static PoolReport report(GuardedDataSource pool) {
		ConnectionTracker tracker = pool.getTracker();
		boolean tracking = tracker != null && tracker.isTrackingHolders();
		PoolSnapshot snapshot = pool.snapshot();
		List<ConnectionHolder> recorded = tracking ? tracker.holders() : List.of();
		for (int i = 1; tracking && i < READINGS && recorded.size() != snapshot.active(); i++) {
			snapshot = pool.snapshot();
			recorded = tracker.holders();
		}
		PoolReading reading = pool.read(snapshot);
		UtilizationState utilization = reading.utilization();
		PoolState state = new PoolState(snapshot.active(), snapshot.idle(), snapshot.total(), snapshot.waiting(),
				snapshot.max(), snapshot.capacity(), Math.round(snapshot.utilization() * 1000) / 1000.0,
				utilization.level().tagValue(), utilization.held());
		DatabaseReport database = database(pool);
		StuckReport stuck = stuck(pool.stuck(snapshot));
		AdviceReport advice = advice(pool);
		if (!tracking) {
			return new PoolReport(state, database, stuck, advice, null, List.of(), List.of(), null, pool.getNotes());
		}
		List<ConnectionHolder> holders = HolderSummary.reconcile(recorded, snapshot.active());
		List<HolderReport> holderReports = holders.stream()
			.map((holder) -> new HolderReport(holder.thread(), holder.heldFor().toMillis(),
					HolderSummary.age(holder.heldFor()), holder.borrowedAt().toString(), holder.callSite(),
					holder.waitingAt()))
			.toList();
		return new PoolReport(state, database, stuck, advice,
				new Tracking(tracker.borrowed(), tracker.returned(), tracker.abandoned(), tracker.longHolds(),
						tracker.nestedAcquisitions()),
				HolderSummary.lines(holders), holderReports, HolderSummary.nested(holders), pool.getNotes());
	}

	private static @Nullable DatabaseReport database(GuardedDataSource pool) {
		DatabaseProbe probe = pool.getDatabaseProbe();
		if (probe == null) {
			return null;
		}
		DatabaseProbe.Answer answer = probe.check();
		return new DatabaseReport(answer.state().name(), answer.description(), answer.source().tagValue(),
				probe.ageOf(answer).toMillis(), probe.answers(DatabaseProbe.Source.NEW_CONNECTION),
				probe.answers(DatabaseProbe.Source.IDLE_CONNECTION));
	}

	private static @Nullable AdviceReport advice(GuardedDataSource pool) {
		PoolAdvisor advisor = pool.getAdvisor();
		if (advisor == null) {
			return null;
		}
		PoolAdvice advice = advisor.advice();
		return new AdviceReport(advice.verdict().value(), advice.currentMaximumPoolSize(),
				advice.recommendedMaximumPoolSize(), advice.confidence().value(), advice.message(), advice.callSite(),
				advice.evidence());
	}

	private static @Nullable StuckReport stuck(@Nullable StuckPool stuck) {
		if (stuck == null) {
			return null;
		}
		Waiter waiter = stuck.oldestWaiter();
		return new StuckReport(stuck.noProgressFor().toMillis(), HolderSummary.age(stuck.noProgressFor()),
				stuck.holders(), (waiter != null) ? waiter.thread() : null,
				(waiter != null) ? waiter.waitingFor().toMillis() : null);
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
	 * @param database whether the database answers, or {@code null} when it is not asked
	 * @param stuck the stuck pool, or {@code null} when it is not stuck
	 * @param tracking the tracker's counters, or {@code null} when tracking is off
	 * @param byCallSite the holders grouped by call site, oldest group first
	 * @param holders every current holder, oldest first
	 * @param nested the holders that are waiting for another connection of the same pool
	 * (thread and both call sites), or {@code null} when none is
	 * @param notes advice about settings the user did not choose (said once in the log)
	 */
	public record PoolReport(PoolState state, @Nullable DatabaseReport database, @Nullable StuckReport stuck,
			@Nullable AdviceReport advice, @Nullable Tracking tracking, List<String> byCallSite, List<HolderReport> holders, @Nullable String nested,
			List<String> notes) {
	}

	/**
	 * Whether the pool's database answers, as the health components see it, and what
	 * asking has cost it.
	 *
	 * @param state {@code UP}, {@code FULL}, {@code DOWN} or {@code UNKNOWN}
	 * @param description a short description
	 * @param by where the answer comes from: {@code pool-traffic}, {@code idle-connection},
	 * {@code new-connection}, {@code failed-borrow} or {@code no-answer-yet}
	 * @param ageMillis how old the answer is, in milliseconds
	 * @param newConnections how many connections were opened outside the pool to answer
	 * @param idleConnections how many idle connections of the pool were validated to answer
	 */
	/**
	 * What size the pool should have, from the demand of the advice window.
	 *
	 * @param verdict keep, grow, shrink, fix-code, server-limited, database-bound or
	 * not-enough-data
	 * @param currentMaximumPoolSize the size now
	 * @param recommendedMaximumPoolSize the size to set
	 * @param confidence low, medium or high
	 * @param message one sentence with the evidence and the number
	 * @param callSite the call site to fix, for fix-code
	 * @param evidence the numbers
	 */
	public record AdviceReport(String verdict, int currentMaximumPoolSize, int recommendedMaximumPoolSize,
			String confidence, String message, @Nullable String callSite, Evidence evidence) {
	}

	public record DatabaseReport(String state, String description, String by, long ageMillis, long newConnections,
			long idleConnections) {
	}

	/**
	 * A stuck pool: no borrow has completed for {@code poolwarden.health.stuck-after}
	 * while callers waited, every connection held and the database answering.
	 *
	 * @param noProgressForMillis how long no borrow has completed, in milliseconds
	 * @param noProgressFor the same, briefly
	 * @param holders the holders by call site
	 * @param oldestWaiter the thread that has waited longest, or {@code null} when none
	 * waits now or the waiters are not known
	 * @param oldestWaiterMillis how long it has waited, in milliseconds
	 */
	public record StuckReport(long noProgressForMillis, String noProgressFor, List<String> holders,
			@Nullable String oldestWaiter, @Nullable Long oldestWaiterMillis) {
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
