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

package io.github.poolwarden.defaults;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.GuardedDatabaseHealthContributorAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.PoolWardenHealthContributorAutoConfiguration;
import io.github.poolwarden.autoconfigure.endpoint.PoolWardenEndpointAutoConfiguration;
import io.github.poolwarden.autoconfigure.metrics.PoolWardenMetricsAutoConfiguration;
import io.github.poolwarden.endpoint.PoolWardenEndpoint;
import io.github.poolwarden.retry.AcquisitionRetry;
import io.github.poolwarden.retry.PoolExhaustedException;
import io.github.poolwarden.testsupport.Churn;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * What a user gets who adds the starter and sets nothing but the pool size: Boot's 30 s
 * {@code connection-timeout}, actuator's default health, PoolWarden's defaults. Each
 * promise is shown here with nothing else tuned, and against a control that changes one
 * setting.
 */
@ExtendWith(OutputCaptureExtension.class)
class NothingTunedPostgresTests {

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("defaults");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					PoolWardenMetricsAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class,
					DataSourceHealthContributorAutoConfiguration.class, PoolWardenHealthContributorAutoConfiguration.class,
					GuardedDatabaseHealthContributorAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.hikari.maximum-pool-size=2", "management.endpoint.health.show-details=always");
	}

	/**
	 * A quiet start: an application that only adds the starter, against a healthy
	 * database, gets nothing above INFO from PoolWarden while it starts and serves its
	 * first requests. Advice about a setting the user did not choose (pgjdbc's
	 * socketTimeout) is a note in the pool's report.
	 */
	@Test
	void aHealthyStartLogsNothingAboveInfo(CapturedOutput output) {
		runner().run((context) -> {
			assertThat(context).hasNotFailed();
			DataSource dataSource = context.getBean(DataSource.class);
			try (Connection connection = dataSource.getConnection()) {
				assertThat(connection.isValid(1)).isTrue();
			}
			context.getBean(HealthEndpoint.class).health();

			assertThat(output.getOut().lines()
				.filter((line) -> line.contains(" i.g.p.") || line.contains(" io.github.poolwarden."))
				.filter((line) -> line.contains(" WARN ") || line.contains(" ERROR ")))
				.isEmpty();
			assertThat(context.getBean(GuardedDataSource.class).getNotes()).singleElement()
				.asString()
				.startsWith("socketTimeout is 0");
		});
	}

	/**
	 * The same budget for both: 16 callers on a pool of 2, each holding 40 ms, with a 1 s
	 * connection-timeout, in rounds of 5 s. HikariCP alone lets the thread that returns a
	 * connection take it straight back, and some callers wait out their whole second;
	 * with PoolWarden they are served in turn within the same second, and none fails. The
	 * control differs in one setting only: PoolWarden off. How many callers lose the race
	 * depends on the scheduler (12 to 23 a round on an idle machine, none in a rare round
	 * on a loaded one), so the control runs up to {@value #MAX_ROUNDS} rounds until the
	 * scenario shows, and PoolWarden runs as many.
	 */
	@Test
	void withTheSameBudgetCallersServedInTurnDoNotFailWhereHikariAloneFailsSome() throws Exception {
		String[] budget = { "spring.datasource.hikari.connection-timeout=1000" };
		long[] failed = new long[2];
		int[] rounds = new int[1];
		runner().withPropertyValues(budget).withPropertyValues("poolwarden.enabled=false").run((context) -> {
			while (failed[0] == 0 && rounds[0] < MAX_ROUNDS) {
				failed[0] += sameBudgetChurn(context.getBean(DataSource.class));
				rounds[0]++;
			}
		});
		runner().withPropertyValues(budget).run((context) -> {
			for (int round = 0; round < rounds[0]; round++) {
				failed[1] += sameBudgetChurn(context.getBean(DataSource.class));
			}
		});

		assertThat(failed[0]).as("HikariCP alone, 1 s budget, %d rounds: callers that waited it out", rounds[0])
			.isPositive();
		assertThat(failed[1]).as("PoolWarden, the same 1 s budget, %d rounds", rounds[0]).isZero();
	}

	private static final int MAX_ROUNDS = 4;

	private static long sameBudgetChurn(DataSource dataSource) throws Exception {
		java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
		long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		ExecutorService callers = Executors.newFixedThreadPool(16);
		List<Future<?>> loops = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			loops.add(callers.submit(() -> {
				while (System.nanoTime() - end < 0) {
					try (Connection connection = dataSource.getConnection();
							java.sql.Statement statement = connection.createStatement()) {
						statement.execute("SELECT pg_sleep(0.04)");
					}
					catch (java.sql.SQLTransientConnectionException ex) {
						failed.incrementAndGet();
					}
				}
				return null;
			}));
		}
		callers.shutdown();
		for (Future<?> loop : loops) {
			loop.get(60, TimeUnit.SECONDS);
		}
		return failed.get();
	}

	/**
	 * The hold-down keeps the critical level for a minute after the load ends: health and
	 * the endpoint say so, in the same response as the numbers that no longer show it.
	 */
	@Test
	void healthAndTheEndpointSayWhyTheLevelIsHeldAboveWhatTheirNumbersShow() throws Exception {
		runner().withConfiguration(AutoConfigurations.of(PoolWardenEndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=poolwarden")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				HealthIndicator poolwarden = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
				List<Connection> held = holdAll(dataSource, 2);
				assertThat(poolwarden.health(true).getDetails()).containsEntry("level", "critical");
				closeAll(held);

				Map<String, Object> details = poolwarden.health(true).getDetails();
				PoolWardenEndpoint.PoolState state = context.getBean(PoolWardenEndpoint.class)
					.pools()
					.pools()
					.values()
					.iterator()
					.next()
					.state();

				assertThat(details).containsEntry("active", 0).containsEntry("level", "critical");
				assertThat((String) details.get("levelHeld")).isNotBlank();
				assertThat(state.active()).isZero();
				assertThat(state.level()).isEqualTo("critical");
				assertThat(state.levelHeld()).isNotBlank();
			});
	}

	private static List<Connection> holdAll(DataSource dataSource, int count) throws SQLException {
		List<Connection> held = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			held.add(dataSource.getConnection());
		}
		return held;
	}

	private static void closeAll(List<Connection> connections) throws SQLException {
		for (Connection connection : connections) {
			connection.close();
		}
	}

	@Test
	void anExhaustedPoolIsRetriedWithinBootsBudgetAndTheOperatorHearsWhileTheCallerWaits(CapturedOutput output)
			throws Exception {
		runner().run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			List<Connection> held = holdAll(dataSource, 2);
			long start = System.nanoTime();
			CompletableFuture<Boolean> caller = CompletableFuture.supplyAsync(() -> {
				try (Connection connection = dataSource.getConnection()) {
					return connection.isValid(1);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});

			await().atMost(Duration.ofSeconds(10))
				.until(() -> output.getOut().contains("pool exhausted: a caller has waited"));
			Duration heard = Duration.ofNanos(System.nanoTime() - start);

			assertThat(caller).as("the caller is still waiting when the operator hears of it").isNotDone();
			assertThat(heard).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(10));
			assertThat(output.getOut().lines().filter((line) -> line.contains("pool exhausted: a caller has waited")))
				.singleElement()
				.asString()
				.contains(" WARN ")
				.contains("(active=2, idle=0, waiting=1, max=2)")
				.contains("budget 30000 ms, spring.datasource.hikari.connection-timeout")
				.contains("holders: 2 held by NothingTunedPostgresTests.holdAll(NothingTunedPostgresTests.java:");
			held.get(0).close();
			assertThat(caller.get(5, TimeUnit.SECONDS)).isTrue();
			held.get(1).close();
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("poolwarden.acquisitions.retried").tag("result", "recovered").functionCounter().count())
				.isOne();
			assertThat(registry.get("poolwarden.acquisitions.retried").tag("result", "exhausted").functionCounter().count())
				.isZero();
		});
		assertThat(output.getOut()).doesNotContain("will not be retried");
	}

	@Test
	void aConnectionReturnedWhileCallersWaitTheirTurnNeverGoesToANewcomer() throws Exception {
		runner().run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			AcquisitionRetry retry = context.getBean(GuardedDataSource.class).getRetry();
			List<Connection> held = holdAll(dataSource, 2);
			Queue<String> served = new ConcurrentLinkedQueue<>();
			CountDownLatch finish = new CountDownLatch(1);
			ExecutorService callers = Executors.newFixedThreadPool(3);
			try {
				Future<?> first = callers.submit(() -> borrowAndHold(dataSource, "first", served, finish));
				Future<?> second = callers.submit(() -> borrowAndHold(dataSource, "second", served, finish));
				// both waited out their first attempt (2 s of Boot's 30 s) and wait their turn
				await().atMost(Duration.ofSeconds(10)).until(() -> retry.queuedCallers() == 2);
				Future<?> newcomer = callers.submit(() -> borrowAndHold(dataSource, "newcomer", served, finish));
				await().atMost(Duration.ofSeconds(10)).until(() -> retry.waitingForTurn() == 1);

				// the connection returned while both wait goes to one of them, never to the
				// newcomer, which has not entered HikariCP's queue
				held.get(0).close();
				await().atMost(Duration.ofSeconds(10)).until(() -> served.size() == 1);
				assertThat(served.peek()).isIn("first", "second");
				assertThat(newcomer).isNotDone();

				held.get(1).close();
				finish.countDown();
				first.get(10, TimeUnit.SECONDS);
				second.get(10, TimeUnit.SECONDS);
				newcomer.get(10, TimeUnit.SECONDS);
			}
			finally {
				finish.countDown();
				callers.shutdownNow();
			}
			assertThat(served).containsExactlyInAnyOrder("first", "second", "newcomer");
			assertThat(retry.getStats().recovered()).isEqualTo(3);
		});
	}

	private static void borrowAndHold(DataSource dataSource, String name, Queue<String> served, CountDownLatch finish) {
		try (Connection connection = dataSource.getConnection()) {
			served.add(name);
			finish.await(30, TimeUnit.SECONDS);
		}
		catch (SQLException | InterruptedException ex) {
			throw new IllegalStateException(name + " got no connection", ex);
		}
	}

	@Test
	void aCallerThatNeverGetsOneUsesItsWholeBudgetAndNoMore() {
		runner().withPropertyValues("spring.datasource.hikari.connection-timeout=3000").run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			List<Connection> held = holdAll(dataSource, 2);
			long start = System.nanoTime();

			Throwable failure = catchThrowable(dataSource::getConnection);

			Duration took = Duration.ofNanos(System.nanoTime() - start);
			assertThat(failure).isInstanceOf(PoolExhaustedException.class)
				.hasMessageContaining("budget 3000 ms (spring.datasource.hikari.connection-timeout)");
			assertThat(((PoolExhaustedException) failure).getAttempts()).isEqualTo(4);
			assertThat(took).isBetween(Duration.ofMillis(2950), Duration.ofMillis(3000 + 1000));
			closeAll(held);
		});
	}

	@Test
	void healthAnswersInBoundedTimeWithEveryConnectionHeld() {
		runner().run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			List<Connection> held = holdAll(dataSource, 2);
			HealthEndpoint endpoint = context.getBean(HealthEndpoint.class);

			HealthDescriptor health = CompletableFuture.supplyAsync(endpoint::health).get(5, TimeUnit.SECONDS);

			assertThat(health.getStatus()).isEqualTo(Status.UP);
			IndicatedHealthDescriptor db = component(health, "db");
			assertThat(db.getStatus()).isEqualTo(Status.UP);
			assertThat(db.getDetails()).containsEntry("database", "PostgreSQL")
				.containsEntry("validationQuery", "isValid()")
				.containsEntry("saturated", true);
			IndicatedHealthDescriptor poolwarden = component(health, "poolwarden");
			assertThat(poolwarden.getStatus()).isEqualTo(Status.UP);
			assertThat(poolwarden.getDetails()).containsEntry("active", 2).containsEntry("level", "critical");
			closeAll(held);
		});
	}

	@Test
	void withoutPoolWardenBootsDbHealthWaitsOnTheSaturatedPool() {
		runner().withPropertyValues("poolwarden.enabled=false").run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			List<Connection> held = holdAll(dataSource, 2);
			HealthEndpoint endpoint = context.getBean(HealthEndpoint.class);

			Future<HealthDescriptor> health = CompletableFuture.supplyAsync(endpoint::health);

			assertThat(catchThrowable(() -> health.get(5, TimeUnit.SECONDS))).isInstanceOf(TimeoutException.class);
			closeAll(held);
			assertThat(health.get(30, TimeUnit.SECONDS).getStatus()).isEqualTo(Status.UP);
		});
	}

	@Test
	void aPoolOfTwoUnderChurnLogsOneLineForTheCriticalLevel(CapturedOutput output) throws Exception {
		runner().run((context) -> Churn.run(context.getBean(DataSource.class), Duration.ofSeconds(8)));

		assertThat(lines(output, "crossed critical threshold")).isOne();
		assertThat(lines(output, "back below")).isZero();
		assertThat(lines(output, "crossed warning threshold")).isZero();
	}

	@Test
	void withoutTheHoldDownTheSameChurnFlaps(CapturedOutput output) {
		runner().withPropertyValues("poolwarden.utilization.hold-down=0s").run((context) -> {
			AtomicBoolean stop = new AtomicBoolean();
			Future<?> load = Executors.newSingleThreadExecutor()
				.submit(() -> Churn.run(context.getBean(DataSource.class), Duration.ofSeconds(20), stop));
			await().atMost(Duration.ofSeconds(20)).until(() -> lines(output, "crossed critical threshold") >= 2);
			stop.set(true);
			load.get(10, TimeUnit.SECONDS);
		});

		assertThat(lines(output, "back below warning threshold")).isPositive();
	}

	@Test
	void afterTheChurnTheLevelIsLeftOnceTheHoldDownHasPassed(CapturedOutput output) {
		runner().withPropertyValues("poolwarden.utilization.hold-down=3s").run((context) -> {
			Churn.run(context.getBean(DataSource.class), Duration.ofSeconds(4));

			await().atMost(Duration.ofSeconds(10)).until(() -> lines(output, "back below warning threshold") == 1);
			assertThat(lines(output, "crossed critical threshold")).isOne();
		});
	}

	private static long lines(CapturedOutput output, String text) {
		return output.getOut().lines().filter((line) -> line.contains(text)).count();
	}

	private static IndicatedHealthDescriptor component(HealthDescriptor health, String name) {
		return (IndicatedHealthDescriptor) ((CompositeHealthDescriptor) health).getComponents().get(name);
	}

}
