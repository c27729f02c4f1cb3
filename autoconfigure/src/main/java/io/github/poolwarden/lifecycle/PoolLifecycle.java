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

package io.github.poolwarden.lifecycle;

import io.github.poolwarden.startup.StartupVerifier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.lifecycle.CapacityChecker;
import io.github.poolwarden.lifecycle.LivePools;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.util.Assert;

/**
 * Makes guarded pools take part in their application context's lifecycle, in a phase
 * before the embedded web server ({@code DEFAULT_PHASE - 4096}):
 * <ul>
 * <li>on start, each pool is counted among the JVM's live pools (it was verified when its
 * bean was created, before anything could borrow from it);</li>
 * <li>on stop, and so when Spring's test framework pauses an inactive cached context,
 * each pool closes its idle connections and holds none (HikariCP alone is not a
 * lifecycle bean, so a paused context would keep its connections);</li>
 * <li>on a restart after a pause, each pool gets its {@code minimumIdle} back and is
 * verified again before use.</li>
 * </ul>
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class PoolLifecycle implements SmartLifecycle, ApplicationListener<ContextClosedEvent> {

	/**
	 * The lifecycle phase: before the embedded web server and its graceful shutdown.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Log logger = LogFactory.getLog(PoolLifecycle.class);

	private final Supplier<? extends Iterable<GuardedDataSource>> pools;

	private final @Nullable StartupVerifier verifier;

	private final @Nullable CapacityChecker capacity;

	private final boolean releaseOnStop;

	private final String contextName;

	private final Map<GuardedDataSource, Integer> released = new ConcurrentHashMap<>();

	private volatile boolean running;

	private volatile boolean closing;

	/**
	 * Create a lifecycle.
	 * @param pools supplies the pools when the context starts
	 * @param verifier verifies each pool on start, or {@code null}
	 * @param capacity checks each verified pool's capacity on the server, or
	 * {@code null}
	 * @param releaseOnStop whether to close idle connections on stop (and pause)
	 * @param contextName the application context's name, for messages
	 */
	public PoolLifecycle(Supplier<? extends Iterable<GuardedDataSource>> pools, @Nullable StartupVerifier verifier,
			@Nullable CapacityChecker capacity, boolean releaseOnStop, String contextName) {
		Assert.notNull(pools, "'pools' must not be null");
		this.pools = pools;
		this.verifier = verifier;
		this.capacity = capacity;
		this.releaseOnStop = releaseOnStop;
		this.contextName = contextName;
	}

	@Override
	public void start() {
		for (GuardedDataSource pool : this.pools.get()) {
			Integer minimumIdle = this.released.remove(pool);
			LivePools.register(pool, this.contextName);
			if (minimumIdle == null) {
				// First start: the pool was verified when its bean was created.
				continue;
			}
			config(pool).setMinimumIdle(minimumIdle);
			logger.info(pool.getPoolName() + " - context restarted: minimumIdle " + minimumIdle + " restored");
			try {
				if (this.verifier != null) {
					this.verifier.verify(pool.getPool(), pool.getPoolName(), pool.getTarget());
					if (this.capacity != null) {
						this.capacity.check(pool);
					}
				}
			}
			catch (RuntimeException ex) {
				LivePools.unregister(pool);
				throw ex;
			}
		}
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		for (GuardedDataSource pool : this.pools.get()) {
			LivePools.unregister(pool);
			if (this.releaseOnStop && !this.closing) {
				release(pool);
			}
		}
	}

	/**
	 * Note that the context is closing: its pools are about to be closed whole, so
	 * there is nothing to release on stop.
	 * @param event the event
	 */
	@Override
	public void onApplicationEvent(ContextClosedEvent event) {
		this.closing = true;
	}

	private void release(GuardedDataSource pool) {
		HikariPoolMXBean mxBean = pool.getPool().getHikariPoolMXBean();
		if (mxBean == null || pool.getPool().isClosed()) {
			return;
		}
		HikariConfigMXBean config = config(pool);
		this.released.putIfAbsent(pool, config.getMinimumIdle());
		config.setMinimumIdle(0);
		mxBean.softEvictConnections();
		logger.info(pool.getPoolName() + " - context stopped: idle connections closed, the pool holds "
				+ mxBean.getActiveConnections() + " in use");
	}

	private static HikariConfigMXBean config(GuardedDataSource pool) {
		return pool.getPool().getHikariConfigMXBean();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
