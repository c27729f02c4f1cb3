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
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

/**
 * Measures every variant in the same JVM, alternating short slices in a random order,
 * and reports each variant's median throughput ratio to raw HikariCP measured in the
 * same round. On a shared, noisy machine, where absolute scores drift by tens of
 * percent between runs, ratios within one round are what can be compared.
 */
final class InterleavedHarness {

	private final int rounds;

	private final Duration slice;

	private final Random random = new Random(42);

	InterleavedHarness(int rounds, Duration slice) {
		this.rounds = rounds;
		this.slice = slice;
	}

	List<Row> run(int threads, int poolSize) throws Exception {
		Map<Variant, Variant.Built> built = new EnumMap<>(Variant.class);
		for (Variant variant : Variant.values()) {
			built.put(variant, variant.build(StubDriver.URL, poolSize, Duration.ofSeconds(30)));
		}
		try {
			for (Variant variant : Variant.values()) {
				slice(built.get(variant).dataSource(), threads);
			}
			Map<Variant, double[]> ratios = new EnumMap<>(Variant.class);
			Map<Variant, double[]> throughput = new EnumMap<>(Variant.class);
			for (Variant variant : Variant.values()) {
				ratios.put(variant, new double[this.rounds]);
				throughput.put(variant, new double[this.rounds]);
			}
			List<Variant> order = new ArrayList<>(List.of(Variant.values()));
			for (int round = 0; round < this.rounds; round++) {
				Collections.shuffle(order, this.random);
				Map<Variant, Double> opsPerSecond = new EnumMap<>(Variant.class);
				for (Variant variant : order) {
					opsPerSecond.put(variant, slice(built.get(variant).dataSource(), threads));
				}
				for (Variant variant : Variant.values()) {
					throughput.get(variant)[round] = opsPerSecond.get(variant);
					ratios.get(variant)[round] = opsPerSecond.get(variant) / opsPerSecond.get(Variant.RAW);
				}
			}
			List<Row> rows = new ArrayList<>();
			for (Variant variant : Variant.values()) {
				double[] r = ratios.get(variant);
				rows.add(new Row(variant.label(), threads, poolSize, quantile(throughput.get(variant), 0.5),
						quantile(r, 0.25), quantile(r, 0.5), quantile(r, 0.75)));
			}
			return rows;
		}
		finally {
			for (Variant.Built each : built.values()) {
				each.close();
			}
		}
	}

	/**
	 * Run {@code threads} threads borrowing and returning for one slice; return
	 * operations per second.
	 */
	private double slice(DataSource dataSource, int threads) throws Exception {
		CountDownLatch start = new CountDownLatch(1);
		AtomicLong operations = new AtomicLong();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		List<Thread> workers = new ArrayList<>();
		long[] window = new long[2];
		for (int i = 0; i < threads; i++) {
			Thread worker = new Thread(() -> {
				long count = 0;
				try {
					start.await();
					long deadline = window[1];
					while ((count & 63) != 0 || System.nanoTime() < deadline) {
						try (Connection connection = dataSource.getConnection()) {
							count++;
						}
					}
				}
				catch (InterruptedException | SQLException | RuntimeException ex) {
					failure.compareAndSet(null, ex);
					return;
				}
				operations.addAndGet(count);
			});
			worker.start();
			workers.add(worker);
		}
		window[0] = System.nanoTime();
		window[1] = window[0] + this.slice.toNanos();
		start.countDown();
		for (Thread worker : workers) {
			worker.join();
		}
		if (failure.get() != null || operations.get() == 0) {
			// a variant that does not work fails the run, smoke runs included
			throw new IllegalStateException("A slice completed " + operations.get() + " borrows: the variant under "
					+ "measurement does not work", failure.get());
		}
		return operations.get() / ((System.nanoTime() - window[0]) / 1e9);
	}

	static double quantile(double[] values, double q) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		double index = q * (sorted.length - 1);
		int low = (int) Math.floor(index);
		int high = (int) Math.ceil(index);
		return sorted[low] + (sorted[high] - sorted[low]) * (index - low);
	}

	/**
	 * One variant's result.
	 *
	 * @param variant the variant
	 * @param threads the threads
	 * @param poolSize the pool size
	 * @param medianOpsPerSecond median throughput
	 * @param ratioQ1 first quartile of the ratio to raw
	 * @param ratioMedian median ratio to raw
	 * @param ratioQ3 third quartile of the ratio to raw
	 */
	record Row(String variant, int threads, int poolSize, double medianOpsPerSecond, double ratioQ1,
			double ratioMedian, double ratioQ3) {

		String format() {
			return String.format("| %-8s | %d | %d | %,.0f | %.3f | %.3f – %.3f |", this.variant, this.threads,
					this.poolSize, this.medianOpsPerSecond, this.ratioMedian, this.ratioQ1, this.ratioQ3);
		}

	}

	static void report(int rounds, Duration slice, StringBuilder out) throws Exception {
		InterleavedHarness harness = new InterleavedHarness(rounds, slice);
		out.append(String.format("%nInterleaved: %d rounds of %d ms slices per variant, random order each round%n%n",
				rounds, slice.toMillis()));
		out.append("| variant | threads | pool | median ops/s | median ratio to raw | IQR of ratio |\n");
		out.append("|---|---|---|---|---|---|\n");
		for (int threads : new int[] { 1, 4 }) {
			for (int poolSize : new int[] { 8, 2 }) {
				for (Row row : harness.run(threads, poolSize)) {
					out.append(row.format()).append('\n');
				}
			}
		}
	}

}
