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

package io.github.poolwarden;

/**
 * The state of a pool at one moment, as HikariCP's MXBeans report it.
 *
 * @param pool the pool name
 * @param active connections in use
 * @param idle connections waiting in the pool
 * @param total connections open, in use or not
 * @param waiting threads waiting for a connection
 * @param max the pool's {@code maximumPoolSize}
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record PoolSnapshot(String pool, int active, int idle, int total, int waiting, int max) {

	/**
	 * Return the snapshot of a pool that has not started yet.
	 * @param pool the pool name
	 * @param max the pool's {@code maximumPoolSize}
	 * @return a snapshot with every count at zero
	 */
	public static PoolSnapshot notStarted(String pool, int max) {
		return new PoolSnapshot(pool, 0, 0, 0, 0, max);
	}

	/**
	 * Return the share of the pool in use: {@code active / max}, from 0 to 1.
	 * @return the utilization
	 */
	public double utilization() {
		return (this.max > 0) ? Math.min(1.0, (double) this.active / this.max) : 0.0;
	}

	/**
	 * Return the utilization as a whole percentage, rounded down.
	 * @return the percentage
	 */
	public int utilizationPercent() {
		return (int) Math.floor(utilization() * 100 + 1e-9);
	}

	/**
	 * Describe the counts as {@code active=…, idle=…, waiting=…, max=…}.
	 * @return the description
	 */
	public String describeCounts() {
		return "active=" + this.active + ", idle=" + this.idle + ", waiting=" + this.waiting + ", max=" + this.max;
	}

}
