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

package io.github.poolwarden.health;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.GuardedDatabaseHealthContributorAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.PoolWardenHealthContributorAutoConfiguration;
import io.github.poolwarden.pool.DatabaseProbe;
import io.github.poolwarden.testsupport.TcpForwarder;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What health costs the database, counted on the server ({@code pg_stat_database.sessions}):
 * a working pool answers for its database without a new session, a pool whose every
 * connection is held opens at most one per probe interval, and a database that goes away
 * is still DOWN within the probe interval plus the health timeout. Nothing is tuned but
 * the pool size, so the figures are the defaults' (probe interval 10 s, timeout 1 s).
 */
class HealthCostPostgresTests {

	/**
	 * poolwarden.health.timeout (1 s) plus room for a busy 2-core machine: an answer
	 * within the health timeout, never one that waits for the pool (30 s).
	 */
	private static final Duration CALL_BOUND = Duration.ofMillis(1000 + 1500);

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("health_cost");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner(String url, int poolSize) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					PoolWardenHealthContributorAutoConfiguration.class,
					GuardedDatabaseHealthContributorAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + url, "spring.datasource.hikari.pool-name=cost",
					"spring.datasource.hikari.maximum-pool-size=" + poolSize);
	}

	@Test
	void aHundredHealthCallsOnAnIdlePoolOpenAtMostOneSession() {
		runner(database.jdbcUrl(), 5).run((context) -> {
			long before = database.settledSessionsOpened();

			List<Health> answers = callBoth(context, 100);

			long sessions = sessionsSince(before);
			figure("100 calls of db and poolwarden on an idle pool", sessions, context);
			assertThat(answers).allSatisfy((health) -> assertThat(health.getStatus()).isEqualTo(Status.UP));
			assertThat(sessions).isLessThanOrEqualTo(1);
			assertThat(probe(context).answers(DatabaseProbe.Source.NEW_CONNECTION)).isZero();
			assertThat(probe(context).answers(DatabaseProbe.Source.IDLE_CONNECTION)).isBetween(1L, 2L);
		});
	}

	@Test
	void aHundredHealthCallsOnAPoolServingTrafficOpenAtMostOneSessionAndAskNothing() {
		runner(database.jdbcUrl(), 5).run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			query(dataSource);
			callBoth(context, 1);
			long before = database.settledSessionsOpened();
			AtomicBoolean serving = new AtomicBoolean(true);
			Thread traffic = new Thread(() -> {
				while (serving.get()) {
					query(dataSource);
				}
			}, "traffic");
			traffic.start();
			long idleChecksBefore = probe(context).answers(DatabaseProbe.Source.IDLE_CONNECTION);

			List<Health> answers;
			try {
				answers = callBoth(context, 100);
				// returns stamped after the first check's answer: the tracker's clock moves
				// every sample interval (1 s)
				await().atMost(Duration.ofSeconds(5))
					.until(() -> callBoth(context, 1).size() > 0
							&& probe(context).answers(DatabaseProbe.Source.POOL_TRAFFIC) > 0);
			}
			finally {
				serving.set(false);
				traffic.join(10_000);
			}

			long sessions = sessionsSince(before);
			figure("100 calls of db and poolwarden on a pool serving traffic", sessions, context);
			assertThat(answers).allSatisfy((health) -> assertThat(health.getStatus()).isEqualTo(Status.UP));
			assertThat(sessions).isLessThanOrEqualTo(1);
			assertThat(probe(context).answers(DatabaseProbe.Source.NEW_CONNECTION)).isZero();
			assertThat(probe(context).answers(DatabaseProbe.Source.IDLE_CONNECTION) - idleChecksBefore)
				.isLessThanOrEqualTo(1);
		});
	}

	@Test
	void callsEvery250MillisFor12SecondsOnAPoolWhoseEveryConnectionIsHeldOpenAtMostThreeSessions()
			throws Exception {
		List<Health> answers = callsWhileEveryConnectionIsHeld(runner(database.jdbcUrl(), 3), 48);

		assertThat(answers).hasSize(2 * 48)
			.allSatisfy((health) -> assertThat(health.getStatus()).isEqualTo(Status.UP));
		assertThat(answers).filteredOn((health) -> health.getDetails().containsKey("saturated"))
			.allSatisfy((health) -> assertThat(health.getDetails()).containsEntry("saturated", true));
		assertThat(this.lastSessions).isBetween(1L, 3L);
	}

	/**
	 * The control: the same calls with answers standing for one call only open a session
	 * each, so the count above is the interval's doing and the server counts them.
	 */
	@Test
	void withoutTheIntervalEveryCallOnAPoolWhoseEveryConnectionIsHeldOpensASession() throws Exception {
		List<Health> answers = callsWhileEveryConnectionIsHeld(
				runner(database.jdbcUrl(), 3).withPropertyValues("poolwarden.health.probe-interval=1ms"), 20);

		assertThat(answers).allSatisfy((health) -> assertThat(health.getStatus()).isEqualTo(Status.UP));
		assertThat(this.lastSessions).isGreaterThanOrEqualTo(20);
	}

	private long lastSessions;

	private List<Health> callsWhileEveryConnectionIsHeld(ApplicationContextRunner runner, int calls)
			throws Exception {
		List<Health> answers = new ArrayList<>();
		runner.run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			List<Connection> held = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				held.add(dataSource.getConnection());
			}
			long before = database.settledSessionsOpened();
			ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor();
			CountDownLatch done = new CountDownLatch(calls);
			try {
				prober.scheduleAtFixedRate(() -> {
					if (done.getCount() > 0) {
						answers.addAll(callBoth(context, 1));
						done.countDown();
					}
				}, 0, 250, TimeUnit.MILLISECONDS);
				assertThat(done.await(calls * 250L + 30_000, TimeUnit.MILLISECONDS)).isTrue();
			}
			finally {
				prober.shutdownNow();
				prober.awaitTermination(10, TimeUnit.SECONDS);
				for (Connection connection : held) {
					connection.close();
				}
			}
			this.lastSessions = sessionsSince(before);
			figure(calls + " calls of db and poolwarden, one every 250 ms, every connection held", this.lastSessions,
					context);
		});
		return answers;
	}

	@Test
	void aDatabaseThatGoesAwayIsDownWithinTheProbeIntervalPlusTheTimeoutAndDbStillNamesIt() throws Exception {
		try (TcpForwarder forwarder = TcpForwarder.toTestServer()) {
			forwarder.open();
			runner(database.jdbcUrlVia(forwarder.port()), 3).run((context) -> {
				assertThat(callBoth(context, 1)).allSatisfy((health) -> assertThat(health.getStatus()).isEqualTo(Status.UP));
				Duration interval = probe(context).getInterval();

				forwarder.cut();
				long cutAt = System.nanoTime();
				AtomicLong downAfter = new AtomicLong(-1);
				await().atMost(interval.plus(Duration.ofSeconds(10))).pollInterval(Duration.ofMillis(250)).until(() -> {
					List<Health> both = callBoth(context, 1);
					boolean down = both.stream().allMatch((health) -> health.getStatus().equals(Status.DOWN));
					if (down) {
						downAfter.set(System.nanoTime() - cutAt);
					}
					return down;
				});

				System.out.println("[figure] a database cut away: both components DOWN after "
						+ Duration.ofNanos(downAfter.get()).toMillis() + " ms");
				assertThat(Duration.ofNanos(downAfter.get())).isLessThanOrEqualTo(
						interval.plus(probe(context).getTimeout()).plus(Duration.ofMillis(1500)));
				Health db = indicator(context, "dbHealthContributor").health(true);
				assertThat(db.getDetails()).containsEntry("database", "PostgreSQL");

				forwarder.open();
				await().atMost(interval.plus(Duration.ofSeconds(10)))
					.pollInterval(Duration.ofMillis(250))
					.until(() -> callBoth(context, 1).stream()
						.allMatch((health) -> health.getStatus().equals(Status.UP)));
			});
		}
	}

	/**
	 * Print a measured figure, for RELIABILITY.md.
	 */
	private static void figure(String what, long sessions, AssertableApplicationContext context) {
		DatabaseProbe probe = probe(context);
		System.out.println("[figure] " + what + ": " + sessions + " sessions on the server; answers by "
				+ DatabaseProbe.Source.POOL_TRAFFIC.tagValue() + " " + probe.answers(DatabaseProbe.Source.POOL_TRAFFIC)
				+ ", " + DatabaseProbe.Source.IDLE_CONNECTION.tagValue() + " "
				+ probe.answers(DatabaseProbe.Source.IDLE_CONNECTION) + ", "
				+ DatabaseProbe.Source.NEW_CONNECTION.tagValue() + " "
				+ probe.answers(DatabaseProbe.Source.NEW_CONNECTION));
	}

	private static List<Health> callBoth(AssertableApplicationContext context, int times) {
		HealthIndicator db = indicator(context, "dbHealthContributor");
		HealthIndicator poolwarden = indicator(context, "poolwardenHealthContributor");
		List<Health> answers = new ArrayList<>();
		for (int i = 0; i < times; i++) {
			for (HealthIndicator indicator : List.of(db, poolwarden)) {
				long start = System.nanoTime();
				Health health = indicator.health(true);
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(CALL_BOUND);
				answers.add(health);
			}
		}
		return answers;
	}

	private static HealthIndicator indicator(AssertableApplicationContext context, String name) {
		return context.getBean(name, HealthIndicator.class);
	}

	private static DatabaseProbe probe(AssertableApplicationContext context) {
		return context.getBean(GuardedDataSource.class).getDatabaseProbe();
	}

	/**
	 * The sessions opened since a reading, once the server's statistics have settled.
	 */
	private static long sessionsSince(long before) {
		return database.settledSessionsOpened() - before;
	}

	private static void query(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("SELECT 1");
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
