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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;

import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks. {@code smoke} runs one short iteration of everything (what CI
 * runs); {@code all} runs the full set; {@code jmh}, {@code interleaved} and {@code e2e}
 * run one part. The end-to-end part needs {@code POOLWARDEN_BENCH_JDBC_URL} (or
 * {@code POOLWARDEN_TEST_JDBC_URL}): a role that may create a database.
 */
public final class BenchmarkMain {

	private BenchmarkMain() {
	}

	public static void main(String[] args) throws Exception {
		String mode = (args.length > 0) ? args[0] : "smoke";
		boolean smoke = mode.equals("smoke");
		boolean all = smoke || mode.equals("all");
		Files.createDirectories(Path.of("target"));
		StringBuilder out = new StringBuilder();
		out.append(String.format("PoolWarden benchmarks, %s, %s, %d cores, Java %s (%s)%n", mode, LocalDate.now(),
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
				System.getProperty("java.vm.name")));
		if (all || mode.equals("jmh")) {
			jmh(smoke);
		}
		if (all || mode.equals("interleaved")) {
			InterleavedHarness.report(smoke ? 2 : 40, Duration.ofMillis(smoke ? 50 : 250), out);
		}
		if (all || mode.equals("e2e")) {
			String url = System.getenv("POOLWARDEN_BENCH_JDBC_URL");
			if (url == null || url.isBlank()) {
				url = System.getenv("POOLWARDEN_TEST_JDBC_URL");
			}
			if (url == null || url.isBlank()) {
				throw new IllegalStateException("The end-to-end benchmark needs POOLWARDEN_BENCH_JDBC_URL or "
						+ "POOLWARDEN_TEST_JDBC_URL: the JDBC URL of a PostgreSQL role that may create a database");
			}
			new EndToEnd(url, smoke).report(out);
		}
		System.out.println();
		System.out.print(out);
		Path report = Path.of("target", "benchmark-" + mode + ".md");
		Files.writeString(report, out);
		System.out.println("Report written to " + report.toAbsolutePath());
	}

	private static void jmh(boolean smoke) throws Exception {
		run(CaptureCostBenchmark.class.getSimpleName() + "|" + StackCaptureBenchmark.class.getSimpleName(), 1, smoke,
				"target/jmh-capture.txt");
		for (int threads : new int[] { 1, 4 }) {
			run(GetAndCloseBenchmark.class.getSimpleName(), threads, smoke, "target/jmh-threads-" + threads + ".txt");
		}
	}

	private static void run(String include, int threads, boolean smoke, String result) throws Exception {
		ChainedOptionsBuilder options = new OptionsBuilder().include(include)
			.threads(threads)
			.shouldFailOnError(true);
		if (smoke) {
			options.forks(0).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(100));
		}
		else {
			options.forks(2)
				.warmupIterations(3)
				.warmupTime(TimeValue.seconds(1))
				.measurementIterations(5)
				.measurementTime(TimeValue.seconds(1))
				.addProfiler("gc")
				.resultFormat(ResultFormatType.TEXT)
				.result(result);
		}
		new Runner(options.build()).run();
	}

}
