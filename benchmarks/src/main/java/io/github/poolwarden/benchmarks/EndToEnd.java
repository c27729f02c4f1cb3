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

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.pool.HikariPoolProbe;
import io.github.poolwarden.retry.AcquisitionRetry;
import io.github.poolwarden.retry.RetrySettings;
import io.github.poolwarden.startup.StartupVerifier;
import io.github.poolwarden.utilization.UtilizationMonitor;
import io.github.poolwarden.utilization.UtilizationThresholds;

/**
 * End to end against a real PostgreSQL: incident 001's burst (tasks of 12 sequential
 * acquisitions on 8 workers, each running a real query) through raw HikariCP and through
 * PoolWarden with defaults, interleaved; the forced-exhaustion variant where HikariCP
 * alone fails and PoolWarden completes; and the startup cost of verification.
 */
final class EndToEnd {

	private final String adminUrl;

	private final boolean smoke;

	private String url;

	private String database;

	EndToEnd(String adminUrl, boolean smoke) {
		this.adminUrl = adminUrl;
		this.smoke = smoke;
	}

	void report(StringBuilder out) throws Exception {
		this.database = "pw_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
		admin("CREATE DATABASE " + this.database);
		this.url = withDatabase(this.adminUrl, this.database);
		try {
			try (Connection connection = DriverManager.getConnection(this.url);
					Statement statement = connection.createStatement()) {
				statement.execute("CREATE TABLE saves (task int NOT NULL, kind int NOT NULL)");
			}
			int tasks = this.smoke ? 32 : 320;
			int repeats = this.smoke ? 1 : 3;
			out.append(String.format("%nEnd to end, PostgreSQL: %d tasks x 12 acquisitions on 8 workers, each "
					+ "running a real query; %d interleaved runs per line, medians%n%n", tasks, repeats));
			out.append("| scenario | variant | completed | failed | total ms | p50 wait µs | p99 wait µs |\n");
			out.append("|---|---|---|---|---|---|---|\n");
			for (int poolSize : new int[] { 20, 5 }) {
				burst(out, "burst, pool " + poolSize, poolSize, 30_000, 0, tasks, repeats);
			}
			burst(out, "forced exhaustion, pool 2, 250 ms timeout, 40 ms holds", 2, 250, 40, this.smoke ? 16 : 64,
					1);
			startup(out, this.smoke ? 1 : 5);
		}
		finally {
			admin("DROP DATABASE IF EXISTS " + this.database + " WITH (FORCE)");
		}
	}

	private void burst(StringBuilder out, String scenario, int poolSize, long connectionTimeout, int holdMillis,
			int tasks, int repeats) throws Exception {
		List<Run> raw = new ArrayList<>();
		List<Run> guarded = new ArrayList<>();
		for (int repeat = 0; repeat < repeats; repeat++) {
			boolean rawFirst = (repeat % 2 == 0);
			for (int i = 0; i < 2; i++) {
				boolean isRaw = (i == 0) == rawFirst;
				HikariDataSource pool = pool(poolSize, connectionTimeout);
				try {
					DataSource dataSource = isRaw ? pool : guard(pool);
					(isRaw ? raw : guarded).add(fanOut(dataSource, tasks, holdMillis));
				}
				finally {
					pool.close();
				}
			}
		}
		out.append(median(raw).format(scenario, "raw hikaricp")).append('\n');
		out.append(median(guarded).format(scenario, "poolwarden")).append('\n');
	}

	private HikariDataSource pool(int poolSize, long connectionTimeout) throws SQLException {
		HikariDataSource pool = new HikariDataSource();
		pool.setJdbcUrl(this.url);
		pool.setMaximumPoolSize(poolSize);
		pool.setMinimumIdle(poolSize);
		pool.setConnectionTimeout(connectionTimeout);
		pool.getConnection().close();
		return pool;
	}

	private static GuardedDataSource guard(HikariDataSource pool) {
		HikariPoolProbe probe = new HikariPoolProbe(pool);
		Duration timeout = Duration.ofMillis(Math.max(30_000, pool.getConnectionTimeout()));
		AcquisitionRetry retry = new AcquisitionRetry(pool::getConnection, probe,
				new RetrySettings(100, Duration.ofMillis(50), 2.0, Duration.ofMillis(500), Duration.ofMillis(25), timeout),
				pool.getConnectionTimeout());
		return new GuardedDataSource(pool, probe, retry, new UtilizationMonitor(UtilizationThresholds.DEFAULTS),
				new io.github.poolwarden.tracking.ConnectionTracker(pool.getPoolName(), true, true,
						io.github.poolwarden.tracking.CallSiteCapture.ON_PRESSURE,
						new io.github.poolwarden.tracking.CallSites(
								io.github.poolwarden.tracking.CallSites.DEFAULT_SKIPPED),
						Duration.ofSeconds(30)));
	}

	private static Run fanOut(DataSource dataSource, int tasks, int holdMillis) throws Exception {
		ExecutorService workers = Executors.newFixedThreadPool(8);
		long[] waits = new long[tasks * 12];
		AtomicInteger completed = new AtomicInteger();
		AtomicInteger failed = new AtomicInteger();
		String query = (holdMillis > 0) ? "SELECT pg_sleep(" + (holdMillis / 1000.0) + ")" : "SELECT 1";
		long start = System.nanoTime();
		for (int task = 0; task < tasks; task++) {
			int id = task;
			workers.execute(() -> {
				try {
					for (int step = 0; step < 12; step++) {
						long before = System.nanoTime();
						try (Connection connection = dataSource.getConnection()) {
							waits[id * 12 + step] = System.nanoTime() - before;
							try (Statement statement = connection.createStatement()) {
								if (step >= 9) {
									statement.executeUpdate("INSERT INTO saves VALUES (" + id + ", " + step + ")");
								}
								statement.execute(query);
							}
						}
					}
					completed.incrementAndGet();
				}
				catch (SQLException ex) {
					failed.incrementAndGet();
				}
			});
		}
		workers.shutdown();
		if (!workers.awaitTermination(10, TimeUnit.MINUTES)) {
			throw new IllegalStateException("burst did not finish");
		}
		long total = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		long[] measured = Arrays.stream(waits).filter((wait) -> wait > 0).sorted().toArray();
		return new Run(completed.get(), failed.get(), total, percentile(measured, 0.50), percentile(measured, 0.99));
	}

	private void startup(StringBuilder out, int repeats) throws Exception {
		long[] raw = new long[repeats];
		long[] verified = new long[repeats];
		for (int i = 0; i < repeats; i++) {
			try (HikariDataSource pool = new HikariDataSource()) {
				pool.setJdbcUrl(this.url);
				pool.setMaximumPoolSize(10);
				long start = System.nanoTime();
				pool.getConnection().close();
				while (pool.getHikariPoolMXBean().getIdleConnections() < 10) {
					Thread.onSpinWait();
				}
				raw[i] = System.nanoTime() - start;
			}
			try (HikariDataSource pool = new HikariDataSource()) {
				pool.setJdbcUrl(this.url);
				pool.setMaximumPoolSize(10);
				long start = System.nanoTime();
				new StartupVerifier(Duration.ZERO).verify(pool, pool.getPoolName(), io.github.poolwarden.support.JdbcTarget.parse(pool.getJdbcUrl()));
				verified[i] = System.nanoTime() - start;
			}
		}
		out.append(String.format("%nStartup, pool of 10 (median of %d): HikariCP start and fill %.1f ms; "
				+ "PoolWarden verification (probe, fill, validate each) %.1f ms%n", repeats,
				percentile(sorted(raw), 0.5) / 1e6, percentile(sorted(verified), 0.5) / 1e6));
	}

	private static long[] sorted(long[] values) {
		long[] copy = values.clone();
		Arrays.sort(copy);
		return copy;
	}

	private static long percentile(long[] sorted, double q) {
		if (sorted.length == 0) {
			return 0;
		}
		return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
	}

	private static Run median(List<Run> runs) {
		List<Run> byTime = new ArrayList<>(runs);
		byTime.sort((a, b) -> Long.compare(a.totalMillis(), b.totalMillis()));
		return byTime.get(byTime.size() / 2);
	}

	private void admin(String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(this.adminUrl);
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	static String withDatabase(String url, String database) {
		int authority = url.indexOf("//") + 2;
		int pathStart = url.indexOf('/', authority);
		int params = url.indexOf('?', authority);
		String base = url.substring(0, (pathStart >= 0) ? pathStart : ((params >= 0) ? params : url.length()));
		return base + "/" + database + ((params >= 0) ? url.substring(params) : "");
	}

	/**
	 * One run of a burst.
	 */
	record Run(int completed, int failed, long totalMillis, long p50Nanos, long p99Nanos) {

		String format(String scenario, String variant) {
			return String.format("| %s | %s | %d | %d | %d | %.0f | %.0f |", scenario, variant, this.completed,
					this.failed, this.totalMillis, this.p50Nanos / 1e3, this.p99Nanos / 1e3);
		}

	}

}
