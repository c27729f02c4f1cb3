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

package io.github.poolwarden.capacity;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.lifecycle.CapacityChecker;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.endpoint.PoolWardenEndpointAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.PoolWardenHealthContributorAutoConfiguration;
import io.github.poolwarden.autoconfigure.metrics.PoolWardenMetricsAutoConfiguration;
import io.github.poolwarden.endpoint.PoolWardenEndpoint;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import io.github.poolwarden.utilization.UtilizationLevel;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
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
 * Capacity checks against a real PostgreSQL: a role's connection limit, the server
 * gauges, a refusal with 53300 at run time, and the pools of one JVM together.
 */
@ExtendWith(OutputCaptureExtension.class)
class CapacityPostgresTests {

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("capacity");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner(String role, String... properties) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					PoolWardenMetricsAutoConfiguration.class))
			.withPropertyValues(database.credentialsOf(role))
			.withPropertyValues("spring.datasource.hikari.pool-name=capacity",
					"spring.datasource.hikari.maximum-pool-size=10", "spring.datasource.hikari.minimum-idle=1")
			.withPropertyValues(properties);
	}

	@Test
	void warnsWithTheNumbersWhenThePoolCannotFitTheRolesLimit(CapturedOutput output) {
		String role = database.createRole("limit5", "LOGIN CONNECTION LIMIT 5");

		runner(role).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output.getOut()).contains("capacity - maximumPoolSize 10 cannot fit: the pool can have at most "
					+ "5 connections (").contains("role '" + role + "' CONNECTION LIMIT 5, 0 in use by others");
			assertThat(context.getBean(GuardedDataSource.class).snapshot().capacity()).isEqualTo(5);
		});
	}

	/**
	 * Nothing tuned but the pool size: with Boot's defaults minimumIdle is the pool size,
	 * so the pool would fill to 5 against a role limit of 3. The limits are read on the
	 * first connection, the pool is verified with the 3 that fit, and the application
	 * starts within seconds, as HikariCP alone would, with one WARN naming 3 and 5.
	 */
	@Test
	void aPoolOfFiveForARoleLimitedToThreeStartsAtOnceWithOneWarning(CapturedOutput output) {
		String role = database.createRole("limit3", "LOGIN CONNECTION LIMIT 3");
		long start = System.nanoTime();

		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					PoolWardenHealthContributorAutoConfiguration.class, PoolWardenEndpointAutoConfiguration.class))
			.withPropertyValues(database.credentialsOf(role))
			.withPropertyValues("spring.datasource.hikari.pool-name=limited", "spring.datasource.hikari.maximum-pool-size=5",
					"management.endpoints.web.exposure.include=poolwarden")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
				assertThat(output.getOut().lines().filter((line) -> line.contains(" WARN ") && line.contains("limited - ")))
					.singleElement()
					.asString()
					.contains("maximumPoolSize 5 cannot fit: the pool can have at most 3 connections")
					.contains("CONNECTION LIMIT 3")
					.contains("maximum-pool-size to 3");
				assertThat(output.getOut()).contains("limited - verified 3 connections");
				HealthIndicator health = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
				assertThat(health.health(true).getDetails()).containsEntry("capacity", 3).containsEntry("max", 5);
				assertThat(context.getBean(PoolWardenEndpoint.class).pools().pools().get("limited").state().capacity())
					.isEqualTo(3);
			});
	}

	@Test
	void staysSilentWhenThePoolFits(CapturedOutput output) {
		String role = database.createRole("limit20", "LOGIN CONNECTION LIMIT 20");

		runner(role).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output.getOut()).doesNotContain("cannot fit");
			assertThat(context.getBean(GuardedDataSource.class).snapshot().capacity()).isEqualTo(10);
		});
	}

	@Test
	void failsStartupWhenEnforced() {
		String role = database.createRole("enforced", "LOGIN CONNECTION LIMIT 3");

		runner(role, "poolwarden.capacity.enforce=true").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(CapacityException.class)
				.hasMessageContaining("maximumPoolSize 10 cannot fit: the pool can have at most 3 connections")
				.hasMessageContaining("poolwarden.capacity.enforce=true");
		});
	}

	@Test
	void serverGaugesMatchPgStatActivity() {
		String role = database.createRole("gauged", "LOGIN CONNECTION LIMIT 7");

		runner(role, "spring.datasource.hikari.maximum-pool-size=5", "spring.datasource.hikari.minimum-idle=3")
			.run((context) -> {
				GuardedDataSource pool = context.getBean(GuardedDataSource.class);
				context.getBean(CapacityChecker.class).refresh(pool, true);
				MeterRegistry registry = context.getBean(MeterRegistry.class);

				long inUse = database.queryForLong("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + role
						+ "' AND backend_type = 'client backend'");

				assertThat(registry.get("poolwarden.server.connections.limit").tag("pool", "capacity").gauge().value())
					.isEqualTo(7);
				assertThat(registry.get("poolwarden.server.connections.used").tag("pool", "capacity").gauge().value())
					.isEqualTo(inUse)
					.isEqualTo(pool.getPool().getHikariPoolMXBean().getTotalConnections());
			});
	}

	@Test
	void refusalWith53300SaysTheRoleIsFullAndCapsUtilization(CapturedOutput output) {
		String role = database.createRole("full", "LOGIN CONNECTION LIMIT 2");

		runner(role, "poolwarden.capacity.enabled=false", "spring.datasource.hikari.maximum-pool-size=5",
				"spring.datasource.hikari.connection-timeout=500", "poolwarden.utilization.sample-interval=20ms")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				GuardedDataSource guarded = context.getBean(GuardedDataSource.class);
				List<Connection> held = new ArrayList<>();
				held.add(dataSource.getConnection());
				held.add(dataSource.getConnection());

				Throwable failure = catchThrowable(dataSource::getConnection);

				assertThat(failure).isInstanceOf(SQLException.class);
				assertThat(((SQLException) failure).getSQLState()).isEqualTo("53300");
				assertThat(output.getOut()).contains("capacity - the database refused a new connection (SQLState 53300: ")
					.contains("the server, the database or the role is full, not the pool");
				assertThat(guarded.getRetry().getStats().recovered() + guarded.getRetry().getStats().exhausted())
					.isZero();
				await().atMost(Duration.ofSeconds(5))
					.until(() -> guarded.getMonitor().level() == UtilizationLevel.CRITICAL);
				assertThat(output.getOut()).contains("utilization 100% (active=2, max=5, server capacity=2");
				for (Connection connection : held) {
					connection.close();
				}
			});
	}

	/**
	 * HikariCP opens connections in the background (here, filling to minimumIdle 3 after
	 * start), where a refusal reaches no caller: it is told all the same, once for the
	 * episode, with the numbers, however many attempts HikariCP makes.
	 */
	@Test
	void refusalsWhenHikariAddsConnectionsInTheBackgroundAreToldOncePerEpisode(CapturedOutput output)
			throws Exception {
		String role = database.createRole("background", "LOGIN CONNECTION LIMIT 3");
		try (Connection other = DriverManager.getConnection(database.jdbcUrlAs(role));
				Connection another = DriverManager.getConnection(database.jdbcUrlAs(role))) {
			runner(role, "spring.datasource.hikari.maximum-pool-size=5", "spring.datasource.hikari.minimum-idle=3",
					"poolwarden.capacity.enabled=false")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					await().atMost(Duration.ofSeconds(10))
						.until(() -> output.getOut().contains("capacity - the database refused a new connection"));
					await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);

					assertThat(output.getOut().lines().filter((line) -> line.contains("refused a new connection")))
						.singleElement()
						.asString()
						.contains(" WARN ")
						.contains("SQLState 53300")
						.contains("The pool holds 1 of its maximum 5");
				});
		}
	}

	@Test
	void skipsOtherDatabasesWithADebugLine(CapturedOutput output) {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:capacity-h2",
					"spring.datasource.hikari.pool-name=h2pool")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output.getOut()).contains("DEBUG").contains("h2pool - capacity check skipped: not PostgreSQL, MariaDB or MySQL (H2)");
				assertThat(context.getBean(GuardedDataSource.class).getServerCapacity()).isNull();
			});
	}

	@Test
	void warnsOnceWhenThePoolsOfThisJvmCanExceedTheServerTogether(CapturedOutput output) {
		String role = database.createRole("jvmwide", "LOGIN");
		// each pool fits the server alone, and the two together cannot
		long size = database.queryForLong("SELECT setting::int FROM pg_settings WHERE name = 'max_connections'") * 7
				/ 10;
		ApplicationContextRunner alpha = runner(role, "spring.datasource.hikari.pool-name=alpha",
				"spring.datasource.hikari.maximum-pool-size=" + size);
		ApplicationContextRunner beta = runner(role, "spring.datasource.hikari.pool-name=beta",
				"spring.datasource.hikari.maximum-pool-size=" + size);

		alpha.run((first) -> beta.run((second) -> {
			assertThat(first).hasNotFailed();
			assertThat(second).hasNotFailed();
		}));

		// Other test classes' cached contexts may still hold pools on the same server: they
		// count too, and the line names every pool.
		assertThat(output.getOut().lines().filter((line) -> line.contains("guarded pools in this JVM connect to")))
			.singleElement()
			.asString()
			.containsPattern("\\d+ guarded pools in this JVM connect to [^ ]+ with up to \\d+ connections together")
			.contains("alpha " + size + " [context ")
			.contains("beta " + size + " [context ");
	}

}
