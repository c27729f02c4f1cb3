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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.endpoint.PoolWardenEndpointAutoConfiguration;
import io.github.poolwarden.autoconfigure.health.PoolWardenHealthContributorAutoConfiguration;
import io.github.poolwarden.autoconfigure.metrics.PoolWardenMetricsAutoConfiguration;
import io.github.poolwarden.endpoint.PoolWardenEndpoint;
import io.github.poolwarden.testsupport.TcpForwarder;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The canary password, in both URL forms, through every connection path with DEBUG
 * logging on: it never appears in a log line, an exception, health, metrics, the
 * endpoint or the Prometheus scrape; metric tags come from a bounded set.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecurityCanaryTests {

	private static final String CANARY = "Canary-8d2c-SECRET";

	private static final List<String> DEBUG_LOGGERS = List.of("com.zaxxer.hikari", "io.github.poolwarden",
			"org.springframework.jdbc", "org.springframework.boot.jdbc");

	private static TestDatabase database;

	private static String role;

	private static final Map<String, Level> levels = new java.util.HashMap<>();

	@BeforeAll
	static void setUp() {
		database = TestPostgres.createDatabase("canary");
		role = database.createRole("canary", "LOGIN PASSWORD '" + CANARY + "'");
		for (String name : DEBUG_LOGGERS) {
			Logger logger = (Logger) LoggerFactory.getLogger(name);
			levels.put(name, logger.getLevel());
			logger.setLevel(Level.DEBUG);
		}
	}

	@AfterAll
	static void tearDown() {
		levels.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
		database.close();
	}

	private static ApplicationContextRunner runner(String url, String... properties) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, MetricsAutoConfiguration.class,
					PrometheusMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					DataSourcePoolMetricsAutoConfiguration.class, PoolWardenMetricsAutoConfiguration.class,
					HealthContributorAutoConfiguration.class, PoolWardenHealthContributorAutoConfiguration.class,
					PoolWardenEndpointAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + url, "spring.datasource.hikari.pool-name=canary",
					"spring.datasource.hikari.maximum-pool-size=1", "spring.datasource.hikari.connection-timeout=250",
					"poolwarden.retry.timeout=1s", "poolwarden.utilization.sample-interval=20ms",
					"management.endpoints.web.exposure.include=poolwarden")
			.withPropertyValues(properties);
	}

	private static List<String> urls(int port) {
		String base = "jdbc:postgresql://127.0.0.1:" + port + "/" + database.name();
		return List.of(base + "?user=" + role + "&password=" + CANARY,
				"jdbc:postgresql://" + role + ":" + CANARY + "@127.0.0.1:" + port + "/" + database.name());
	}

	@Test
	void theCanaryNeverShows(CapturedOutput output) throws Exception {
		List<String> seen = new ArrayList<>();
		try (TcpForwarder proxy = TcpForwarder.toTestServer()) {
			proxy.open();
			for (String url : urls(proxy.port())) {
				runner(url).run((context) -> {
					assertThat(context).hasNotFailed();
					DataSource dataSource = context.getBean(DataSource.class);
					HealthIndicator health = context.getBean("poolwardenHealthContributor", HealthIndicator.class);
					try (Connection held = dataSource.getConnection()) {
						seen.addAll(chain(catchThrowable(dataSource::getConnection)));
						seen.add(JsonMapper.shared().writeValueAsString(
								context.getBean(PoolWardenEndpoint.class).pools()));
					}
					proxy.cut();
					// a connection the pool was opening at the moment of the cut may survive
					// it: evict until the pool has nothing left to hand out
					HikariPoolMXBean pool = context.getBean(io.github.poolwarden.GuardedDataSource.class)
						.getPool()
						.getHikariPoolMXBean();
					Throwable refused = Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
						pool.softEvictConnections();
						return catchThrowable(() -> dataSource.getConnection().close());
					}, Objects::nonNull);
					seen.addAll(chain(refused));
					seen.add(String.valueOf(health.health().getDetails()));
					proxy.open();
					MeterRegistry registry = context.getBean(MeterRegistry.class);
					for (Meter meter : registry.getMeters()) {
						seen.add(meter.getId().toString());
						meter.measure().forEach((measurement) -> seen.add(String.valueOf(measurement.getValue())));
						if (meter.getId().getName().startsWith("poolwarden.")) {
							meter.getId().getTags().forEach((tag) -> assertThat(tag.getKey())
								.as("bounded tag keys").isIn(Set.of("pool", "result", "level", "by")));
						}
					}
					seen.add(context.getBean(PrometheusMeterRegistry.class).scrape());
				});
			}
		}
		int closedPort = TcpForwarder.freePort();
		for (String url : urls(closedPort)) {
			runner(url, "poolwarden.startup.timeout=300ms")
				.run((context) -> seen.addAll(chain(context.getStartupFailure())));
		}

		assertThat(seen).hasSizeGreaterThan(20).noneMatch((text) -> text.contains(CANARY));
		assertThat(output.getAll()).contains("DEBUG").doesNotContain(CANARY);
	}

	private static List<String> chain(Throwable failure) {
		List<String> texts = new ArrayList<>();
		assertThat(failure).isNotNull();
		for (Throwable each = failure; each != null; each = each.getCause()) {
			texts.add(each.toString());
			for (Throwable suppressed : each.getSuppressed()) {
				texts.add(suppressed.toString());
			}
			if (each instanceof java.sql.SQLException sql && sql.getNextException() != null) {
				texts.add(sql.getNextException().toString());
			}
		}
		return texts;
	}

}
