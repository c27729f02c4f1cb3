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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

/**
 * End to end against a real PostgreSQL, every variant built through Spring Boot's
 * auto-configuration as a user gets it, interleaved in a random order each round, each
 * slice long enough to give a stable ratio:
 * <ul>
 * <li>steady load: 4 threads on a pool of 8, one indexed {@code SELECT} per borrow (the
 * headline ratio);</li>
 * <li>incident 001's burst: tasks of 12 sequential acquisitions on 8 workers, each running
 * a real query, on pools of 20 and 5;</li>
 * <li>a burst that exhausts the pool under the same budget for both: 16 workers on a pool
 * of 2, each holding its connection 40 ms, {@code connection-timeout} 1 s;</li>
 * <li>the start of a context with a pool of 10.</li>
 * </ul>
 */
final class EndToEnd {

	private static final int ROWS = 10_000;

	private final String adminUrl;

	private final boolean smoke;

	private final int rounds;

	private final Duration slice;

	private final Random random = new Random(7);

	private String url;

	private String database;

	EndToEnd(String adminUrl, boolean smoke) {
		this.adminUrl = adminUrl;
		this.smoke = smoke;
		String rounds = System.getenv("POOLWARDEN_BENCH_ROUNDS");
		this.rounds = smoke ? 1 : (rounds != null && !rounds.isBlank()) ? Integer.parseInt(rounds.trim()) : 5;
		this.slice = smoke ? Duration.ofMillis(500) : Duration.ofSeconds(10);
	}

	/**
	 * Run the end-to-end scenarios.
	 * @param out where the report goes
	 * @param part {@code all}, {@code exhaustion} (only the same-budget exhaustion
	 * burst) or {@code steady} (only the headline steady load)
	 */
	void report(StringBuilder out, String part) throws Exception {
		this.database = "pw_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
		admin("CREATE DATABASE " + this.database);
		this.url = withDatabase(this.adminUrl, this.database);
		try {
			try (Connection connection = DriverManager.getConnection(this.url);
					Statement statement = connection.createStatement()) {
				statement.execute("CREATE TABLE items (id int PRIMARY KEY, payload text NOT NULL)");
				statement.execute("INSERT INTO items SELECT i, md5(i::text) FROM generate_series(1, " + ROWS + ") i");
				statement.execute("CREATE TABLE saves (task int NOT NULL, kind int NOT NULL)");
				statement.execute("ANALYZE items");
			}
			out.append(String.format("%nEnd to end, PostgreSQL, every variant built through the auto-configuration; "
					+ "%d rounds, %d ms per variant per round, random order each round; medians over rounds, and "
					+ "the median of each round's ratio to raw%n", this.rounds, this.slice.toMillis()));
			if (part.equals("exhaustion")) {
				exhaustion(out);
				return;
			}
			if (part.equals("steady")) {
				steady(out, List.of(Variant.RAW, Variant.DEFAULTS));
				return;
			}
			steady(out, List.of(Variant.RAW, Variant.DEFAULTS, Variant.ALWAYS, Variant.ON_PRESSURE, Variant.NEVER,
					Variant.LEAK_DETECTION));
			bursts(out);
			exhaustion(out);
			startup(out, this.smoke ? 1 : 5);
		}
		finally {
			admin("DROP DATABASE IF EXISTS " + this.database + " WITH (FORCE)");
		}
	}

	/**
	 * The headline: 4 threads, a pool of 8, one indexed SELECT per borrow.
	 */
	private void steady(StringBuilder out, List<Variant> variants) throws Exception {
		Map<Variant, List<Slice>> results = interleave(variants, (variant) -> variant.build(this.url, 8,
				Duration.ofSeconds(30)), (dataSource) -> steadySlice(dataSource, 4));
		out.append("\nSteady load: 4 threads, pool of 8, one indexed SELECT by primary key per borrow\n\n");
		out.append("| variant | median queries/s | median ratio to raw (IQR) | p99 wait µs |\n|---|---|---|---|\n");
		for (Variant variant : variants) {
			List<Slice> slices = results.get(variant);
			out.append(String.format("| %s | %,.0f | %s | %.0f |%n", variant.label(),
					median(slices.stream().mapToDouble(Slice::perSecond).toArray()), ratio(results, variant),
					median(slices.stream().mapToDouble((each) -> each.p99Nanos() / 1e3).toArray())));
		}
	}

	private Slice steadySlice(DataSource dataSource, int threads) throws Exception {
		return timed(threads, (waits) -> {
			long before = System.nanoTime();
			try (Connection connection = dataSource.getConnection()) {
				waits.add(System.nanoTime() - before);
				try (PreparedStatement statement = connection
					.prepareStatement("SELECT payload FROM items WHERE id = ?")) {
					statement.setInt(1, 1 + ThreadLocalRandom.current().nextInt(ROWS));
					try (ResultSet result = statement.executeQuery()) {
						result.next();
					}
				}
			}
			return true;
		});
	}

	/**
	 * Incident 001's burst, repeated for the whole slice.
	 */
	private void bursts(StringBuilder out) throws Exception {
		out.append("\nIncident 001's burst: 32 tasks x 12 acquisitions on 8 workers, each running a real query "
				+ "(the last three an INSERT), repeated for the whole slice\n\n");
		out.append("| pool | variant | median acquisitions/s | median ratio to raw (IQR) | failed | p99 wait µs |\n"
				+ "|---|---|---|---|---|---|\n");
		List<Variant> variants = List.of(Variant.RAW, Variant.DEFAULTS);
		for (int poolSize : new int[] { 20, 5 }) {
			Map<Variant, List<Slice>> results = interleave(variants,
					(variant) -> variant.build(this.url, poolSize, Duration.ofSeconds(30)), this::burstSlice);
			for (Variant variant : variants) {
				List<Slice> slices = results.get(variant);
				out.append(String.format("| %d | %s | %,.0f | %s | %d | %.0f |%n", poolSize, variant.label(),
						median(slices.stream().mapToDouble(Slice::perSecond).toArray()), ratio(results, variant),
						slices.stream().mapToLong(Slice::failed).sum(),
						median(slices.stream().mapToDouble((each) -> each.p99Nanos() / 1e3).toArray())));
			}
		}
	}

	private Slice burstSlice(DataSource dataSource) throws Exception {
		long end = System.nanoTime() + this.slice.toNanos();
		long completed = 0;
		long failed = 0;
		Waits waits = new Waits();
		long start = System.nanoTime();
		int task = 0;
		while (System.nanoTime() < end) {
			ExecutorService workers = Executors.newFixedThreadPool(8);
			List<Future<long[]>> results = new ArrayList<>();
			for (int i = 0; i < 32; i++) {
				int id = task++;
				results.add(workers.submit(() -> burstTask(dataSource, id, waits)));
			}
			workers.shutdown();
			for (Future<long[]> result : results) {
				long[] counts = result.get(5, TimeUnit.MINUTES);
				completed += counts[0];
				failed += counts[1];
			}
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		return new Slice(completed / seconds, completed, failed, waits.percentile(0.99), waits.percentile(0.5));
	}

	private static long[] burstTask(DataSource dataSource, int id, Waits waits) {
		long completed = 0;
		try {
			for (int step = 0; step < 12; step++) {
				long before = System.nanoTime();
				try (Connection connection = dataSource.getConnection()) {
					waits.add(System.nanoTime() - before);
					try (Statement statement = connection.createStatement()) {
						if (step >= 9) {
							statement.executeUpdate("INSERT INTO saves VALUES (" + id + ", " + step + ")");
						}
						else {
							statement.execute("SELECT count(*) FROM items WHERE id < " + (1 + id % 100));
						}
					}
				}
				completed++;
			}
			return new long[] { completed, 0 };
		}
		catch (SQLException ex) {
			return new long[] { completed, 1 };
		}
	}

	/**
	 * A pool that runs dry under the same budget for both: who completes more, and how
	 * long do they wait?
	 */
	private void exhaustion(StringBuilder out) throws Exception {
		List<Variant> variants = List.of(Variant.RAW, Variant.DEFAULTS);
		Map<Variant, List<Slice>> results = interleave(variants,
				(variant) -> variant.build(this.url, 2, Duration.ofSeconds(1)), (dataSource) -> timed(16, (waits) -> {
					long before = System.nanoTime();
					try (Connection connection = dataSource.getConnection()) {
						waits.add(System.nanoTime() - before);
						try (Statement statement = connection.createStatement()) {
							statement.execute("SELECT pg_sleep(0.04)");
						}
						return true;
					}
					catch (SQLException ex) {
						return false;
					}
				}));
		out.append("\nSame budget, pool exhausted: 16 workers on a pool of 2, 40 ms per borrow, connection-timeout "
				+ "1 s for both (PoolWarden's defaults: attempts of 250, 500 and 250 ms within that second)\n\n");
		out.append("| variant | completed per slice (median) | failed per slice (median) | median ratio of completed "
				+ "to raw (IQR) | p50 wait ms | p99 wait ms |\n|---|---|---|---|---|---|\n");
		for (Variant variant : variants) {
			List<Slice> slices = results.get(variant);
			out.append(String.format("| %s | %.0f | %.0f | %s | %.1f | %.1f |%n", variant.label(),
					median(slices.stream().mapToDouble(Slice::completed).toArray()),
					median(slices.stream().mapToDouble(Slice::failed).toArray()), ratio(results, variant),
					median(slices.stream().mapToDouble((each) -> each.p50Nanos() / 1e6).toArray()),
					median(slices.stream().mapToDouble((each) -> each.p99Nanos() / 1e6).toArray())));
		}
	}

	private void startup(StringBuilder out, int repeats) throws Exception {
		double[] raw = new double[repeats];
		double[] guarded = new double[repeats];
		for (int i = 0; i < repeats; i++) {
			long start = System.nanoTime();
			try (Variant.Built built = Variant.RAW.build(this.url, 10, Duration.ofSeconds(30))) {
				HikariDataSource pool = built.dataSource().unwrap(HikariDataSource.class);
				pool.getConnection().close();
				while (pool.getHikariPoolMXBean().getIdleConnections() < 10) {
					Thread.onSpinWait();
				}
				raw[i] = (System.nanoTime() - start) / 1e6;
			}
			start = System.nanoTime();
			try (Variant.Built built = Variant.DEFAULTS.build(this.url, 10, Duration.ofSeconds(30))) {
				guarded[i] = (System.nanoTime() - start) / 1e6;
			}
		}
		out.append(String.format("%nStartup, a context with a pool of 10 (median of %d): Boot + HikariCP, started "
				+ "and filled by the first borrow, %.0f ms; Boot + PoolWarden, verified (probe, fill, validate each, "
				+ "capacity check) before the context is up, %.0f ms%n", repeats, median(raw), median(guarded)));
	}

	/**
	 * Build every variant, warm each once, then run one slice of each per round in a
	 * random order.
	 */
	private Map<Variant, List<Slice>> interleave(List<Variant> variants, Builder builder, Workload workload)
			throws Exception {
		Map<Variant, Variant.Built> built = new EnumMap<>(Variant.class);
		Map<Variant, List<Slice>> results = new EnumMap<>(Variant.class);
		try {
			for (Variant variant : variants) {
				built.put(variant, builder.build(variant));
				results.put(variant, new ArrayList<>());
				workload.run(built.get(variant).dataSource());
			}
			List<Variant> order = new ArrayList<>(variants);
			for (int round = 0; round < this.rounds; round++) {
				Collections.shuffle(order, this.random);
				for (Variant variant : order) {
					results.get(variant).add(workload.run(built.get(variant).dataSource()));
				}
			}
		}
		finally {
			built.values().forEach(Variant.Built::close);
		}
		return results;
	}

	private String ratio(Map<Variant, List<Slice>> results, Variant variant) {
		List<Slice> raw = results.get(Variant.RAW);
		List<Slice> own = results.get(variant);
		double[] ratios = new double[raw.size()];
		for (int i = 0; i < ratios.length; i++) {
			ratios[i] = own.get(i).perSecond() / raw.get(i).perSecond();
		}
		return String.format("%.3f (%.3f – %.3f)", quantile(ratios, 0.5), quantile(ratios, 0.25),
				quantile(ratios, 0.75));
	}

	/**
	 * Run {@code threads} workers for one slice; each call of {@code operation} is one
	 * acquisition, which returns whether it got a connection.
	 */
	private Slice timed(int threads, Operation operation) throws Exception {
		Waits waits = new Waits();
		AtomicLong completed = new AtomicLong();
		AtomicLong failed = new AtomicLong();
		long start = System.nanoTime();
		long end = start + this.slice.toNanos();
		ExecutorService workers = Executors.newFixedThreadPool(threads);
		List<Future<?>> results = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			results.add(workers.submit(() -> {
				while (System.nanoTime() < end) {
					if (operation.run(waits)) {
						completed.incrementAndGet();
					}
					else {
						failed.incrementAndGet();
					}
				}
				return null;
			}));
		}
		workers.shutdown();
		for (Future<?> result : results) {
			result.get(5, TimeUnit.MINUTES);
		}
		if (completed.get() == 0) {
			// a variant that does not work must fail the run, smoke runs included, not
			// report a ratio of zero
			throw new IllegalStateException("A slice of " + this.slice.toMillis() + " ms completed no acquisition ("
					+ failed.get() + " failed): the variant under measurement does not work");
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		return new Slice(completed.get() / seconds, completed.get(), failed.get(), waits.percentile(0.99),
				waits.percentile(0.5));
	}

	private static double median(double... values) {
		return quantile(values, 0.5);
	}

	private static double quantile(double[] values, double q) {
		if (values.length == 0) {
			return 0;
		}
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		double index = q * (sorted.length - 1);
		int low = (int) Math.floor(index);
		int high = (int) Math.ceil(index);
		return sorted[low] + (sorted[high] - sorted[low]) * (index - low);
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
	 * One slice of one variant.
	 *
	 * @param perSecond completed operations per second
	 * @param completed operations completed
	 * @param failed operations that failed
	 * @param p99Nanos 99th percentile of the acquisition wait
	 * @param p50Nanos median acquisition wait
	 */
	record Slice(double perSecond, long completed, long failed, long p99Nanos, long p50Nanos) {
	}

	/**
	 * Acquisition waits of one slice, from every worker.
	 */
	static final class Waits {

		private final List<long[]> chunks = Collections.synchronizedList(new ArrayList<>());

		private final ThreadLocal<long[]> current = new ThreadLocal<>();

		private final ThreadLocal<Integer> used = ThreadLocal.withInitial(() -> 0);

		void add(long nanos) {
			long[] chunk = this.current.get();
			int index = this.used.get();
			if (chunk == null || index == chunk.length) {
				chunk = new long[4096];
				Arrays.fill(chunk, -1);
				this.chunks.add(chunk);
				this.current.set(chunk);
				index = 0;
			}
			chunk[index] = nanos;
			this.used.set(index + 1);
		}

		long percentile(double q) {
			long[] all;
			synchronized (this.chunks) {
				all = this.chunks.stream().flatMapToLong(Arrays::stream).filter((each) -> each >= 0).sorted().toArray();
			}
			if (all.length == 0) {
				return 0;
			}
			return all[(int) Math.min(all.length - 1, Math.round(q * (all.length - 1)))];
		}

	}

	@FunctionalInterface
	interface Builder {

		Variant.Built build(Variant variant) throws Exception;

	}

	@FunctionalInterface
	interface Workload {

		Slice run(DataSource dataSource) throws Exception;

	}

	@FunctionalInterface
	interface Operation {

		boolean run(Waits waits) throws Exception;

	}


}
