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

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.poolwarden.pool.HikariVersion;

import org.springframework.core.task.SimpleAsyncTaskExecutor;

/**
 * Incident 001's burst on virtual threads, through PoolWarden's defaults: the CPU time
 * the JVM burns per acquisition, which shows whether HikariCP spins while it hands a
 * returned connection to a waiter (HikariCP issue 2398, fixed in 7.1.0). Run in its own
 * JVM, once with the HikariCP the benchmarks were built with and once with another
 * placed first on the class path; needs Java 21 or newer.
 */
public final class VirtualThreadBurst {

	private VirtualThreadBurst() {
	}

	public static void main(String[] args) throws Exception {
		String adminUrl = args[0];
		int rounds = Integer.parseInt(args[1]);
		String database = "pw_bench_vt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
		admin(adminUrl, "CREATE DATABASE " + database);
		String url = EndToEnd.withDatabase(adminUrl, database);
		try {
			int poolSize = (args.length > 2) ? Integer.parseInt(args[2]) : 5;
			String query = (args.length > 3) ? args[3] : "SELECT pg_sleep(0.002)";
			try (Variant.Built built = Variant.DEFAULTS.build(url, poolSize, Duration.ofSeconds(30))) {
				burst(built.dataSource(), query);
				double cpu = 0;
				double wall = 0;
				long acquisitions = 0;
				for (int round = 0; round < rounds; round++) {
					long cpuBefore = processCpuNanos();
					long start = System.nanoTime();
					acquisitions += burst(built.dataSource(), query);
					wall += (System.nanoTime() - start) / 1e9;
					cpu += (processCpuNanos() - cpuBefore) / 1e9;
				}
				System.out.printf("| %s | %d | %.1f | %.1f | %.2f | %.0f |%n", HikariVersion.current(), acquisitions,
						wall, cpu, cpu / wall, cpu * 1e6 / acquisitions);
			}
		}
		finally {
			admin(adminUrl, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
		}
	}

	/**
	 * 320 tasks, each on its own virtual thread, each taking 12 connections in sequence
	 * from a pool of 5 and running a 2 ms query with each.
	 */
	private static long burst(DataSource dataSource, String query) throws Exception {
		SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor();
		executor.setVirtualThreads(true);
		List<Future<Integer>> tasks = new ArrayList<>();
		for (int task = 0; task < 320; task++) {
			tasks.add(executor.submit(() -> {
				for (int step = 0; step < 12; step++) {
					try (Connection connection = dataSource.getConnection();
							Statement statement = connection.createStatement()) {
						statement.execute(query);
					}
				}
				return 12;
			}));
		}
		long acquisitions = 0;
		for (Future<Integer> task : tasks) {
			acquisitions += task.get(5, TimeUnit.MINUTES);
		}
		return acquisitions;
	}

	private static long processCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	private static void admin(String url, String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}
