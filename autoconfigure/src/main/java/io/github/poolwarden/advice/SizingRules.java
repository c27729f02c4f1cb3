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

import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * The rules that turn a window of demand into a verdict, in the order they are tried;
 * the first that holds decides. Each threshold is a constant here, and the reasons are
 * in the project's decision record on pool-size advice.
 *
 * @author PoolWarden authors
 */
final class SizingRules {

	/**
	 * Less observed time than this is too little to judge, whatever the traffic.
	 */
	static final long MIN_OBSERVED_NANOS = TimeUnit.SECONDS.toNanos(10);

	/**
	 * Fewer borrows than this in the window is too little to judge a size on (a leak or
	 * a nested acquisition is judged before).
	 */
	static final long MIN_BORROWS = 100;

	/**
	 * A call site whose connections held past the leak threshold make this share of the
	 * connection-time is leaking.
	 */
	static final double LEAK_SHARE = 0.5;

	/**
	 * A call site with this share of the connection-time...
	 */
	static final double DOMINANT_SHARE = 0.5;

	/**
	 * ...whose connections are typically held this many times the pool's median hold...
	 */
	static final int DOMINANT_FACTOR = 10;

	/**
	 * ...and at least this long, decides a saturated pool's verdict.
	 */
	static final long DOMINANT_MIN_HOLD_MILLIS = 1000;

	/**
	 * The pool's sessions sampled waiting on a lock this share of the time is
	 * contention inside the database.
	 */
	static final double LOCK_SHARE = 0.5;

	/**
	 * Demand at most this share of the size for the whole window is well under it.
	 */
	static final double SHRINK_BELOW = 0.5;

	/**
	 * A shrunk pool keeps this much more than the highest demand seen.
	 */
	static final double SHRINK_HEADROOM = 1.5;

	private SizingRules() {
	}

	static PoolAdvice advise(String pool, int max, DemandWindow.Demand demand) {
		Evidence evidence = demand.evidence();
		Confidence confidence = confidence(demand);
		String seen = "pool '" + pool + "' (max " + max + ") saw demand p99 = " + evidence.demandP99()
				+ " (active + waiting, max " + evidence.demandMax() + ")" + traffic(evidence);
		if (demand.observedNanos() < MIN_OBSERVED_NANOS) {
			return advice(pool, Verdict.NOT_ENOUGH_DATA, max, max, Confidence.LOW, null, evidence,
					"pool '" + pool + "' (max " + max + ") has been watched for " + evidence.windowSeconds()
							+ " s, less than the 10 s it takes to judge; keep " + max + ".");
		}
		if (demand.leakSite() != null && demand.leakShare() >= LEAK_SHARE) {
			return advice(pool, Verdict.FIX_CODE, max, max, confidence, demand.leakSite(), evidence,
					seen + "; " + percent(demand.leakShare()) + " of the connection-time is connections held longer "
							+ "than " + seconds(demand.leakAfterNanos()) + " (the long-hold threshold, or half the "
							+ "window if shorter), borrowed at " + demand.leakSite() + ": close them there (a larger "
							+ "pool would only leak longer); keep " + max + ".");
		}
		if (evidence.nestedBorrows() > 0) {
			int threads = (evidence.workerCeiling() != null) ? Math.min(evidence.workerCeiling(), demand.threads())
					: demand.threads();
			int deadlockFree = threads + 1;
			if (max < deadlockFree) {
				String site = (demand.nestedSite() != null) ? demand.nestedSite() : "an unrecorded call site";
				return advice(pool, Verdict.FIX_CODE, max, max, confidence, site, evidence, seen + "; "
						+ evidence.nestedBorrows() + " borrows by threads already holding a connection, at " + site
						+ ": with " + threads + " threads a pool needs " + threads + " x (2 - 1) + 1 = " + deadlockFree
						+ " to never deadlock (HikariCP's rule); use the connection already held, or take the second "
						+ "borrow out of the first; keep " + max + ".");
			}
		}
		boolean saturated = evidence.demandP99() > max || (evidence.timeouts() > 0 && evidence.demandMax() > max);
		Evidence.@Nullable CallSiteShare dominant = dominant(evidence);
		if (saturated && dominant != null) {
			return advice(pool, Verdict.FIX_CODE, max, max, confidence, dominant.callSite(), evidence,
					seen + "; " + percent(dominant.share()) + " of the connection-time is held at "
							+ dominant.callSite() + ", typically " + dominant.typicalHoldMillis() + " ms against "
							+ evidence.holdMillisP50() + " ms for the pool: shorten that work or move it out of the "
							+ "transaction before adding connections; keep " + max + ".");
		}
		if (demand.borrows() < MIN_BORROWS) {
			return advice(pool, Verdict.NOT_ENOUGH_DATA, max, max, Confidence.LOW, null, evidence,
					seen + "; " + demand.borrows() + " borrows are too few to judge; keep " + max + ".");
		}
		if (saturated) {
			Double locks = evidence.lockWaitShare();
			if (locks != null && locks >= LOCK_SHARE) {
				return advice(pool, Verdict.DATABASE_BOUND, max, max, confidence, null, evidence, seen + "; "
						+ percent(locks) + " of the pool's sessions sampled were waiting on a lock in the database: "
						+ "more connections would wait there too; find the lock (pg_locks, pg_blocking_pids) and keep "
						+ max + ".");
			}
			if (demand.throughputFlat()) {
				return advice(pool, Verdict.DATABASE_BOUND, max, max, confidence, null, evidence, seen
						+ "; more active connections brought no more borrows per second, so holds grew with the "
						+ "number active: the database is the bottleneck, not the pool; keep " + max + ".");
			}
			int needed = Math.max(evidence.demandP99(), (evidence.timeouts() > 0) ? evidence.demandMax() : 0);
			Integer workers = evidence.workerCeiling();
			String capped = "";
			if (workers != null && needed > workers) {
				needed = workers;
				capped = " (no more than the " + workers + " worker threads that can ask)";
			}
			Integer budget = evidence.serverBudget();
			if (budget != null && needed > budget) {
				return advice(pool, Verdict.SERVER_LIMITED, max, Math.max(1, budget), confidence, null, evidence,
						seen + "; it needs " + needed + " but the server can give " + budget + " per instance; set "
								+ Math.max(1, budget) + ", and for the rest shorten the holds, put PgBouncer in "
								+ "front of the server, run fewer replicas or raise the server's limit.");
			}
			if (needed > max) {
				return advice(pool, Verdict.GROW, max, needed, confidence, null, evidence,
						seen + "; " + server(budget) + "; set " + needed + capped + ".");
			}
		}
		if (demand.observedNanos() >= demand.windowNanos() * 9 / 10 && evidence.timeouts() == 0
				&& evidence.demandMax() <= max * SHRINK_BELOW) {
			int smaller = Math.max(2, (int) Math.ceil(evidence.demandMax() * SHRINK_HEADROOM));
			if (smaller < max) {
				return advice(pool, Verdict.SHRINK, max, smaller, confidence, null, evidence,
						seen + " over the whole window, never more than " + evidence.demandMax() + " of " + max
								+ "; set " + smaller + " and the server can give the other " + (max - smaller)
								+ " to other clients.");
			}
		}
		return advice(pool, Verdict.KEEP, max, max, confidence, null, evidence, seen + "; " + server(evidence.serverBudget())
				+ "; keep " + max + ".");
	}

	private static Evidence.@Nullable CallSiteShare dominant(Evidence evidence) {
		if (evidence.topCallSites().isEmpty()) {
			return null;
		}
		Evidence.CallSiteShare top = evidence.topCallSites().get(0);
		Long typical = (evidence.holdMillisP50() != null) ? evidence.holdMillisP50() : evidence.holdMillisMean();
		if (top.share() < DOMINANT_SHARE || typical == null || top.callSite().equals(DemandWindow.UNRECORDED)
				|| top.callSite().equals(DemandWindow.OTHER_SITES)) {
			return null;
		}
		boolean farLonger = top.typicalHoldMillis() >= DOMINANT_MIN_HOLD_MILLIS
				&& top.typicalHoldMillis() >= DOMINANT_FACTOR * Math.max(1, typical);
		return farLonger ? top : null;
	}

	static Confidence confidence(DemandWindow.Demand demand) {
		if (demand.observedNanos() >= demand.windowNanos() * 9 / 10 && demand.borrows() >= 1000) {
			return Confidence.HIGH;
		}
		if (demand.observedNanos() >= demand.windowNanos() / 2 && demand.borrows() >= MIN_BORROWS) {
			return Confidence.MEDIUM;
		}
		return Confidence.LOW;
	}

	private static String traffic(Evidence evidence) {
		if (evidence.borrowsPerSecond() <= 0) {
			return "";
		}
		String held = (evidence.holdMillisP99() != null) ? " held " + evidence.holdMillisP99() + " ms at p99"
				: (evidence.holdMillisMean() != null) ? " held " + evidence.holdMillisMean() + " ms on average" : "";
		return ", " + evidence.borrowsPerSecond() + " borrows/s" + held;
	}

	private static String server(@Nullable Integer budget) {
		return (budget != null) ? "the server can give " + budget + " per instance"
				: "the server's limit was not read";
	}

	private static String seconds(long nanos) {
		long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
		return (millis % 1000 == 0) ? (millis / 1000) + " s" : millis + " ms";
	}

	private static String percent(double share) {
		return Math.round(share * 100) + " %";
	}

	private static PoolAdvice advice(String pool, Verdict verdict, int max, int recommended, Confidence confidence,
			@Nullable String callSite, Evidence evidence, String message) {
		return new PoolAdvice(pool, verdict, max, recommended, confidence, message, callSite, evidence);
	}

}
