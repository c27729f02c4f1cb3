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

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks. {@code smoke} runs one short iteration of everything (what CI
 * runs); {@code all} runs the full set; {@code jmh}, {@code interleaved}, {@code e2e} and
 * {@code virtual} run one part; {@code exhaustion} only the same-budget exhaustion burst,
 * {@code steady} only the headline steady load, raw against the defaults
 * ({@code POOLWARDEN_BENCH_ROUNDS} rounds, 5 unless set). The end-to-end part needs {@code POOLWARDEN_BENCH_JDBC_URL} (or
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
		out.append(String.format("PoolWarden benchmarks, %s, %s, at %s, %d cores, Java %s (%s)%n", mode, LocalDate.now(),
				commit(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
				System.getProperty("java.vm.name")));
		if (all || mode.equals("jmh")) {
			jmh(smoke);
		}
		if (all || mode.equals("interleaved")) {
			InterleavedHarness.report(smoke ? 2 : 40, Duration.ofMillis(smoke ? 50 : 250), out);
		}
		if (all || mode.equals("e2e")) {
			new EndToEnd(jdbcUrl(), smoke).report(out, "all");
		}
		if (mode.equals("exhaustion") || mode.equals("steady")) {
			new EndToEnd(jdbcUrl(), false).report(out, mode);
		}
		if (all || mode.equals("virtual")) {
			virtualThreads(jdbcUrl(), smoke ? 1 : 5, out);
		}
		System.out.println();
		System.out.print(out);
		Path report = Path.of("target", "benchmark-" + mode + ".md");
		Files.writeString(report, out);
		System.out.println("Report written to " + report.toAbsolutePath());
	}

	/**
	 * The commit the benchmarks measure, as {@code git describe --always --dirty} reads it
	 * where they run ("-dirty" when the working tree has changes), or "an unknown commit".
	 */
	private static String commit() {
		try {
			Process git = new ProcessBuilder("git", "describe", "--always", "--dirty").redirectErrorStream(true).start();
			String described = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			return (git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0) ? "`" + described + "`"
					: "an unknown commit";
		}
		catch (IOException ex) {
			return "an unknown commit";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "an unknown commit";
		}
	}

	private static String jdbcUrl() {
		String url = System.getenv("POOLWARDEN_BENCH_JDBC_URL");
		if (url == null || url.isBlank()) {
			url = System.getenv("POOLWARDEN_TEST_JDBC_URL");
		}
		if (url == null || url.isBlank()) {
			throw new IllegalStateException("The end-to-end benchmarks need POOLWARDEN_BENCH_JDBC_URL or "
					+ "POOLWARDEN_TEST_JDBC_URL: the JDBC URL of a PostgreSQL role that may create a database");
		}
		return url;
	}

	/**
	 * Incident 001's burst on virtual threads, in a JVM of its own for each HikariCP
	 * version: the one the benchmarks were built with, and every jar in
	 * {@code target/hikaricp} placed first on the class path. Needs Java 21 or newer, or
	 * {@code POOLWARDEN_BENCH_JAVA21} pointing at such a {@code java}.
	 */
	private static void virtualThreads(String url, int rounds, StringBuilder out) throws Exception {
		String java = System.getenv("POOLWARDEN_BENCH_JAVA21");
		if (java == null || java.isBlank()) {
			if (Runtime.version().feature() < 21) {
				out.append("\nVirtual threads: skipped, this JVM is Java ").append(Runtime.version().feature())
					.append("; run on Java 21+ or set POOLWARDEN_BENCH_JAVA21 to a Java 21+ `java`\n");
				return;
			}
			java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		}
		String jar = Path.of("target", "benchmarks.jar").toString();
		List<String> classPaths = new ArrayList<>(List.of(jar));
		Path alternatives = Path.of("target", "hikaricp");
		if (Files.isDirectory(alternatives)) {
			try (var jars = Files.list(alternatives)) {
				jars.filter((each) -> each.toString().endsWith(".jar"))
					.sorted()
					.forEach((each) -> classPaths.add(each + File.pathSeparator + jar));
			}
		}
		out.append(String.format("%nVirtual threads: incident 001's burst (320 tasks x 12 acquisitions, a 2 ms query "
				+ "each) on a virtual thread per task, pool of 5, PoolWarden's defaults; %d bursts per JVM%n%n", rounds));
		out.append("| HikariCP | acquisitions | wall s | CPU s | cores busy | CPU µs per acquisition |\n"
				+ "|---|---|---|---|---|---|\n");
		for (String classPath : classPaths) {
			Process process = new ProcessBuilder(java, "-cp", classPath, VirtualThreadBurst.class.getName(), url,
					String.valueOf(rounds))
				.redirectErrorStream(true)
				.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
				throw new IllegalStateException("Virtual-thread burst failed:\n" + output);
			}
			output.lines().filter((line) -> line.startsWith("| ")).forEach((line) -> out.append(line).append('\n'));
		}
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
