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

package io.github.poolwarden.metrics;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.poolwarden.advice.PoolAdvisor;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.capacity.ServerCapacity;
import io.github.poolwarden.pool.DatabaseProbe;
import io.github.poolwarden.pool.PoolProbe;
import io.github.poolwarden.retry.AcquisitionRetry;
import io.github.poolwarden.retry.AcquisitionRetryStats;
import io.github.poolwarden.tracking.ConnectionTracker;
import io.github.poolwarden.utilization.UtilizationLevel;
import io.github.poolwarden.utilization.UtilizationMonitor;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.util.Assert;

/**
 * Binds PoolWarden's meters for every guarded pool. Every meter carries the tag
 * {@code pool} with HikariCP's pool name, so dashboards can join them with
 * {@code hikaricp.*}; nothing HikariCP already publishes is published again.
 * <ul>
 * <li>{@code poolwarden.connections.utilization} (gauge): active / maximumPoolSize, 0 to
 * 1.</li>
 * <li>{@code poolwarden.connections.waiting} (gauge): threads waiting for a connection,
 * in HikariCP's queue ({@code hikaricp.connections.pending}) and in PoolWarden's queue of
 * callers waiting their turn in front of it.</li>
 * <li>{@code poolwarden.utilization.level} (gauge): 0 normal, 1 warning, 2 critical.</li>
 * <li>{@code poolwarden.utilization.transitions} (function counter, tag
 * {@code level=normal|warning|critical}): times the pool entered each level.</li>
 * <li>{@code poolwarden.connections.long-holds} (function counter): connections held
 * past the long-hold threshold.</li>
 * <li>{@code poolwarden.acquisitions.nested} (function counter): acquisitions made by a
 * thread that already held a connection of the same pool.</li>
 * <li>{@code poolwarden.connections.held.oldest} (time gauge): how long the oldest
 * current holder has held its connection.</li>
 * <li>{@code poolwarden.server.connections.limit} and {@code .used} (gauges; PostgreSQL,
 * MariaDB and MySQL, or PgBouncer's {@code max_client_conn} when the pool connects
 * through it): the binding connection limit for the pool's role (or account) and
 * database, and the connections open against it, read every capacity sample
 * interval.</li>
 * <li>{@code poolwarden.fleet.connections.max} (gauge): the most connections every
 * instance of the application may open together, {@code (replicas + surge) x
 * maximumPoolSize}; compare it with {@code poolwarden.server.connections.limit}.</li>
 * <li>{@code poolwarden.acquisitions.retried} (function counter, tag
 * {@code result=recovered|exhausted}): acquisitions that found the pool exhausted and
 * then got a connection on a retry, or did not.</li>
 * </ul>
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class PoolWardenMeterBinder implements MeterBinder {

	private final Supplier<? extends Iterable<GuardedDataSource>> pools;

	private final int instances;

	/**
	 * Create a binder for one instance of the application.
	 * @param pools supplies the guarded pools when the binder is bound
	 */
	public PoolWardenMeterBinder(Supplier<? extends Iterable<GuardedDataSource>> pools) {
		this(pools, 1);
	}

	/**
	 * Create a binder.
	 * @param pools supplies the guarded pools when the binder is bound
	 * @param instances how many instances of the application may run at once (replicas
	 * plus a rolling deploy's surge)
	 */
	public PoolWardenMeterBinder(Supplier<? extends Iterable<GuardedDataSource>> pools, int instances) {
		Assert.notNull(pools, "'pools' must not be null");
		Assert.isTrue(instances >= 1, "'instances' must be at least 1");
		this.pools = pools;
		this.instances = instances;
	}

	/**
	 * One description for both results: registries keep one per meter name.
	 */
	private static final String RETRIED_DESCRIPTION = "Acquisitions that found the pool exhausted, by result: "
			+ "recovered got a connection on a later attempt, exhausted got none within the budget";

	@Override
	public void bindTo(MeterRegistry registry) {
		for (GuardedDataSource pool : this.pools.get()) {
			bindTo(registry, pool);
		}
	}

	private static double serverValue(GuardedDataSource pool, boolean limit) {
		ServerCapacity capacity = pool.getServerCapacity();
		if (capacity == null) {
			return Double.NaN;
		}
		return limit ? capacity.limit() : capacity.used();
	}

	private void bindTo(MeterRegistry registry, GuardedDataSource pool) {
		String name = pool.getPoolName();
		PoolProbe probe = pool.getProbe();
		Gauge.builder("poolwarden.connections.utilization", probe, (each) -> each.snapshot().utilization())
			.description("Share of the pool in use: active / maximumPoolSize")
			.baseUnit("ratio")
			.tags("pool", name)
			.strongReference(true)
			.register(registry);
		Gauge.builder("poolwarden.connections.waiting", pool, (each) -> each.snapshot().waiting())
			.description("Threads waiting for a connection: in HikariCP's queue, and in PoolWarden's in front of it")
			.baseUnit("threads")
			.tags("pool", name)
			.strongReference(true)
			.register(registry);
		UtilizationMonitor monitor = pool.getMonitor();
		Gauge.builder("poolwarden.utilization.level", monitor, (each) -> each.level().value())
			.description("Utilization level: 0 normal, 1 warning, 2 critical")
			.tags("pool", name)
			.strongReference(true)
			.register(registry);
		for (UtilizationLevel level : UtilizationLevel.values()) {
			FunctionCounter.builder("poolwarden.utilization.transitions", monitor, (each) -> each.entries(level))
				.description("Times the pool entered a utilization level")
				.tags("pool", name, "level", level.tagValue())
				.register(registry);
		}
		Gauge.builder("poolwarden.server.connections.limit", pool, (each) -> serverValue(each, true))
			.description("Connections the server lets this pool's role open in its database (the binding one of "
					+ "max_connections less reserved slots, the role's and the database's limits), or PgBouncer's "
					+ "max_client_conn")
			.tags("pool", name)
			.strongReference(true)
			.register(registry);
		Gauge.builder("poolwarden.server.connections.used", pool, (each) -> serverValue(each, false))
			.description("Connections open against that limit, by every client")
			.tags("pool", name)
			.strongReference(true)
			.register(registry);
		int instances = this.instances;
		Gauge.builder("poolwarden.fleet.connections.max", pool,
				(each) -> (double) instances * each.getPool().getMaximumPoolSize())
			.description("Connections every instance of the application may open together: (replicas + surge) x "
					+ "maximumPoolSize")
			.tags("pool", name)
			.strongReference(true)
			.register(registry);
		ConnectionTracker tracker = pool.getTracker();
		if (tracker != null && tracker.isTrackingHolders()) {
			FunctionCounter.builder("poolwarden.connections.long-holds", tracker, ConnectionTracker::longHolds)
				.description("Connections held longer than poolwarden.tracking.long-hold-threshold")
				.tags("pool", name)
				.register(registry);
			FunctionCounter
				.builder("poolwarden.acquisitions.nested", tracker, ConnectionTracker::nestedAcquisitions)
				.description("Acquisitions made by a thread that already held a connection of the same pool")
				.tags("pool", name)
				.register(registry);
			TimeGauge.builder("poolwarden.connections.held.oldest", tracker, TimeUnit.MILLISECONDS,
					(each) -> each.oldestHold().toMillis())
				.description("How long the oldest current holder has held its connection")
				.tags("pool", name)
				.strongReference(true)
				.register(registry);
		}
		Gauge.builder("poolwarden.pool.stuck", pool, (each) -> each.isStuck() ? 1 : 0)
			.description("1 while the pool is stuck: no borrow has completed for poolwarden.health.stuck-after while "
					+ "callers waited, every connection held and the database answering; else 0")
			.tags("pool", name)
			.strongReference(true)
			.register(registry);
		PoolAdvisor advisor = pool.getAdvisor();
		if (advisor != null) {
			Gauge.builder("poolwarden.connections.recommended", advisor,
					(each) -> each.advice().recommendedMaximumPoolSize())
				.description("The maximumPoolSize PoolWarden's advice recommends from the demand of the last "
						+ "poolwarden.advice.window (the current size unless the verdict is grow, shrink or "
						+ "server-limited)")
				.tags("pool", name)
				.strongReference(true)
				.register(registry);
		}
		DatabaseProbe database = pool.getDatabaseProbe();
		if (database != null) {
			for (DatabaseProbe.Source source : DatabaseProbe.Source.values()) {
				FunctionCounter.builder("poolwarden.database.checks", database, (each) -> each.answers(source))
					.description("Answers to whether the pool's database answers, by where each came from: "
							+ "new-connection opened a session outside the pool, idle-connection validated one "
							+ "of the pool's, pool-traffic and failed-borrow asked nothing")
					.tags("pool", name, "by", source.tagValue())
					.register(registry);
			}
		}
		AcquisitionRetry retry = pool.getRetry();
		if (retry != null) {
			AcquisitionRetryStats stats = retry.getStats();
			FunctionCounter.builder("poolwarden.acquisitions.retried", stats, AcquisitionRetryStats::recovered)
				.description(RETRIED_DESCRIPTION)
				.tags("pool", name, "result", "recovered")
				.register(registry);
			FunctionCounter.builder("poolwarden.acquisitions.retried", stats, AcquisitionRetryStats::exhausted)
				.description(RETRIED_DESCRIPTION)
				.tags("pool", name, "result", "exhausted")
				.register(registry);
		}
	}

}
