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

package io.github.poolwarden.sample.incidents;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.advice.PoolAdvice;
import io.github.poolwarden.advice.Verdict;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.retry.AcquisitionRetryStats;
import io.github.poolwarden.utilization.UtilizationLevel;

import org.springframework.aot.AotDetector;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.web.server.ResponseStatusException;

/**
 * Replays the five incidents, each twice side by side: through PoolWarden and through a
 * plain HikariCP pool of the same size, on the configured PostgreSQL.
 *
 * @author PoolWarden authors
 */
@Service
public class IncidentReplays {

	private static final String PLAIN = "plain-hikaricp";

	private static final String GUARDED = "poolwarden";

	/**
	 * The shortest advice window, so a replay of a few seconds earns advice.
	 */
	private static final String ADVICE_WINDOW = "--poolwarden.advice.window=10s";

	/**
	 * The retry of incidents 000 and 004 (Boot's 30 s budget, unchanged) in up to 100
	 * attempts rather than 3, so a caller comes back sooner. Incident 001 sets only its
	 * connection-timeout, the same for both sides; 002 keeps the application's settings.
	 */
	private static final String[] INCIDENT_RETRY = { "--poolwarden.retry.max-retries=100",
			"--poolwarden.retry.timeout=30s" };

	private final GuardedDataSource appPool;

	private final ReportJob reports = new ReportJob();

	public IncidentReplays(DataSource dataSource) throws SQLException {
		this.appPool = dataSource.unwrap(GuardedDataSource.class);
	}

	/**
	 * Replay an incident.
	 * @param id 000 to 004
	 * @param size pool size for the replays that make their own pools
	 * @param years 001's years per scenario
	 * @param contexts 004's application contexts
	 * @return both sides' results
	 */
	public Map<String, Object> replay(String id, int size, int years, int contexts) throws Exception {
		if (!id.equals("003") && AotDetector.useGeneratedArtifacts()) {
			throw new ResponseStatusException(HttpStatus.CONFLICT, "Incident " + id + " starts application contexts "
					+ "of its own, which Spring AOT did not process (it processes the application only): run the "
					+ "sample app without -Dspring.aot.enabled=true to replay it. 003 replays on the application's "
					+ "own pool, on AOT too.");
		}
		List<SideResult> sides = switch (id) {
			case "000" -> burstAfterStart();
			case "001" -> fanOut(size, years);
			case "002" -> leakAndReport();
			case "003" -> utilization();
			case "004" -> manyContexts(contexts);
			default -> throw new IllegalArgumentException("Unknown incident " + id + ": use 000 to 004");
		};
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("incident", id);
		result.put("sides", sides.stream().map(SideResult::toMap).toList());
		return result;
	}

	/**
	 * 000: 36 callers released together the moment a pool of min 2, max 20 exists.
	 */
	private List<SideResult> burstAfterStart() throws Exception {
		List<SideResult> sides = new ArrayList<>();
		try (ConfigurableApplicationContext context = childContext("incident-000", 20, 2, 30_000, true, INCIDENT_RETRY)) {
			GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
			sides.add(run(GUARDED, guarded, utilizationOf(guarded), () -> burst(guarded, 36, "SELECT 1"),
					"pool verified (started, filled, validated) before the first caller"));
		}
		try (HikariDataSource plain = plainPool("incident-000-plain", 20, 2, 30_000)) {
			sides.add(run(PLAIN, null, utilizationOf(plain), () -> burst(plain, 36, "SELECT 1"),
					"pool created; the first callers start it and wait for its connections"));
		}
		return sides;
	}

	/**
	 * 001: 1 site x 4 scenarios x {@code years} tasks on 8 workers, each task taking 12
	 * connections in sequence, holding each for a real 60 ms query; both sides with the
	 * same budget, a 1 s connection-timeout, and nothing else set. HikariCP alone lets a
	 * worker that returns a connection take it straight back, and one left behind waits
	 * out its second; PoolWarden serves the waiting workers in turn. PoolWarden's side
	 * ends with the advice it earned over a 10 s window (the shortest): grow, when the
	 * run lasts that long.
	 */
	private List<SideResult> fanOut(int size, int years) throws Exception {
		List<SideResult> sides = new ArrayList<>();
		try (ConfigurableApplicationContext context = childContext("incident-001", size, size, FAN_OUT_BUDGET, true,
				ADVICE_WINDOW)) {
			GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
			sides.add(run(GUARDED, guarded, utilizationOf(guarded), () -> tasks(guarded, 4 * years, 8, 12),
					"the same 1 s budget; waiting workers served in turn")
				.withAdvice(adviceOf(guarded)));
		}
		try (HikariDataSource plain = plainPool("incident-001-plain", size, size, FAN_OUT_BUDGET)) {
			sides.add(run(PLAIN, null, utilizationOf(plain), () -> tasks(plain, 4 * years, 8, 12),
					"HikariCP alone, the same 1 s budget: a worker left behind longer fails"));
		}
		return sides;
	}

	/**
	 * Incident 001's connection-timeout, the same for both sides.
	 */
	private static final long FAN_OUT_BUDGET = 1000;

	/**
	 * The advice a replay's pool earned, with a sample taken now so the last second
	 * counts.
	 */
	private static Map<String, Object> adviceOf(GuardedDataSource guarded) {
		guarded.sampleDemand();
		PoolAdvice advice = guarded.getAdvisor().advice();
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("verdict", advice.verdict().value());
		map.put("recommendedMaximumPoolSize", advice.recommendedMaximumPoolSize());
		map.put("confidence", advice.confidence().value());
		map.put("message", advice.message());
		return map;
	}

	/**
	 * 002: an error path that leaks until the pool is dry, then one more acquisition; and
	 * a long report job. Each side gets a pool of the application's size and settings;
	 * PoolWarden's, with a 10 s advice window, stays dry until its advice says fix-code
	 * (a leak: the connections are held past half the window), at most 20 s.
	 */
	private List<SideResult> leakAndReport() throws Exception {
		List<SideResult> sides = new ArrayList<>();
		HikariDataSource pool = this.appPool.getPool();
		int max = pool.getMaximumPoolSize();
		try (ConfigurableApplicationContext context = childContext("incident-002", max, max,
				pool.getConnectionTimeout(), true, ADVICE_WINDOW)) {
			GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
			sides.add(leak(GUARDED, guarded, guarded, utilizationOf(guarded)).withAdvice(adviceOf(guarded)));
		}
		try (HikariDataSource plain = plainPool("incident-002-plain", max, max, pool.getConnectionTimeout())) {
			sides.add(leak(PLAIN, plain, null, utilizationOf(plain)));
		}
		return sides;
	}

	private SideResult leak(String side, DataSource dataSource, GuardedDataSource guarded, DoubleSupplier utilization)
			throws Exception {
		List<Connection> leaked = new CopyOnWriteArrayList<>();
		AtomicReference<String> named = new AtomicReference<>("");
		try {
			return run(side, guarded, utilization, () -> {
				this.reports.export(dataSource, 1500);
				int max = (guarded != null) ? guarded.getPool().getMaximumPoolSize()
						: ((HikariDataSource) dataSource).getMaximumPoolSize();
				for (int i = 0; i < max; i++) {
					try {
						this.reports.classify(dataSource, true, leaked);
					}
					catch (IllegalArgumentException ex) {
						// the error path: the connection stays out
					}
				}
				CompletableFuture<Void> oneMore = CompletableFuture.runAsync(() -> {
					try {
						this.reports.classify(dataSource, false, new ArrayList<>());
					}
					catch (SQLException ex) {
						throw new IllegalStateException(ex);
					}
				});
				// The pool stays dry for 3 s while one more caller waits: long enough for
				// PoolWarden's first attempt (2 s with Boot's defaults) to end and warn;
				// through PoolWarden, until its advice names the leak.
				Thread.sleep(3000);
				long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
				while (guarded != null && guarded.getAdvisor() != null
						&& guarded.getAdvisor().advice().verdict() != Verdict.FIX_CODE && System.nanoTime() < until) {
					Thread.sleep(200);
				}
				if (guarded != null && guarded.getTracker() != null) {
					named.set(guarded.getTracker().summary(600));
				}
				for (Connection connection : leaked) {
					connection.close();
				}
				leaked.clear();
				int failed = 0;
				try {
					oneMore.get(60, TimeUnit.SECONDS);
				}
				catch (ExecutionException ex) {
					failed++;
				}
				return new int[] { 2 + max, failed };
			}, named::get, "the error path forgets close() until the pool is dry; one more caller waits (3 s, "
					+ "through PoolWarden until its advice names the leak), then the leaked connections are closed");
		}
		finally {
			for (Connection connection : leaked) {
				connection.close();
			}
		}
	}

	/**
	 * 003: utilization driven over 80 % and 95 % and back, on the application's pool.
	 */
	private List<SideResult> utilization() throws Exception {
		List<SideResult> sides = new ArrayList<>();
		sides.add(drive(GUARDED, this.appPool, this.appPool, utilizationOf(this.appPool)));
		HikariDataSource pool = this.appPool.getPool();
		try (HikariDataSource plain = plainPool("incident-003-plain", pool.getMaximumPoolSize(), 2, 2000)) {
			sides.add(drive(PLAIN, plain, null, utilizationOf(plain)));
		}
		return sides;
	}

	private SideResult drive(String side, DataSource dataSource, GuardedDataSource guarded, DoubleSupplier utilization)
			throws Exception {
		AtomicReference<String> named = new AtomicReference<>("");
		return run(side, guarded, utilization, () -> {
			int max = (guarded != null) ? guarded.getPool().getMaximumPoolSize()
					: ((HikariDataSource) dataSource).getMaximumPoolSize();
			List<Connection> held = new ArrayList<>();
			try {
				for (int i = 0; i < max * 8 / 10; i++) {
					held.add(dataSource.getConnection());
				}
				Thread.sleep(2000);
				while (held.size() < max) {
					held.add(dataSource.getConnection());
				}
				Thread.sleep(3000);
				if (guarded != null) {
					named.set(guarded.getTracker().summary(300));
				}
			}
			finally {
				for (Connection connection : held) {
					connection.close();
				}
			}
			Thread.sleep(1500);
			return new int[] { 1, 0 };
		}, named::get, "8 of 10 held for 2 s, then all 10 for 3 s, then released");
	}

	/**
	 * 004: several application contexts in one JVM, each with its own pool, used one
	 * after the other as a test suite's cached contexts are, against a role limited to
	 * fewer connections than they hold together.
	 */
	private List<SideResult> manyContexts(int contexts) throws Exception {
		String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
		String role = "pw_sample_suite_" + suffix;
		String password = "Suite-" + UUID.randomUUID();
		try (Connection connection = this.appPool.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("CREATE ROLE " + role + " LOGIN CONNECTION LIMIT 25 PASSWORD '" + password + "'");
			statement.execute("GRANT CONNECT ON DATABASE \"" + connection.getCatalog() + "\" TO " + role);
		}
		try {
			List<SideResult> sides = new ArrayList<>();
			sides.add(suite(GUARDED, contexts, role, password, true));
			sides.add(suite(PLAIN, contexts, role, password, false));
			return sides;
		}
		finally {
			try (Connection connection = this.appPool.getConnection();
					Statement statement = connection.createStatement()) {
				statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
				statement.execute("DROP ROLE IF EXISTS " + role);
			}
		}
	}

	private SideResult suite(String side, int contexts, String role, String password, boolean guarded) {
		long start = System.nanoTime();
		List<ConfigurableApplicationContext> cached = new ArrayList<>();
		int completed = 0;
		int failed = 0;
		try {
			for (int i = 0; i < contexts; i++) {
				try {
					ConfigurableApplicationContext context = new SpringApplicationBuilder(ReplayPool.class)
						.web(WebApplicationType.NONE)
						.logStartupInfo(false)
						.run(argsAs(role, password, "incident-004-" + side + "-" + i, 10, 10, 2000, guarded,
								INCIDENT_RETRY[0], INCIDENT_RETRY[1], "--poolwarden.startup.timeout=5s"));
					cached.add(context);
					try (Connection connection = context.getBean(DataSource.class).getConnection();
							Statement statement = connection.createStatement()) {
						statement.execute("SELECT 1");
					}
					completed++;
					// What Spring's test framework does to an inactive cached context.
					context.pause();
				}
				catch (Exception ex) {
					failed++;
				}
			}
		}
		finally {
			cached.forEach(ConfigurableApplicationContext::close);
		}
		return new SideResult(side, completed, failed, 0, 0, 0, 0, "",
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
				contexts + " contexts x pool of 10 against a role limited to 25 connections"
						+ (guarded ? "; a paused context releases its connections" : "; a paused context keeps them"));
	}

	private SideResult run(String side, GuardedDataSource guarded, DoubleSupplier utilization, Work work,
			String notes) throws Exception {
		return run(side, guarded, utilization, work, () -> "", notes);
	}

	private SideResult run(String side, GuardedDataSource guarded, DoubleSupplier utilization, Work work,
			java.util.function.Supplier<String> holders, String notes) throws Exception {
		long warningsBefore = warnings(guarded);
		AcquisitionRetryStats stats = (guarded != null && guarded.getRetry() != null) ? guarded.getRetry().getStats()
				: null;
		long recoveredBefore = (stats != null) ? stats.recovered() : 0;
		long exhaustedBefore = (stats != null) ? stats.exhausted() : 0;
		double[] peak = { 0 };
		ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
		sampler.scheduleAtFixedRate(() -> peak[0] = Math.max(peak[0], utilization.getAsDouble()), 0, 20,
				TimeUnit.MILLISECONDS);
		long start = System.nanoTime();
		int[] outcome;
		try {
			outcome = work.run();
		}
		finally {
			sampler.shutdownNow();
		}
		long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		return new SideResult(side, outcome[0] - outcome[1], outcome[1],
				(stats != null) ? stats.recovered() - recoveredBefore : 0,
				(stats != null) ? stats.exhausted() - exhaustedBefore : 0, peak[0], warnings(guarded) - warningsBefore,
				holders.get(), millis, notes);
	}

	private static long warnings(GuardedDataSource guarded) {
		if (guarded == null) {
			return 0;
		}
		return guarded.getMonitor().entries(UtilizationLevel.WARNING)
				+ guarded.getMonitor().entries(UtilizationLevel.CRITICAL);
	}

	private static DoubleSupplier utilizationOf(GuardedDataSource guarded) {
		return () -> guarded.snapshot().utilization();
	}

	private static DoubleSupplier utilizationOf(HikariDataSource plain) {
		return () -> (plain.getHikariPoolMXBean() != null)
				? (double) plain.getHikariPoolMXBean().getActiveConnections() / plain.getMaximumPoolSize() : 0;
	}

	private static int[] burst(DataSource dataSource, int callers, String sql) throws InterruptedException {
		ExecutorService executor = Executors.newFixedThreadPool(callers);
		CountDownLatch go = new CountDownLatch(1);
		AtomicInteger failed = new AtomicInteger();
		for (int i = 0; i < callers; i++) {
			executor.execute(() -> {
				try {
					go.await();
					try (Connection connection = dataSource.getConnection();
							Statement statement = connection.createStatement()) {
						statement.execute(sql);
					}
				}
				catch (Exception ex) {
					failed.incrementAndGet();
				}
			});
		}
		go.countDown();
		executor.shutdown();
		executor.awaitTermination(2, TimeUnit.MINUTES);
		return new int[] { callers, failed.get() };
	}

	private static int[] tasks(DataSource dataSource, int tasks, int workers, int steps) throws InterruptedException {
		ExecutorService executor = Executors.newFixedThreadPool(workers);
		AtomicInteger failed = new AtomicInteger();
		for (int task = 0; task < tasks; task++) {
			executor.execute(() -> {
				try {
					for (int step = 0; step < steps; step++) {
						try (Connection connection = dataSource.getConnection();
								Statement statement = connection.createStatement()) {
							statement.execute("SELECT pg_sleep(0.06)");
						}
					}
				}
				catch (SQLException ex) {
					failed.incrementAndGet();
				}
			});
		}
		executor.shutdown();
		executor.awaitTermination(5, TimeUnit.MINUTES);
		return new int[] { tasks, failed.get() };
	}

	private HikariDataSource plainPool(String name, int max, int minIdle, long connectionTimeout) {
		HikariDataSource source = this.appPool.getPool();
		HikariDataSource pool = new HikariDataSource();
		pool.setPoolName(name);
		pool.setJdbcUrl(source.getJdbcUrl());
		pool.setUsername(source.getUsername());
		pool.setPassword(source.getPassword());
		pool.setMaximumPoolSize(max);
		pool.setMinimumIdle(minIdle);
		pool.setConnectionTimeout(connectionTimeout);
		return pool;
	}

	private ConfigurableApplicationContext childContext(String name, int max, int minIdle, long connectionTimeout,
			boolean guarded, String... extra) {
		return new SpringApplicationBuilder(ReplayPool.class).web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.run(args(name, max, minIdle, connectionTimeout, guarded, extra));
	}

	private String[] args(String name, int max, int minIdle, long connectionTimeout, boolean guarded,
			String... extra) {
		HikariDataSource source = this.appPool.getPool();
		return argsAs(source.getUsername(), (source.getPassword() != null) ? source.getPassword() : "", name, max,
				minIdle, connectionTimeout, guarded, extra);
	}

	private String[] argsAs(String username, String password, String name, int max, int minIdle,
			long connectionTimeout, boolean guarded, String... extra) {
		HikariDataSource source = this.appPool.getPool();
		List<String> args = new ArrayList<>(List.of("--spring.datasource.url=" + source.getJdbcUrl(),
				"--spring.datasource.username=" + username, "--spring.datasource.password=" + password,
				"--spring.datasource.hikari.pool-name=" + name, "--spring.datasource.hikari.maximum-pool-size=" + max,
				"--spring.datasource.hikari.minimum-idle=" + minIdle,
				"--spring.datasource.hikari.connection-timeout=" + connectionTimeout,
				"--poolwarden.enabled=" + guarded, "--spring.main.banner-mode=off"));
		args.addAll(List.of(extra));
		return args.toArray(String[]::new);
	}

	/**
	 * The work of one side: returns {tasks, failed}.
	 */
	@FunctionalInterface
	interface Work {

		int[] run() throws Exception;

	}

	/**
	 * A minimal application with one pool, for the replays that need a fresh one.
	 */
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class })
	static class ReplayPool {

	}

}
