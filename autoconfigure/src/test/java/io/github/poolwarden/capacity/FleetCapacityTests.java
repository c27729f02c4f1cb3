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

import java.util.Map;

import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.metrics.PoolWardenMetricsAutoConfiguration;
import io.github.poolwarden.testsupport.PrivateCluster;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many replicas of one application against one server: on a private cluster with
 * {@code max_connections = 20} (17 usable by a plain role), four replicas and a surge of
 * one with pools of 5 cannot fit, and PoolWarden says so with the numbers, or stops the
 * application when enforced; the gauges give the alert rule
 * {@code PoolWardenFleetCannotFit} what it compares. Three replicas fit: the control.
 */
@ExtendWith(OutputCaptureExtension.class)
class FleetCapacityTests {

	private static PrivateCluster cluster;

	@BeforeAll
	static void startCluster() {
		cluster = PrivateCluster.start(Map.of("max_connections", "20", "superuser_reserved_connections", "3"));
		cluster.execute("CREATE ROLE app LOGIN PASSWORD 'app-Password-1'");
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	private static ApplicationContextRunner runner(String... properties) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, MetricsAutoConfiguration.class,
					PrometheusMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					PoolWardenMetricsAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + cluster.jdbcUrlWithoutUser(),
					"spring.datasource.username=app", "spring.datasource.password=app-Password-1",
					"spring.datasource.hikari.pool-name=fleet", "spring.datasource.hikari.maximum-pool-size=5",
					"spring.datasource.hikari.minimum-idle=1")
			.withPropertyValues(properties);
	}

	@Test
	void replicasAndASurgeThatCannotFitAreReportedWithTheNumbers(CapturedOutput output) {
		runner("poolwarden.capacity.replicas=4", "poolwarden.capacity.surge=1").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output.getOut()).contains("fleet - 5 instances (poolwarden.capacity.replicas=4, +1 during a "
					+ "rolling deploy (poolwarden.capacity.surge)) x maximumPoolSize 5 = 25 connections cannot fit: "
					+ "server max_connections 20 - 3 reserved allows 17 for all of them")
				.contains("Lower spring.datasource.hikari.maximum-pool-size to 3");
			String scrape = context.getBean(PrometheusMeterRegistry.class).scrape();
			// what PoolWardenFleetCannotFit compares (docs/prometheus, unit-tested with promtool)
			assertThat(scrape).contains("poolwarden_fleet_connections_max{pool=\"fleet\"} 25.0")
				.contains("poolwarden_server_connections_limit{pool=\"fleet\"} 17.0");
		});
	}

	@Test
	void enforcedTheApplicationStops() {
		runner("poolwarden.capacity.replicas=4", "poolwarden.capacity.surge=1", "poolwarden.capacity.enforce=true")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(CapacityException.class)
					.hasMessageContaining("25 connections cannot fit")
					.hasMessageContaining("(poolwarden.capacity.enforce=true)");
			});
	}

	@Test
	void replicasThatFitAreNotReported(CapturedOutput output) {
		runner("poolwarden.capacity.replicas=3").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output.getOut()).doesNotContain("cannot fit");
			assertThat(context.getBean(PrometheusMeterRegistry.class).scrape())
				.contains("poolwarden_fleet_connections_max{pool=\"fleet\"} 15.0");
		});
	}

}
