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

package io.github.poolwarden.tracking;

/**
 * When the call site of a borrow is captured.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public enum CallSiteCapture {

	/**
	 * Never: holders are known by thread and age only. Costs nothing.
	 */
	NEVER,

	/**
	 * While the pool is at the warning utilization level or above. Costs nothing below
	 * it, but a connection borrowed while the pool was quiet (a leak, a long job) has no
	 * call site.
	 */
	ON_PRESSURE,

	/**
	 * The default: on every borrow while the pool borrows at most about a thousand times
	 * a second (so a leak taken while the pool is quiet is named), on a share of the
	 * borrows beyond that, and on every borrow while the pool is at the warning level or
	 * above, and for five minutes after a connection whose call site was not captured has
	 * been held past the long-hold threshold. Bounds the cost of capturing to about a
	 * thousand stacks a second per pool, whatever the load; see BENCHMARKS.md.
	 */
	ADAPTIVE,

	/**
	 * On every borrow: the JVM records the borrower's stack natively (as HikariCP's leak
	 * detection does), and PoolWarden turns it into a call site only when the holder is
	 * reported. Costs a few microseconds per borrow, growing with the stack's depth, as
	 * HikariCP's leak detection does; see BENCHMARKS.md.
	 */
	ALWAYS

}
