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

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.github.poolwarden.pool.DatabaseProbe;
import io.github.poolwarden.pool.PoolSnapshot;
import io.github.poolwarden.retry.AcquisitionRetry;
import io.github.poolwarden.retry.Waiter;
import io.github.poolwarden.tracking.ConnectionTracker;
import io.github.poolwarden.tracking.HolderSummary;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Tells a stuck pool from a busy one. A pool is stuck when, for {@code stuckAfter}, no
 * borrow has completed and no connection has come back while callers waited, every
 * connection is held, and the database answers: nothing the pool does will free it. One
 * ERROR line says so, naming the holders and the oldest waiter; one INFO line says when a
 * borrow completes again. A saturated pool whose connections keep coming back is never
 * stuck.
 * <p>
 * Progress is read from what the tracker already records (the time of the latest return,
 * and the count of borrows, compared at each evaluation), so it costs the borrow and the
 * return nothing; the database is asked only once every other condition holds.
 *
 * @author PoolWarden authors
 */
final class StuckPoolCheck {

	private static final Log logger = LogFactory.getLog(StuckPoolCheck.class);

	private final String poolName;

	private final Duration stuckAfter;

	private final ConnectionTracker tracker;

	private final @Nullable AcquisitionRetry retry;

	private final LongSupplier clock;

	/**
	 * The latest progress seen: a return, or an evaluation that found more borrows than
	 * the one before.
	 */
	private long progressNanos;

	private long borrowsSeen = -1;

	private @Nullable StuckPool stuck;

	private long stuckProgressNanos;

	StuckPoolCheck(String poolName, Duration stuckAfter, ConnectionTracker tracker, @Nullable AcquisitionRetry retry,
			LongSupplier clock) {
		this.poolName = poolName;
		this.stuckAfter = stuckAfter;
		this.tracker = tracker;
		this.retry = retry;
		this.clock = clock;
		this.progressNanos = clock.getAsLong();
	}

	/**
	 * Evaluate whether the pool is stuck now.
	 * @param snapshot the pool's counts
	 * @param lastExhausted when a caller last found the pool exhausted, if ever
	 * @param database answers whether the database answers; asked only when every other
	 * condition holds
	 * @return the stuck pool, or {@code null} when it is not stuck
	 */
	@Nullable StuckPool evaluate(PoolSnapshot snapshot, OptionalLong lastExhausted,
			Supplier<DatabaseProbe.Answer> database) {
		long now = this.clock.getAsLong();
		long progress = progress(now);
		synchronized (this) {
			if (this.stuck != null) {
				if (progress - this.stuckProgressNanos > 0) {
					logger.info(this.poolName + " - no longer stuck: a borrow completed after "
							+ HolderSummary.age(Duration.ofNanos(Math.max(0, progress - this.stuckProgressNanos))));
					this.stuck = null;
					return null;
				}
				this.stuck = describe(snapshot, now - this.stuckProgressNanos);
				return this.stuck;
			}
		}
		long quiet = now - progress;
		if (quiet < this.stuckAfter.toNanos() || snapshot.idle() > 0 || snapshot.active() == 0) {
			return null;
		}
		boolean waited = snapshot.waiting() > 0 || (lastExhausted.isPresent()
				&& lastExhausted.getAsLong() - progress > 0 && now - lastExhausted.getAsLong() <= this.stuckAfter.toNanos());
		if (!waited || !database.get().answers(snapshot.total() > 0)) {
			return null;
		}
		synchronized (this) {
			if (this.stuck == null && progress == this.progressNanos) {
				this.stuckProgressNanos = progress;
				this.stuck = describe(snapshot, quiet);
				logger.error(message(this.stuck));
			}
			return this.stuck;
		}
	}

	synchronized @Nullable StuckPool current() {
		return this.stuck;
	}

	private synchronized long progress(long now) {
		long borrows = this.tracker.borrowed();
		if (this.borrowsSeen >= 0 && borrows != this.borrowsSeen) {
			this.progressNanos = now;
		}
		this.borrowsSeen = borrows;
		OptionalLong returned = this.tracker.latestReturn();
		if (returned.isPresent() && returned.getAsLong() - this.progressNanos > 0) {
			this.progressNanos = returned.getAsLong();
		}
		return this.progressNanos;
	}

	private StuckPool describe(PoolSnapshot snapshot, long quietNanos) {
		List<String> holders = HolderSummary.report(HolderSummary.reconcile(this.tracker.holders(), snapshot.active()));
		Waiter waiter = (this.retry != null) ? this.retry.oldestWaiter() : null;
		return new StuckPool(Duration.ofNanos(quietNanos), snapshot, holders, waiter);
	}

	private static String asProperty(Duration duration) {
		return (duration.toMillis() % 1000 == 0) ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
	}

	private String message(StuckPool stuck) {
		PoolSnapshot snapshot = stuck.snapshot();
		Waiter waiter = stuck.oldestWaiter();
		return this.poolName + " - stuck: no borrow has completed for " + HolderSummary.age(stuck.noProgressFor())
				+ " while callers waited for one (" + snapshot.describeCounts() + ")"
				+ ((waiter != null) ? ", the longest for " + HolderSummary.age(waiter.waitingFor()) + " (thread '"
						+ waiter.thread() + "')" : "")
				+ ", and the database answers: the pool cannot free up by itself. Held: "
				+ String.join("; ", stuck.holders()) + ". Health is DOWN (poolwarden.health.stuck-after="
				+ asProperty(this.stuckAfter) + ") until a borrow completes; fix the code that keeps these "
				+ "connections, or let a liveness probe restart the instance.";
	}

}
