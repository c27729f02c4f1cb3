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

package io.github.poolwarden.utilization;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.PoolSnapshot;
import io.github.poolwarden.capacity.CapacityChecker;
import io.github.poolwarden.tracking.ConnectionTracker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * Decides when utilization is evaluated: on one daemon thread for all pools, every
 * sample interval, and on the caller's thread whenever an acquisition finds a pool
 * exhausted. A crossing that lasts one sample interval is always seen. Each change is
 * told to every {@link UtilizationListener}, once. Each sample also lets the pool's
 * connection tracker report long holds and drop what the pool has closed.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class UtilizationSampler implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(UtilizationSampler.class);

	private final Supplier<? extends Iterable<GuardedDataSource>> pools;

	private final List<UtilizationListener> listeners;

	private final Duration interval;

	private @Nullable ScheduledExecutorService executor;

	private @Nullable CapacityChecker capacity;

	private long capacityIntervalNanos;

	private long nextCapacityRefresh;

	/**
	 * Create a sampler.
	 * @param pools supplies the pools to sample when the sampler starts
	 * @param listeners told about every change
	 * @param interval the sample interval
	 */
	public UtilizationSampler(Supplier<? extends Iterable<GuardedDataSource>> pools,
			List<? extends UtilizationListener> listeners, Duration interval) {
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
			pool.setExhaustionListener((snapshot) -> evaluate(pool, snapshot));
		}
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "poolwarden-sampler");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::sampleAll, this.interval.toMillis(), this.interval.toMillis(),
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
	 * Sample every pool once, now, on the caller's thread.
	 */
	public void sampleAll() {
		boolean refreshCapacity = false;
		if (this.capacity != null && System.nanoTime() - this.nextCapacityRefresh >= 0) {
			this.nextCapacityRefresh = System.nanoTime() + this.capacityIntervalNanos;
			refreshCapacity = true;
		}
		for (GuardedDataSource pool : this.pools.get()) {
			if (refreshCapacity) {
				this.capacity.refresh(pool, false);
			}
			try {
				evaluate(pool, pool.getProbe().snapshot());
				ConnectionTracker tracker = pool.getTracker();
				if (tracker != null) {
					tracker.check();
				}
			}
			catch (RuntimeException ex) {
				logger.debug("Failed to sample " + pool.getPoolName(), ex);
			}
		}
	}

	private void evaluate(GuardedDataSource pool, PoolSnapshot snapshot) {
		UtilizationTransition transition = pool.getMonitor().evaluate(snapshot);
		if (transition == null) {
			return;
		}
		for (UtilizationListener listener : this.listeners) {
			try {
				listener.onTransition(transition);
			}
			catch (RuntimeException ex) {
				logger.warn("Utilization listener " + listener + " failed", ex);
			}
		}
	}

}
