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

package io.github.poolwarden.reliability;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.support.SqlStates;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A bounded soak and a shutdown under load: nothing lost, nothing leaked, no thread
 * left behind.
 */
class SoakAndShutdownTests {

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("soak");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@Test
	void fiftyThreadsOnAPoolOfFiveWithKilledBackendsLeaveNothingBehind() {
		Faults.runner(database.jdbcUrl(), "spring.datasource.hikari.maximum-pool-size=5",
				"spring.datasource.hikari.connection-timeout=1000", "poolwarden.retry.max-retries=100",
				"poolwarden.retry.timeout=30s")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
				ExecutorService workers = Executors.newFixedThreadPool(50);
				Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
				long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
				List<Future<?>> loops = new ArrayList<>();
				for (int i = 0; i < 50; i++) {
					loops.add(workers.submit(() -> {
						while (System.nanoTime() < deadline) {
							try (Connection connection = dataSource.getConnection();
									Statement statement = connection.createStatement()) {
								statement.execute("SELECT pg_sleep(" + ThreadLocalRandom.current().nextInt(30) / 1000.0 + ")");
							}
							catch (SQLException ex) {
								failures.add(ex);
							}
						}
					}));
				}
				int kills = 0;
				while (System.nanoTime() < deadline) {
					await().pollDelay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(200, 800)))
						.atMost(Duration.ofSeconds(2))
						.until(() -> true);
					kills += database.terminateBackends();
				}
				workers.shutdown();
				assertThat(workers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
				for (Future<?> loop : loops) {
					loop.get(); // anything but an SQLException ended a worker: fail with it
				}

				assertThat(kills).isPositive();
				assertThat(failures.stream().map(SqlStates::find).map(String::valueOf).toList())
					.as("every failure is one of the server's own SQLStates")
					.allMatch(Faults.SERVER_STATES::contains);
				Faults.assertNothingLeaked(guarded);
				await().atMost(Duration.ofSeconds(10)).until(() -> guarded.getPool().getHikariPoolMXBean()
					.getIdleConnections() == guarded.getPool().getHikariPoolMXBean().getTotalConnections());
			});
	}

	@Test
	void shutdownWhileThreadsWaitFailsThemWithinTheirCurrentAttemptAndLeavesNoThread() throws Exception {
		List<Thread> before = List.copyOf(Thread.getAllStackTraces().keySet());
		Queue<Throwable> seen = new ConcurrentLinkedQueue<>();
		CountDownLatch done = new CountDownLatch(4);
		Faults.runner(database.jdbcUrl(), "spring.datasource.hikari.maximum-pool-size=1",
				"spring.datasource.hikari.minimum-idle=1", "spring.datasource.hikari.connection-timeout=250",
				"poolwarden.retry.max-retries=100", "poolwarden.retry.delay=2s", "poolwarden.retry.max-delay=2s",
				"poolwarden.retry.jitter=0ms", "poolwarden.retry.timeout=60s")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
				Connection held = dataSource.getConnection();
				CountDownLatch exhausted = new CountDownLatch(4);
				guarded.getRetry().setExhaustionListener((snapshot) -> exhausted.countDown());
				for (int i = 0; i < 4; i++) {
					Thread waiter = new Thread(() -> {
						try (Connection connection = dataSource.getConnection()) {
							seen.add(new AssertionError("got a connection from a closed pool"));
						}
						catch (SQLException ex) {
							seen.add(ex);
						}
						finally {
							done.countDown();
						}
					}, "waiter-" + i);
					waiter.start();
				}
				assertThat(exhausted.await(10, TimeUnit.SECONDS)).isTrue();
				long start = System.nanoTime();

				guarded.close();

				assertThat(done.await(5, TimeUnit.SECONDS)).as("every waiter failed within its current wait").isTrue();
				// A waiter is in HikariCP's queue, which a shutdown does not wake: it ends with
				// its current attempt (2 s here), not with its whole budget (60 s).
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2000 + 1000));
				held.close();
			});
		assertThat(seen).hasSize(4)
			.allSatisfy((failure) -> assertThat(failure).isInstanceOf(SQLException.class)
				.hasMessageContaining("closed"));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> Thread.getAllStackTraces().keySet().stream()
				.filter((thread) -> !before.contains(thread))
				.noneMatch((thread) -> thread.getName().startsWith("waiter-")
						|| thread.getName().startsWith("poolwarden-watch") || thread.getName().contains("faulty")));
	}

}
