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

package io.github.poolwarden.watch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.lifecycle.CapacityChecker;
import io.github.poolwarden.pool.DatabaseProbe;
import io.github.poolwarden.tracking.ConnectionTracker;
import io.github.poolwarden.utilization.UtilizationListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * The periodic work over every guarded pool of a context, on one daemon thread
 * ({@code poolwarden-watch}), every sample interval:
 * <ul>
 * <li>{@linkplain #sampleUtilization(GuardedDataSource) samples utilization}, so a
 * crossing that lasts one interval is always seen (an acquisition that finds the pool
 * exhausted also evaluates it at once, on its own thread);</li>
 * <li>{@linkplain #reportLongHolds(GuardedDataSource) reports connections held past the
 * long-hold threshold} and forgets what the pool has closed;</li>
 * <li>tells a {@linkplain GuardedDataSource#stuck stuck} pool (one ERROR line when it
 * sticks, one INFO line when it moves again), also when nothing reads its health;</li>
 * <li>gives each pool's {@linkplain GuardedDataSource#sampleDemand() pool-size advisor}
 * a sample;</li>
 * <li>while a pool's database is known not to answer, looks for its return, so the INFO
 * line that ends an outage needs no health request;</li>
 * <li>{@linkplain #refreshServerCapacity(GuardedDataSource) refreshes what the server can
 * give} each pool, every capacity interval.</li>
 * </ul>
 * When it starts, it gives every pool its utilization listeners.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class PoolWatch implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(PoolWatch.class);

	private final Supplier<? extends Iterable<GuardedDataSource>> pools;

	private final List<UtilizationListener> listeners;

	private final Duration interval;

	private @Nullable ScheduledExecutorService executor;

	private @Nullable CapacityChecker capacity;

	private long capacityIntervalNanos;

	private long nextCapacityRefresh;

	/**
	 * Create a watch.
	 * @param pools supplies the pools to watch when the watch starts
	 * @param listeners told about every change of a pool's utilization level
	 * @param interval the sample interval
	 */
	public PoolWatch(Supplier<? extends Iterable<GuardedDataSource>> pools, List<? extends UtilizationListener> listeners,
			Duration interval) {
		Assert.notNull(pools, "'pools' must not be null");
		Assert.notNull(listeners, "'listeners' must not be null");
		Assert.isTrue(interval != null && interval.toMillis() > 0, "'interval' must be at least 1 ms");
		this.pools = pools;
		this.listeners = List.copyOf(listeners);
		this.interval = interval;
	}

	/**
	 * Also refresh what the server can give each pool, every {@code interval} (at a
	 * sample, and only when the pool has an idle connection to ask with).
	 * @param capacity reads the server's capacity
	 * @param interval how often
	 */
	public void setCapacityRefresh(CapacityChecker capacity, Duration interval) {
		this.capacity = capacity;
		this.capacityIntervalNanos = interval.toNanos();
		this.nextCapacityRefresh = System.nanoTime() + this.capacityIntervalNanos;
	}

	@Override
	public synchronized void start() {
		if (this.executor != null) {
			return;
		}
		for (GuardedDataSource pool : this.pools.get()) {
			pool.setUtilizationListeners(this.listeners);
		}
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "poolwarden-watch");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::watchAll, this.interval.toMillis(), this.interval.toMillis(),
				TimeUnit.MILLISECONDS);
		this.executor = executor;
	}

	@Override
	public synchronized void stop() {
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.executor != null;
	}

	/**
	 * Do the periodic work for every pool once, now, on the caller's thread.
	 */
	public void watchAll() {
		boolean refreshCapacity = false;
		if (this.capacity != null && System.nanoTime() - this.nextCapacityRefresh >= 0) {
			this.nextCapacityRefresh = System.nanoTime() + this.capacityIntervalNanos;
			refreshCapacity = true;
		}
		for (GuardedDataSource pool : this.pools.get()) {
			try {
				if (refreshCapacity) {
					refreshServerCapacity(pool);
				}
				sampleUtilization(pool);
				reportLongHolds(pool);
				pool.stuck(pool.snapshot());
				pool.sampleDemand();
				DatabaseProbe database = pool.getDatabaseProbe();
				if (database != null) {
					database.recheckWhileAway();
				}
			}
			catch (RuntimeException ex) {
				logger.debug("Failed to watch " + pool.getPoolName(), ex);
			}
		}
	}

	/**
	 * Evaluate a pool's utilization level with a fresh snapshot.
	 * @param pool the pool
	 */
	public void sampleUtilization(GuardedDataSource pool) {
		pool.evaluate(pool.snapshot(), System.nanoTime());
	}

	/**
	 * Report connections held past the long-hold threshold, and forget what the pool
	 * has closed.
	 * @param pool the pool
	 */
	public void reportLongHolds(GuardedDataSource pool) {
		ConnectionTracker tracker = pool.getTracker();
		if (tracker != null) {
			tracker.checkLongHolds();
		}
	}

	/**
	 * Read again what the server can give a pool, with an idle connection of the pool.
	 * @param pool the pool
	 */
	public void refreshServerCapacity(GuardedDataSource pool) {
		CapacityChecker capacity = this.capacity;
		if (capacity != null) {
			capacity.refresh(pool, false);
		}
	}

}
