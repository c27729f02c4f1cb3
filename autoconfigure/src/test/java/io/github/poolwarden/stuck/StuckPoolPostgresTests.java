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

package io.github.poolwarden.stuck;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.GuardedDatabaseHealthContributorAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.PoolWardenHealthContributorAutoConfiguration;
import io.github.poolwarden.testsupport.TcpForwarder;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stuck pool told from a busy one, against a real PostgreSQL: every connection leaked
 * while callers wait and the database answers is DOWN with {@code "stuck": true}, the
 * holders and the oldest waiter, in one ERROR line; UP again as soon as a borrow
 * completes; a saturated pool whose connections keep coming back is never stuck.
 */
@ExtendWith(OutputCaptureExtension.class)
class StuckPoolPostgresTests {

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("stuck");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					PoolWardenHealthContributorAutoConfiguration.class,
					GuardedDatabaseHealthContributorAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.hikari.pool-name=stuck", "spring.datasource.hikari.maximum-pool-size=2");
	}

	/**
	 * Stuck after 4 s: by then the waiter has made its first attempt (2 s with Boot's
	 * 30 s connection-timeout) and waits in the retry, where it is known by name.
	 */
	@Test
	void aPoolWhoseConnectionsNeverComeBackIsStuckUntilOneDoes(CapturedOutput output) throws Exception {
		runner().withPropertyValues("poolwarden.health.stuck-after=4s").run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			List<Connection> leaked = leakEveryConnection(dataSource);
			ExecutorService callers = Executors.newSingleThreadExecutor((runnable) -> new Thread(runnable, "caller-1"));
			try {
				Future<Connection> waiting = callers.submit(() -> dataSource.getConnection());

				await().atMost(Duration.ofSeconds(15)).until(() -> status(context).equals(Status.DOWN));
				Health stuck = poolwarden(context).health(true);
				assertThat(stuck.getDetails()).containsEntry("stuck", true)
					.containsEntry("database", "answers")
					.containsEntry("active", 2);
				assertThat((List<?>) stuck.getDetails().get("holders")).singleElement()
					.asString()
					.startsWith("2 held by StuckPoolPostgresTests.leakEveryConnection(");
				assertThat(((Map<?, ?>) stuck.getDetails().get("oldestWaiter")).get("thread")).isEqualTo("caller-1");
				assertThat(db(context).health(true).getStatus()).as("the database itself is fine").isEqualTo(Status.UP);
				assertThat(stuckLines(output)).hasSize(1).first().asString()
					.contains("stuck - stuck: no borrow has completed for ")
					.contains("2 held by StuckPoolPostgresTests.leakEveryConnection(")
					.contains("thread 'caller-1'")
					.contains("poolwarden.health.stuck-after=4s");

				leaked.remove(0).close();
				waiting.get(10, TimeUnit.SECONDS).close();

				await().atMost(Duration.ofSeconds(5)).until(() -> status(context).equals(Status.UP));
				assertThat(poolwarden(context).health(true).getDetails()).containsEntry("stuck", false);
				assertThat(output.getOut()).contains("stuck - no longer stuck: a borrow completed after ");
				assertThat(stuckLines(output)).as("one ERROR line for the episode").hasSize(1);
			}
			finally {
				callers.shutdownNow();
				close(leaked);
			}
		});
	}

	/**
	 * The control: the same leak and the same waiter with stuck pools not told.
	 */
	@Test
	void withStuckAfterZeroAPoolWhoseConnectionsNeverComeBackStaysUp(CapturedOutput output) throws Exception {
		runner().withPropertyValues("poolwarden.health.stuck-after=0").run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			List<Connection> leaked = leakEveryConnection(dataSource);
			ExecutorService callers = Executors.newSingleThreadExecutor();
			try {
				callers.submit(() -> dataSource.getConnection());
				await().atMost(Duration.ofSeconds(5))
					.until(() -> ((Integer) poolwarden(context).health(true).getDetails().get("waiting")) > 0);
				GuardedDataSource guarded = context.getBean(GuardedDataSource.class);

				await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> {
					Health health = poolwarden(context).health(true);
					return health.getStatus().equals(Status.UP) && health.getDetails().get("stuck").equals(false);
				});

				assertThat(guarded.isStuck()).isFalse();
				assertThat(stuckLines(output)).isEmpty();
			}
			finally {
				callers.shutdownNow();
				close(leaked);
			}
		});
	}

	/**
	 * The same leak while the database refuses every new connection: DOWN because the
	 * database does not answer, never stuck, since restarting the instance would not help.
	 */
	@Test
	void aPoolWhoseDatabaseDoesNotAnswerIsDownButNeverStuck(CapturedOutput output) throws Exception {
		try (TcpForwarder forwarder = TcpForwarder.toTestServer()) {
			forwarder.open();
			runner().withPropertyValues("spring.datasource.url=" + database.jdbcUrlVia(forwarder.port()),
					"poolwarden.health.stuck-after=4s", "poolwarden.health.probe-interval=1s")
				.run((context) -> {
					DataSource dataSource = context.getBean(DataSource.class);
					List<Connection> leaked = leakEveryConnection(dataSource);
					ExecutorService callers = Executors.newSingleThreadExecutor();
					try {
						forwarder.refuseNew();
						callers.submit(() -> dataSource.getConnection());

						await().atMost(Duration.ofSeconds(15)).until(() -> status(context).equals(Status.DOWN));
						await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() -> {
							Health health = poolwarden(context).health(true);
							return health.getStatus().equals(Status.DOWN) && health.getDetails().get("stuck").equals(false)
									&& health.getDetails().get("database").equals("does not answer");
						});

						assertThat(stuckLines(output)).isEmpty();
					}
					finally {
						callers.shutdownNow();
						close(leaked);
					}
				});
		}
	}

	@Test
	void aSaturatedPoolWhoseConnectionsKeepComingBackIsNeverStuck(CapturedOutput output) throws Exception {
		runner().withPropertyValues("poolwarden.health.stuck-after=1s").run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			AtomicBoolean running = new AtomicBoolean(true);
			AtomicInteger completed = new AtomicInteger();
			ExecutorService workers = Executors.newFixedThreadPool(6);
			List<Future<?>> loops = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				loops.add(workers.submit(() -> {
					while (running.get()) {
						try (Connection connection = dataSource.getConnection();
								Statement statement = connection.createStatement()) {
							statement.execute("SELECT pg_sleep(0.1)");
						}
						completed.incrementAndGet();
					}
					return null;
				}));
			}
			AtomicBoolean sawWaiters = new AtomicBoolean();
			try {
				await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> {
					Health health = poolwarden(context).health(true);
					if (((Integer) health.getDetails().get("waiting")) > 0) {
						sawWaiters.set(true);
					}
					return health.getStatus().equals(Status.UP) && health.getDetails().get("stuck").equals(false);
				});
			}
			finally {
				running.set(false);
				workers.shutdown();
			}
			for (Future<?> loop : loops) {
				loop.get(30, TimeUnit.SECONDS);
			}

			assertThat(sawWaiters).as("callers waited: the pool was saturated").isTrue();
			assertThat(completed.get()).isGreaterThan(40);
			assertThat(stuckLines(output)).isEmpty();
		});
	}

	private static List<Connection> leakEveryConnection(DataSource dataSource) throws SQLException {
		List<Connection> leaked = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			leaked.add(dataSource.getConnection());
		}
		return leaked;
	}

	private static void close(List<Connection> connections) throws SQLException {
		for (Connection connection : connections) {
			connection.close();
		}
	}

	private static List<String> stuckLines(CapturedOutput output) {
		return output.getOut().lines().filter((line) -> line.contains("ERROR") && line.contains(" - stuck: ")).toList();
	}

	private static Status status(AssertableApplicationContext context) {
		return poolwarden(context).health(true).getStatus();
	}

	private static HealthIndicator poolwarden(AssertableApplicationContext context) {
		return context.getBean("poolwardenHealthContributor", HealthIndicator.class);
	}

	private static HealthIndicator db(AssertableApplicationContext context) {
		return context.getBean("dbHealthContributor", HealthIndicator.class);
	}

}
