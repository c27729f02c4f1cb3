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

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What a piece of advice stands on: demand over the window as far as it was observed.
 *
 * @param windowSeconds how much of the window was observed, in seconds
 * @param borrowsPerSecond borrows per second over that time
 * @param holdMillisP50 the median hold time, from the borrows whose call site was
 * captured, or {@code null} when none was
 * @param holdMillisP99 the 99th percentile hold time, likewise
 * @param holdMillisMean the mean hold time by Little's law (time-weighted active
 * connections over borrows per second), or {@code null} without borrows
 * @param demandP50 connections in use plus callers waiting, time-weighted median
 * @param demandP99 the same, 99th percentile
 * @param demandMax the same, the largest seen
 * @param waitMillisMean the mean wait for a connection by Little's law (time-weighted
 * waiting callers over borrows per second), or {@code null} without borrows
 * @param waitMillisP99 the 99th percentile wait for a connection, timed on the
 * acquisitions that outlasted the retry's first attempt; those served within it count
 * as no wait, so this is a floor, exact once more than 1 % of acquisitions outlast the
 * first attempt ({@code null} with the retry off)
 * @param timeouts callers that gave up waiting
 * @param nestedBorrows borrows by threads that already held a connection of the pool
 * @param serverBudget connections the server can give this instance (its limit less
 * other clients and reserved slots, shared among the instances), or {@code null} when
 * not known
 * @param workerCeiling the most threads that can ask at once (the web server's worker
 * threads), or {@code null} when not known (virtual threads have none)
 * @param lockWaitShare of the pool's sessions sampled while it was saturated, the share
 * waiting on a lock (PostgreSQL), or {@code null} when not sampled
 * @param topCallSites the call sites with the largest share of connection-time
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record Evidence(long windowSeconds, double borrowsPerSecond, @Nullable Long holdMillisP50,
		@Nullable Long holdMillisP99, @Nullable Long holdMillisMean, int demandP50, int demandP99, int demandMax,
		@Nullable Long waitMillisMean, @Nullable Long waitMillisP99, long timeouts, long nestedBorrows, @Nullable Integer serverBudget,
		@Nullable Integer workerCeiling, @Nullable Double lockWaitShare, List<CallSiteShare> topCallSites) {

	/**
	 * A call site's share of the connection-time in the window, sampled at the watch's
	 * pace.
	 *
	 * @param callSite where the connections were borrowed, or {@code an unrecorded call
	 * site}
	 * @param share its share of the connection-time, between 0 and 1
	 * @param typicalHoldMillis the mean age of its connections when sampled (at least
	 * what it was: ages are known to within one sample interval)
	 * @author PoolWarden authors
	 * @since 0.1.0
	 */
	public record CallSiteShare(String callSite, double share, long typicalHoldMillis) {
	}

}
