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
 * What the pool looks like at one sample, as the watch reads it.
 *
 * @param nanoTime when, by {@link System#nanoTime()}
 * @param active connections in use
 * @param waiting callers waiting for one (in HikariCP's queue or for their turn)
 * @param max the pool's {@code maximumPoolSize}
 * @param borrows borrows since the pool started, or -1 when not counted (holders not
 * tracked)
 * @param nested borrows by threads that already held a connection, since the start
 * @param holders who holds the connections, with their call sites, when tracked
 * @param serverHeadroom how many connections the server can give this pool, or
 * {@code null} when not read
 * @param serverLimit the server's limit that applies to the pool (for all instances),
 * or {@code null} when not read
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record DemandSample(long nanoTime, int active, int waiting, int max, long borrows, long nested,
		List<Held> holders, @Nullable Integer serverHeadroom, @Nullable Integer serverLimit) {

	/**
	 * Return the demand: connections in use plus callers waiting.
	 * @return the demand
	 */
	public int demand() {
		return this.active + this.waiting;
	}

	/**
	 * One borrowed connection at the sample.
	 *
	 * @param thread the thread that borrowed it
	 * @param callSite where it was borrowed, or {@code null} when not captured
	 * @param heldNanos how long it has been held
	 * @param waitingAt where its thread waits for a second connection, or {@code null}
	 * @author PoolWarden authors
	 * @since 0.1.0
	 */
	public record Held(String thread, @Nullable String callSite, long heldNanos, @Nullable String waitingAt) {
	}

}
