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

package io.github.poolwarden.utilization;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.PoolWardenHealthContributorAutoConfiguration;
import io.github.poolwarden.autoconfigure.metrics.PoolWardenMetricsAutoConfiguration;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
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
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Incident 003 replayed against a real PostgreSQL: a pool of 10 driven over 80 % and
 * 95 % and back, twice, watched through logs, gauges, health and events.
 */
@ExtendWith(OutputCaptureExtension.class)
class UtilizationPostgresTests {

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("utilization");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	static ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					PoolWardenMetricsAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					PoolWardenHealthContributorAutoConfiguration.class))
			.withUserConfiguration(EventRecorder.class)
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.hikari.pool-name=incident-003", "spring.datasource.hikari.maximum-pool-size=10",
					"spring.datasource.hikari.minimum-idle=2", "poolwarden.utilization.sample-interval=20ms",
					"poolwarden.utilization.hold-down=200ms");
	}

	@Test
	void warnsOncePerCrossingAndRecovers(CapturedOutput output) {
		runner().run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			HealthIndicator health = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
			EventRecorder events = context.getBean(EventRecorder.class);

			for (int each = 1; each <= 2; each++) {
				int round = each;
				List<Connection> held = hold(dataSource, 8);
				await().atMost(Duration.ofSeconds(5)).until(() -> level(registry) == 1);
				assertThat(lines(output, "WARN", "crossed warning threshold 80%")).hasSize(round)
					.last()
					.asString()
					.contains("incident-003 - utilization 80% (active=8, max=10, waiting=0)");
				assertThat(utilization(registry)).isEqualTo(0.8);
				assertThat(health.health().getDetails()).containsEntry("level", "warning")
					.containsEntry("active", 8)
					.containsEntry("utilization", 0.8);

				held.addAll(hold(dataSource, 2));
				await().atMost(Duration.ofSeconds(5)).until(() -> level(registry) == 2);
				assertThat(utilization(registry)).isEqualTo(1.0);
				Health saturated = timedHealth(health);
				assertThat(saturated.getStatus()).isEqualTo(Status.UP);
				assertThat(saturated.getDetails()).containsEntry("level", "critical").containsEntry("active", 10);
				await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2))
					.until(() -> lines(output, "ERROR", "crossed critical threshold 95%").size() == round);
				assertThat(lines(output, "ERROR", "crossed critical threshold 95%").get(round - 1))
					.contains("incident-003 - utilization 100% (active=10, max=10, waiting=0)");

				release(held);
				await().atMost(Duration.ofSeconds(5)).until(() -> level(registry) == 0);
				await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
					.until(() -> lines(output, "INFO", "back below warning threshold 80%").size() == round);
			}
			assertThat(events.transitions).containsExactly("normal->warning", "warning->critical",
					"critical->normal", "normal->warning", "warning->critical", "critical->normal");
			assertThat(events.fromListenerBean).as("a UtilizationListener bean is told of the same changes")
				.containsExactlyElementsOf(events.transitions);
			assertThat(registry.get("poolwarden.utilization.transitions")
				.tags("pool", "incident-003", "level", "critical")
				.functionCounter()
				.count()).isEqualTo(2);
		});
	}

	private static Health timedHealth(HealthIndicator health) {
		long start = System.nanoTime();
		Health result = health.health();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1000 + 2000));
		return result;
	}

	private static List<Connection> hold(DataSource dataSource, int count) throws Exception {
		List<Connection> held = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			held.add(dataSource.getConnection());
		}
		return held;
	}

	private static void release(List<Connection> held) throws Exception {
		for (Connection connection : held) {
			connection.close();
		}
	}

	private static double level(MeterRegistry registry) {
		return registry.get("poolwarden.utilization.level").tag("pool", "incident-003").gauge().value();
	}

	private static double utilization(MeterRegistry registry) {
		return registry.get("poolwarden.connections.utilization").tag("pool", "incident-003").gauge().value();
	}

	private static List<String> lines(CapturedOutput output, String level, String text) {
		return output.getOut().lines().filter((line) -> line.contains(level) && line.contains(text)).toList();
	}

	@Configuration(proxyBeanMethods = false)
	static class EventRecorder implements ApplicationListener<PoolUtilizationChangedEvent> {

		final List<String> transitions = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(PoolUtilizationChangedEvent event) {
			assertThat(event.getPool()).isEqualTo("incident-003");
			this.transitions.add(event.getFrom().tagValue() + "->" + event.getTo().tagValue());
		}

		final List<String> fromListenerBean = new CopyOnWriteArrayList<>();

		@Bean
		UtilizationListener recordingUtilizationListener() {
			return (transition) -> this.fromListenerBean
				.add(transition.from().tagValue() + "->" + transition.to().tagValue());
		}

	}

}
