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

package io.github.poolwarden.pool;

/**
 * The state of a pool at one moment, as HikariCP's MXBeans report it.
 *
 * @param pool the pool name
 * @param active connections in use
 * @param idle connections waiting in the pool
 * @param total connections open, in use or not
 * @param waiting threads waiting for a connection
 * @param max the pool's {@code maximumPoolSize}
 * @param capacity how many connections the pool can really have: {@code max}, or fewer
 * when the server, the database or the role cannot give more
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record PoolSnapshot(String pool, int active, int idle, int total, int waiting, int max, int capacity) {

	/**
	 * Create a snapshot of a pool whose capacity is its maximum size.
	 * @param pool the pool name
	 * @param active connections in use
	 * @param idle connections waiting in the pool
	 * @param total connections open
	 * @param waiting threads waiting for a connection
	 * @param max the pool's {@code maximumPoolSize}
	 */
	public PoolSnapshot(String pool, int active, int idle, int total, int waiting, int max) {
		this(pool, active, idle, total, waiting, max, max);
	}

	/**
	 * Return this snapshot with a lower capacity.
	 * @param capacity the connections the pool can really have
	 * @return the snapshot, capped
	 */
	public PoolSnapshot withCapacity(int capacity) {
		int capped = Math.max(0, Math.min(this.max, capacity));
		return (capped == this.capacity) ? this
				: new PoolSnapshot(this.pool, this.active, this.idle, this.total, this.waiting, this.max, capped);
	}

	/**
	 * Return this snapshot with more threads waiting: a caller between two waits in the
	 * pool's queue is not counted by the pool, yet waits all the same.
	 * @param more the threads to add
	 * @return the snapshot
	 */
	public PoolSnapshot plusWaiting(int more) {
		return new PoolSnapshot(this.pool, this.active, this.idle, this.total, this.waiting + more, this.max,
				this.capacity);
	}

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
	 * Return the share of the pool in use: {@code active / capacity}, from 0 to 1. The
	 * capacity is {@code maximumPoolSize} unless the server cannot give that many.
	 * @return the utilization
	 */
	public double utilization() {
		if (this.capacity <= 0) {
			return (this.active > 0) ? 1.0 : 0.0;
		}
		return Math.min(1.0, (double) this.active / this.capacity);
	}

	/**
	 * Whether the pool is saturated: no idle connection, and as many open as it can have.
	 * @return whether every connection the pool can have is in use
	 */
	public boolean saturated() {
		return this.idle == 0 && this.capacity > 0 && this.active >= this.capacity;
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
		return "active=" + this.active + ", idle=" + this.idle + ", waiting=" + this.waiting + ", max=" + this.max
				+ ((this.capacity < this.max) ? ", server capacity=" + this.capacity : "");
	}

}
