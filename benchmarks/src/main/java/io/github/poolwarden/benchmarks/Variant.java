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

package io.github.poolwarden.benchmarks;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.sql.DataSource;

import com.vladmihalcea.flexypool.FlexyPoolDataSource;
import com.vladmihalcea.flexypool.adaptor.HikariCPPoolAdapter;
import com.vladmihalcea.flexypool.config.FlexyPoolConfiguration;
import com.vladmihalcea.flexypool.strategy.RetryConnectionAcquisitionStrategy;
import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.pool.HikariPoolProbe;
import io.github.poolwarden.retry.AcquisitionRetry;
import io.github.poolwarden.retry.RetrySettings;
import io.github.poolwarden.tracking.CallSiteCapture;
import io.github.poolwarden.tracking.CallSites;
import io.github.poolwarden.tracking.ConnectionTracker;
import io.github.poolwarden.utilization.UtilizationMonitor;
import io.github.poolwarden.watch.UtilizationSampler;
import io.github.poolwarden.utilization.UtilizationThresholds;

/**
 * The data sources a benchmark compares, each around its own HikariCP pool of the same
 * configuration.
 */
public enum Variant {

	/**
	 * HikariCP as Spring Boot manages it, nothing around it.
	 */
	RAW,

	/**
	 * PoolWarden's decorator with every acquisition feature off (no retry, no tracking,
	 * no rollback on return): the cost of the delegation alone.
	 */
	OFF,

	/**
	 * PoolWarden as the starter configures it by default: retry, holder tracking with
	 * call sites on pressure, rollback on return, and the utilization sampler running.
	 */
	DEFAULTS,

	/**
	 * PoolWarden's most expensive option: a call site captured on every borrow.
	 */
	ALWAYS,

	/**
	 * FlexyPool 3 with its retry strategy around the same HikariCP.
	 */
	FLEXY;

	/**
	 * Return the variant's name as reports show it.
	 * @return the label
	 */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * Build the variant around a new pool.
	 * @param url the JDBC URL
	 * @param poolSize the pool's maximum and minimum size
	 * @param connectionTimeout the pool's connectionTimeout
	 * @return the data source and what closes it
	 */
	public Built build(String url, int poolSize, Duration connectionTimeout) {
		HikariDataSource pool = new HikariDataSource();
		pool.setPoolName(label() + "-" + poolSize);
		pool.setJdbcUrl(url);
		if (url.startsWith("jdbc:stub:")) {
			pool.setDriverClassName(StubDriver.class.getName());
		}
		pool.setMaximumPoolSize(poolSize);
		pool.setMinimumIdle(poolSize);
		pool.setConnectionTimeout(connectionTimeout.toMillis());
		List<Closeable> closeables = new ArrayList<>();
		closeables.add(pool);
		DataSource dataSource = switch (this) {
			case RAW -> pool;
			case OFF -> new GuardedDataSource(pool, new HikariPoolProbe(pool), null,
					new UtilizationMonitor(UtilizationThresholds.DEFAULTS), null);
			case DEFAULTS -> guarded(pool, CallSiteCapture.ON_PRESSURE, closeables);
			case ALWAYS -> guarded(pool, CallSiteCapture.ALWAYS, closeables);
			case FLEXY -> flexy(pool, closeables);
		};
		return new Built(dataSource, closeables);
	}

	private static DataSource guarded(HikariDataSource pool, CallSiteCapture capture, List<Closeable> closeables) {
		HikariPoolProbe probe = new HikariPoolProbe(pool);
		Duration timeout = Duration.ofMillis(Math.max(30_000, pool.getConnectionTimeout()));
		AcquisitionRetry retry = new AcquisitionRetry(pool::getConnection, probe, new RetrySettings(3,
				Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), Duration.ofMillis(50), timeout),
				pool.getConnectionTimeout());
		ConnectionTracker tracker = new ConnectionTracker(pool.getPoolName(), true, true, capture,
				new CallSites(CallSites.DEFAULT_SKIPPED), Duration.ofSeconds(30));
		retry.setHolderSummary(() -> tracker.summary(600));
		GuardedDataSource guarded = new GuardedDataSource(pool, probe, retry,
				new UtilizationMonitor(UtilizationThresholds.DEFAULTS), tracker);
		UtilizationSampler sampler = new UtilizationSampler(() -> List.of(guarded), List.of(), Duration.ofSeconds(1));
		sampler.start();
		closeables.add(0, sampler::stop);
		return guarded;
	}

	private static DataSource flexy(HikariDataSource pool, List<Closeable> closeables) {
		FlexyPoolConfiguration<HikariDataSource> configuration = new FlexyPoolConfiguration.Builder<>(
				pool.getPoolName(), pool, HikariCPPoolAdapter.FACTORY)
			.setJmxEnabled(false)
			.build();
		FlexyPoolDataSource<HikariDataSource> flexy = new FlexyPoolDataSource<>(configuration,
				new RetryConnectionAcquisitionStrategy.Factory<>(3));
		flexy.start();
		closeables.add(0, flexy::stop);
		return flexy;
	}

	/**
	 * A built variant.
	 *
	 * @param dataSource the data source to borrow from
	 * @param closeables what to close, in order
	 */
	public record Built(DataSource dataSource, List<Closeable> closeables) implements Closeable {

		@Override
		public void close() throws IOException {
			for (Closeable closeable : this.closeables) {
				closeable.close();
			}
		}

	}

}
