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
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.PoolWardenHealthContributorAutoConfiguration;
import io.github.poolwarden.support.JdbcTarget;
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

	private static final Duration BOUND = Duration.ofMillis(1000 + 500);

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
					"poolwarden.health.timeout=1s");
	}

	@Test
	void upWhileSaturatedDownWhileUnreachableAndUpAgain() throws Exception {
		int serverPort = JdbcTarget.parse(database.jdbcUrl()).port();
		try (TcpForwarder forwarder = new TcpForwarder(serverPort)) {
			forwarder.open();
			String url = database.jdbcUrl().replace("127.0.0.1:" + serverPort, "127.0.0.1:" + forwarder.port());
			runner(url).run((context) -> {
				HealthIndicator health = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
				DataSource dataSource = context.getBean(DataSource.class);
				List<Connection> held = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					held.add(dataSource.getConnection());
				}
				assertThat(timed(health).getStatus()).isEqualTo(Status.UP);

				forwarder.cut();
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

				forwarder.blackHole(true);
				Health hung = timed(health);
				assertThat(hung.getStatus()).isEqualTo(Status.DOWN);
				// Either PoolWarden's bound or the driver's own connect timeout (the same
				// second) ends the check first.
				assertThat(hung.getDetails().get("database")).isIn("no answer within 1000 ms", "does not answer");

				forwarder.blackHole(false);
				await().atMost(Duration.ofSeconds(10)).until(() -> timed(health).getStatus().equals(Status.UP));
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
					.contains("ERROR [main]")
					.contains("healthy - utilization 100% (active=3, max=3, waiting=");
				for (Connection connection : held) {
					connection.close();
				}
			});
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
