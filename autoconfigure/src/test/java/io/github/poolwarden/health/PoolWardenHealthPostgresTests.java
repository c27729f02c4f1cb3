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
import java.sql.DriverManager;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
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
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The {@code poolwarden} health indicator against a real PostgreSQL behind a forwarder
 * that can cut or black-hole the link: UP while saturated, DOWN within its bound when the
 * database does not answer, UP again when it does.
 */
@ExtendWith(OutputCaptureExtension.class)
class PoolWardenHealthPostgresTests {

	/**
	 * poolwarden.health.timeout (1 s) plus room for a busy 2-core machine. What the bound
	 * tells apart is an answer within the health timeout from one that waits for the pool
	 * or the driver's own timeouts (10 s and more), so it can afford to be generous.
	 */
	private static final Duration BOUND = Duration.ofMillis(1000 + 2000);

	/**
	 * How long an answer stands here (10 s by default): what the pool cannot answer for
	 * itself is asked again this often, so a change is seen within it plus the timeout.
	 */
	private static final Duration INTERVAL = Duration.ofSeconds(1);

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("health");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner(String url) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					PoolWardenHealthContributorAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + url, "spring.datasource.hikari.pool-name=healthy",
					"spring.datasource.hikari.maximum-pool-size=3", "spring.datasource.hikari.connection-timeout=250",
					"poolwarden.health.timeout=1s", "poolwarden.health.probe-interval=" + INTERVAL.toMillis() + "ms");
	}

	@Test
	void upWhileSaturatedDownWhileUnreachableAndUpAgain() throws Exception {
		try (TcpForwarder forwarder = TcpForwarder.toTestServer()) {
			forwarder.open();
			String url = database.jdbcUrlVia(forwarder.port());
			runner(url).run((context) -> {
				HealthIndicator health = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
				DataSource dataSource = context.getBean(DataSource.class);
				List<Connection> held = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					held.add(dataSource.getConnection());
				}
				assertThat(timed(health).getStatus()).isEqualTo(Status.UP);

				forwarder.cut();
				await().atMost(INTERVAL.plus(BOUND)).until(() -> timed(health).getStatus().equals(Status.DOWN));
				Health down = timed(health);
				assertThat(down.getStatus()).isEqualTo(Status.DOWN);
				assertThat(down.getDetails()).containsEntry("database", "does not answer");
				@SuppressWarnings("unchecked")
				Map<String, Object> lastError = (Map<String, Object>) down.getDetails().get("lastError");
				assertThat(lastError).containsEntry("sqlState", "08001");
				assertThat((String) lastError.get("message")).doesNotContain("jdbc:");

				forwarder.open();
				for (Connection connection : held) {
					connection.close();
				}
				await().atMost(Duration.ofSeconds(10)).until(() -> timed(health).getStatus().equals(Status.UP));

				for (int i = 0; i < 3; i++) {
					held.set(i, dataSource.getConnection());
				}
				forwarder.blackHole(true);
				await().atMost(INTERVAL.plus(BOUND)).until(() -> timed(health).getStatus().equals(Status.DOWN));
				Health hung = timed(health);
				assertThat(hung.getStatus()).isEqualTo(Status.DOWN);
				// Either PoolWarden's bound or the driver's own connect timeout (the same
				// second) ends the check first.
				assertThat(hung.getDetails().get("database")).isIn("no answer within 1000 ms", "does not answer");

				forwarder.blackHole(false);
				await().atMost(Duration.ofSeconds(10)).until(() -> timed(health).getStatus().equals(Status.UP));
				for (Connection connection : held) {
					connection.close();
				}
			});
		}
	}

	@Test
	void outOfServiceWhenCriticalIfAskedTo() {
		runner(database.jdbcUrl())
			.withPropertyValues("poolwarden.health.out-of-service-when-critical=true",
					"poolwarden.utilization.sample-interval=10ms", "poolwarden.utilization.hold-down=0s")
			.run((context) -> {
				HealthIndicator health = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
				DataSource dataSource = context.getBean(DataSource.class);
				List<Connection> held = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					held.add(dataSource.getConnection());
				}
				await().atMost(Duration.ofSeconds(5))
					.until(() -> health.health().getStatus().equals(Status.OUT_OF_SERVICE));
				for (Connection connection : held) {
					connection.close();
				}
				await().atMost(Duration.ofSeconds(5)).until(() -> health.health().getStatus().equals(Status.UP));
			});
	}

	@Test
	void exhaustionIsEvaluatedAtOnceWithoutWaitingForTheSampler(CapturedOutput output) {
		runner(database.jdbcUrl())
			.withPropertyValues("poolwarden.utilization.sample-interval=1h", "poolwarden.retry.enabled=false")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				List<Connection> held = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					held.add(dataSource.getConnection());
				}

				assertThat(catchThrowable(dataSource::getConnection))
					.isInstanceOf(SQLTransientConnectionException.class);

				assertThat(output.getOut().lines()
					.filter((line) -> line.contains("crossed critical threshold 95%")))
					.singleElement()
					.asString()
					.as("logged on the caller's thread").contains("ERROR [" + Thread.currentThread().getName() + "]")
					.contains("healthy - utilization 100% (active=3, max=3, waiting=");
				for (Connection connection : held) {
					connection.close();
				}
			});
	}

	/**
	 * However many requests ask at once, one check per pool is in flight: a database that
	 * hangs costs one connection attempt and one thread, not one per request, and Boot's
	 * {@code db} component and PoolWarden's share it.
	 */
	@Test
	void atMostOneCheckPerPoolIsInFlight() throws Exception {
		try (TcpForwarder forwarder = TcpForwarder.toTestServer()) {
			forwarder.open();
			runner(database.jdbcUrlVia(forwarder.port()))
				.withConfiguration(AutoConfigurations.of(GuardedDatabaseHealthContributorAutoConfiguration.class,
						DataSourceHealthContributorAutoConfiguration.class))
				.run((context) -> {
					HealthIndicator poolwarden = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
					HealthIndicator db = context.getBean("dbHealthContributor", HealthIndicator.class);
					// every connection held and none returned: only a new connection can answer
					DataSource dataSource = context.getBean(DataSource.class);
					List<Connection> held = new ArrayList<>();
					for (int i = 0; i < 3; i++) {
						held.add(dataSource.getConnection());
					}
					forwarder.blackHole(true);
					int before = forwarder.accepted();
					ExecutorService requests = Executors.newFixedThreadPool(8);
					CountDownLatch go = new CountDownLatch(1);
					List<Future<Health>> answers = new ArrayList<>();
					for (int i = 0; i < 8; i++) {
						HealthIndicator indicator = (i % 2 == 0) ? poolwarden : db;
						answers.add(requests.submit(() -> {
							go.await();
							return indicator.health();
						}));
					}
					go.countDown();
					for (Future<Health> answer : answers) {
						assertThat(answer.get(10, TimeUnit.SECONDS).getStatus()).isEqualTo(Status.DOWN);
					}
					requests.shutdown();

					assertThat(forwarder.accepted() - before).as("connection attempts for 8 requests").isOne();
					forwarder.blackHole(false);
					for (Connection connection : held) {
						connection.close();
					}
				});
		}
	}

	/**
	 * A server that refuses a new connection with 53300 (the role's slots are all in the
	 * pool) answers: UP while the pool holds connections. The control, a pool that holds
	 * none while the role is full, is DOWN: nothing can be served.
	 */
	@Test
	void tooManyConnectionsCountsAsAnsweringWhileThePoolHoldsConnections() throws Exception {
		String role = database.createRole("full", "LOGIN CONNECTION LIMIT 2");
		ApplicationContextRunner full = runner(database.jdbcUrl()).withPropertyValues(database.credentialsOf(role))
			.withPropertyValues("spring.datasource.hikari.maximum-pool-size=2", "poolwarden.capacity.enabled=false")
			.withConfiguration(AutoConfigurations.of(GuardedDatabaseHealthContributorAutoConfiguration.class,
					DataSourceHealthContributorAutoConfiguration.class));

		full.run((context) -> {
			HealthIndicator poolwardenHealth = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
			Health idle = timed(poolwardenHealth);
			assertThat(idle.getDetails()).as("an idle connection answers: no new connection is tried")
				.containsEntry("database", "answers");
			DataSource dataSource = context.getBean(DataSource.class);
			try (Connection first = dataSource.getConnection(); Connection second = dataSource.getConnection()) {
				await().atMost(INTERVAL.plus(BOUND))
					.until(() -> ((String) timed(poolwardenHealth).getDetails().get("database"))
						.startsWith("answers, but refuses new connections"));
				Health poolwarden = timed(poolwardenHealth);
				Health db = timed(context.getBean("dbHealthContributor", HealthIndicator.class));

				assertThat(poolwarden.getStatus()).isEqualTo(Status.UP);
				assertThat((String) poolwarden.getDetails().get("database")).contains("too many connections for role");
				assertThat(db.getStatus()).isEqualTo(Status.UP);
			}
		});

		try (Connection first = DriverManager.getConnection(database.jdbcUrlAs(role));
				Connection second = DriverManager.getConnection(database.jdbcUrlAs(role))) {
			full.withPropertyValues("poolwarden.startup.verify=false", "spring.datasource.hikari.minimum-idle=0")
				.run((context) -> {
					Health poolwarden = timed(context.getBean("poolwardenHealthContributor", HealthIndicator.class));

					assertThat(poolwarden.getStatus()).isEqualTo(Status.DOWN);
					assertThat(poolwarden.getDetails()).containsEntry("active", 0).containsEntry("idle", 0);
				});
		}
	}

	/**
	 * A pool whose credentials come from a {@code HikariCredentialsProvider} cannot be
	 * reproduced outside itself: its idle connections answer for the database; once every
	 * connection is held and the answer has expired, Boot's {@code db} component asks
	 * through the pool, within the health timeout, and not at all while it is saturated,
	 * and PoolWarden's component says the database cannot be asked outside the pool.
	 */
	@Test
	void aCredentialsProviderPoolIsAskedThroughThePoolAndNeverWhileSaturated() throws Exception {
		String role = database.createRole("provided", "LOGIN");
		RoleCredentials.set(role, database.passwordOf(role));
		runner(database.jdbcUrlWithoutCredentials())
			.withPropertyValues("spring.datasource.hikari.credentials-provider-class-name=" + RoleCredentials.class.getName())
			.withConfiguration(AutoConfigurations.of(GuardedDatabaseHealthContributorAutoConfiguration.class,
					DataSourceHealthContributorAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				HealthIndicator db = context.getBean("dbHealthContributor", HealthIndicator.class);
				HealthIndicator poolwarden = context.getBean("poolwardenHealthContributor", HealthIndicator.class);

				Health idle = timed(db);
				assertThat(idle.getStatus()).isEqualTo(Status.UP);
				assertThat(idle.getDetails()).containsEntry("database", "PostgreSQL")
					.containsEntry("validationQuery", "isValid()")
					.containsEntry("saturated", false);
				assertThat(timed(poolwarden).getDetails()).as("its idle connections answer for it")
					.containsEntry("database", "answers");

				DataSource dataSource = context.getBean(DataSource.class);
				List<Connection> held = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					held.add(dataSource.getConnection());
				}
				await().atMost(INTERVAL.plus(BOUND))
					.until(() -> ((String) timed(db).getDetails().get("validationQuery")).startsWith("none: every"));
				Health saturated = timed(db);
				assertThat(saturated.getStatus()).isEqualTo(Status.UP);
				assertThat(saturated.getDetails()).containsEntry("saturated", true);
				assertThat(timed(poolwarden).getDetails()).containsEntry("database",
						"the pool's configuration cannot be reproduced outside it");
				for (Connection connection : held) {
					connection.close();
				}
			});
	}

	/**
	 * Credentials for one role of the test database, as a secrets manager would give them.
	 */
	public static final class RoleCredentials implements HikariCredentialsProvider {

		private static volatile Credentials credentials;

		static void set(String user, String password) {
			credentials = Credentials.of(user, password);
		}

		@Override
		public Credentials getCredentials() {
			return credentials;
		}

	}

	@Test
	void canBeSwitchedOff() {
		runner(database.jdbcUrl()).withPropertyValues("management.health.poolwarden.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("poolwardenHealthContributor"));
	}

	private static Health timed(HealthIndicator health) {
		long start = System.nanoTime();
		Health result = health.health();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
		return result;
	}

}
