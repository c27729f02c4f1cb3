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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * An outage is told once: the database behind a proxy goes away under load and while
 * health is probed, and comes back; PoolWarden logs one WARN line when it stops answering
 * (with the SQLState), however many callers fail, and one INFO line when it answers
 * again, with how long it was away.
 */
@ExtendWith(OutputCaptureExtension.class)
class OutagePostgresTests {

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("outage");
		database.execute("CREATE TABLE hits (v int)");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner(TcpForwarder forwarder) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					PoolWardenHealthContributorAutoConfiguration.class,
					GuardedDatabaseHealthContributorAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrlVia(forwarder.port()),
					"spring.datasource.hikari.pool-name=outage", "spring.datasource.hikari.maximum-pool-size=3");
	}

	/**
	 * Callers that give up after a second: many of them fail during a 4 s outage, and
	 * each failure is evidence, yet the outage is one line.
	 */
	@Test
	void anOutageUnderLoadIsToldOnceAndItsEndOnce(CapturedOutput output) throws Exception {
		try (TcpForwarder forwarder = TcpForwarder.toTestServer()) {
			forwarder.open();
			runner(forwarder).withPropertyValues("spring.datasource.hikari.connection-timeout=1000")
				.run((context) -> {
					try (Load load = new Load(context.getBean(DataSource.class))) {
						await().atMost(Duration.ofSeconds(5)).until(() -> load.succeeded.get() > 10);

						forwarder.cut();
						await().atMost(Duration.ofSeconds(10)).until(() -> load.failed.get() >= 4);
						probeHealth(context, Duration.ofSeconds(2));
						forwarder.open();
						int succeededBefore = load.succeeded.get();
						await().atMost(Duration.ofSeconds(15)).until(() -> load.succeeded.get() > succeededBefore + 10);
						probeHealth(context, Duration.ofSeconds(1));
						await().atMost(Duration.ofSeconds(15)).until(() -> !recoveries(output).isEmpty());

						assertThat(load.failed.get()).as("callers failed meanwhile").isGreaterThanOrEqualTo(4);
					}
					assertThat(warnings(output)).singleElement()
						.asString()
						.contains("WARN")
						.contains("outage - the database at 127.0.0.1:")
						.contains("does not answer (SQLState 08")
						.contains("connection-timeout (1000 ms)");
					assertThat(recoveries(output)).singleElement()
						.asString()
						.contains("INFO")
						.containsPattern("outage - the database at 127\\.0\\.0\\.1:\\d+/\\w+ answers again, after \\d+ s away");
				});
		}
	}

	/**
	 * Nothing tuned but the pool size: callers wait Boot's 30 s, so during a 12 s outage
	 * none fails; health, probed as an orchestrator would, sees it within the probe
	 * interval, and the lines are the same two.
	 */
	@Test
	void anOutageSeenOnlyByHealthIsToldOnceAndItsEndOnce(CapturedOutput output) throws Exception {
		try (TcpForwarder forwarder = TcpForwarder.toTestServer()) {
			forwarder.open();
			runner(forwarder).run((context) -> {
				HealthIndicator poolwarden = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
				assertThat(poolwarden.health().getStatus()).isEqualTo(Status.UP);

				forwarder.cut();
				await().atMost(Duration.ofSeconds(15))
					.pollInterval(Duration.ofMillis(250))
					.until(() -> poolwarden.health().getStatus().equals(Status.DOWN));
				probeHealth(context, Duration.ofSeconds(2));
				forwarder.open();
				await().atMost(Duration.ofSeconds(15))
					.pollInterval(Duration.ofMillis(250))
					.until(() -> poolwarden.health().getStatus().equals(Status.UP));
				probeHealth(context, Duration.ofSeconds(1));

				assertThat(warnings(output)).singleElement().asString().contains("does not answer (SQLState 08");
				assertThat(recoveries(output)).singleElement().asString().contains(" away");
				assertThat(context.getBean(GuardedDataSource.class).getDatabaseProbe().isAway()).isFalse();
			});
		}
	}

	/**
	 * Probe both components every 100 ms for a while, as an orchestrator and a load
	 * balancer would.
	 */
	private static void probeHealth(AssertableApplicationContext context, Duration during) {
		HealthIndicator db = context.getBean("dbHealthContributor", HealthIndicator.class);
		HealthIndicator poolwarden = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
		await().pollInterval(Duration.ofMillis(100)).during(during).atMost(during.plusSeconds(10)).until(() -> {
			db.health();
			poolwarden.health();
			return true;
		});
	}

	private static List<String> warnings(CapturedOutput output) {
		return output.getOut().lines().filter((line) -> line.contains(" does not answer")).toList();
	}

	private static List<String> recoveries(CapturedOutput output) {
		return output.getOut().lines().filter((line) -> line.contains(" answers again, after ")).toList();
	}

	/**
	 * Four workers, each inserting a row per borrow, counting what succeeded and what
	 * failed with a connection error.
	 */
	private static final class Load implements AutoCloseable {

		final AtomicInteger succeeded = new AtomicInteger();

		final AtomicInteger failed = new AtomicInteger();

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final ExecutorService workers = Executors.newFixedThreadPool(4);

		Load(DataSource dataSource) {
			for (int i = 0; i < 4; i++) {
				this.workers.submit(() -> {
					while (this.running.get()) {
						try (Connection connection = dataSource.getConnection();
								Statement statement = connection.createStatement()) {
							statement.execute("INSERT INTO hits VALUES (1)");
							this.succeeded.incrementAndGet();
						}
						catch (SQLException ex) {
							this.failed.incrementAndGet();
						}
					}
					return null;
				});
			}
		}

		@Override
		public void close() throws InterruptedException {
			this.running.set(false);
			this.workers.shutdown();
			assertThat(this.workers.awaitTermination(40, TimeUnit.SECONDS)).isTrue();
		}

	}

}
