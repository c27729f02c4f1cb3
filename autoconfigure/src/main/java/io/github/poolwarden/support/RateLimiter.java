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

package io.github.poolwarden.support;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets one event through per interval and counts the ones it held back, so that a storm
 * of failures gives a bounded number of log lines. Thread-safe and lock-free.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class RateLimiter {

	private final long intervalNanos;

	private final LongSupplier clock;

	private final AtomicLong next;

	private final AtomicLong heldBack = new AtomicLong();

	/**
	 * Create a limiter whose first event passes.
	 * @param interval the shortest time between two events that pass
	 */
	public RateLimiter(Duration interval) {
		this(interval, System::nanoTime);
	}

	/**
	 * Create a limiter whose first event passes, on a clock of the caller's.
	 * @param interval the shortest time between two events that pass
	 * @param clock the time in nanoseconds, as {@link System#nanoTime()}
	 */
	public RateLimiter(Duration interval, LongSupplier clock) {
		this.intervalNanos = interval.toNanos();
		this.clock = clock;
		this.next = new AtomicLong(clock.getAsLong());
	}

	/**
	 * Ask to let an event through.
	 * @return -1 when the event is held back; otherwise how many were held back since
	 * the last one that passed
	 */
	public long tryPass() {
		long now = this.clock.getAsLong();
		long due = this.next.get();
		if (now - due >= 0 && this.next.compareAndSet(due, now + this.intervalNanos)) {
			return this.heldBack.getAndSet(0);
		}
		this.heldBack.incrementAndGet();
		return -1;
	}

}
