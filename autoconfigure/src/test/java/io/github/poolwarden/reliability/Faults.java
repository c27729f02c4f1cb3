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
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.PoolWardenHealthContributorAutoConfiguration;
import io.github.poolwarden.retry.AcquisitionRetryStats;
import io.github.poolwarden.retry.PoolExhaustedException;
import io.github.poolwarden.support.SqlStates;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What every reliability test needs: a guarded context on a URL, a load of workers that
 * write and count, and the checks that nothing leaked.
 */
final class Faults {

	/**
	 * The SQLStates a server or the driver gives for a connection that died or could not
	 * be made: what callers may see during a fault, and nothing else.
	 */
	static final Set<String> SERVER_STATES = Set.of("57P01", "57P02", "57P03", "08006", "08003", "08001", "53300");

	static final Duration HEALTH_BOUND = Duration.ofMillis(1000 + 2000);

	private Faults() {
	}

	static ApplicationContextRunner runner(String url, String... properties) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					PoolWardenHealthContributorAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + url, "spring.datasource.hikari.pool-name=faulty",
					"spring.datasource.hikari.maximum-pool-size=5", "spring.datasource.hikari.minimum-idle=2",
					"spring.datasource.hikari.connection-timeout=1000", "poolwarden.health.timeout=1s",
					"poolwarden.utilization.sample-interval=50ms")
			.withPropertyValues(properties);
	}

	static Health timedHealth(HealthIndicator health) {
		long start = System.nanoTime();
		Health result = health.health();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("health answered within its bound")
			.isLessThan(HEALTH_BOUND);
		return result;
	}

	static void awaitHealth(HealthIndicator health, Status status, Duration within) {
		await().atMost(within).pollInterval(Duration.ofMillis(100))
			.until(() -> timedHealth(health).getStatus().equals(status));
	}

	static void assertNothingLeaked(GuardedDataSource guarded) {
		await().atMost(Duration.ofSeconds(10))
			.until(() -> guarded.getPool().getHikariPoolMXBean().getActiveConnections() == 0);
		assertThat(guarded.getTracker().holders()).as("holder registry").isEmpty();
		assertThat(guarded.getTracker().borrowed()).as("borrows equal returns").isEqualTo(guarded.getTracker().returned());
	}

	static long retries(GuardedDataSource guarded) {
		AcquisitionRetryStats stats = guarded.getRetry().getStats();
		return stats.recovered() + stats.exhausted();
	}

	/**
	 * Workers that each insert one row per operation into {@code events} until stopped,
	 * counting what succeeded and keeping what failed.
	 */
	static final class Load implements AutoCloseable {

		final AtomicInteger succeeded = new AtomicInteger();

		final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();

		private final ExecutorService workers;

		private final List<Future<?>> loops = new ArrayList<>();

		private final AtomicBoolean running = new AtomicBoolean(true);

		/**
		 * Start the workers. A worker ends only when stopped: an {@link SQLException} is
		 * kept and the loop goes on; anything else ends the worker, and {@link #close()}
		 * fails the test with it.
		 */
		Load(DataSource dataSource, int threads, String table) {
			this.workers = Executors.newFixedThreadPool(threads);
			for (int i = 0; i < threads; i++) {
				this.loops.add(this.workers.submit(() -> {
					while (this.running.get()) {
						try (Connection connection = dataSource.getConnection();
								Statement statement = connection.createStatement()) {
							statement.executeUpdate("INSERT INTO " + table + " SELECT 1 FROM pg_sleep(0.01)");
							this.succeeded.incrementAndGet();
						}
						catch (SQLException ex) {
							this.failures.add(ex);
						}
					}
				}));
			}
		}

		@Override
		public void close() throws Exception {
			this.running.set(false);
			this.workers.shutdown();
			assertThat(this.workers.awaitTermination(60, TimeUnit.SECONDS)).as("load stopped").isTrue();
			for (Future<?> loop : this.loops) {
				loop.get();
			}
		}

		List<String> failureStates() {
			return this.failures.stream().map(SqlStates::find).map(String::valueOf).toList();
		}

		void assertOnlyServerStates() {
			assertThat(this.failures).as("failures the callers saw")
				.noneMatch((failure) -> failure instanceof PoolExhaustedException);
			assertThat(failureStates()).as("SQLStates the callers saw").allMatch(SERVER_STATES::contains);
		}

	}

}
