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

package io.github.poolwarden.autoconfigure.metrics;

import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.metrics.PoolWardenMeterBinder;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PoolWardenMetricsAutoConfiguration}.
 */
class PoolWardenMetricsAutoConfigurationTests {

	private static TestDatabase database;

	private static ApplicationContextRunner contextRunner;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("metrics");
		contextRunner = new ApplicationContextRunner()
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.hikari.pool-name=metered", "spring.datasource.hikari.maximum-pool-size=2")
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					PoolWardenMetricsAutoConfiguration.class));
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@Test
	void registersRetryCountersPerPool() {
		contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("poolwarden.acquisitions.retried")
				.tags("pool", "metered", "result", "recovered")
				.functionCounter()
				.count()).isZero();
			assertThat(registry.get("poolwarden.acquisitions.retried")
				.tags("pool", "metered", "result", "exhausted")
				.functionCounter()
				.count()).isZero();
		});
	}

	@Test
	void registersUtilizationGaugesAndTransitionCounters() {
		contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("poolwarden.connections.utilization").tag("pool", "metered").gauge().value())
				.isZero();
			assertThat(registry.get("poolwarden.utilization.level").tag("pool", "metered").gauge().value()).isZero();
			assertThat(registry.get("poolwarden.connections.waiting").tag("pool", "metered").gauge().value()).isZero();
			assertThat(registry.find("poolwarden.utilization.transitions").tag("pool", "metered").functionCounters())
				.extracting((counter) -> counter.getId().getTag("level"))
				.containsExactlyInAnyOrder("normal", "warning", "critical");
		});
	}

	@Test
	void registersHoldMetersWhenTrackingIsOn() {
		contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("poolwarden.connections.long-holds").tag("pool", "metered").functionCounter().count())
				.isZero();
			assertThat(registry.get("poolwarden.connections.held.oldest").tag("pool", "metered").timeGauge().value())
				.isZero();
		});
		contextRunner.withPropertyValues("poolwarden.tracking.enabled=false")
			.run((context) -> assertThat(
					context.getBean(MeterRegistry.class).find("poolwarden.connections.held.oldest").meters())
				.isEmpty());
	}

	@Test
	void omitsRetryCountersWhenRetryIsDisabled() {
		contextRunner.withPropertyValues("poolwarden.retry.enabled=false")
			.run((context) -> assertThat(
					context.getBean(MeterRegistry.class).find("poolwarden.acquisitions.retried").meters())
				.isEmpty());
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		new ApplicationContextRunner()
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(), "poolwarden.startup.verify=false")
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, PoolWardenMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(PoolWardenMeterBinder.class));
	}

	@Test
	void backsOffWhenMicrometerIsNotOnClasspath() {
		new ApplicationContextRunner()
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(), "poolwarden.startup.verify=false")
			.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, PoolWardenMetricsAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(PoolWardenMeterBinder.class);
			});
	}

	@Test
	void userDefinedBinderWins() {
		contextRunner.withUserConfiguration(UserBinder.class)
			.run((context) -> assertThat(context.getBean(PoolWardenMeterBinder.class))
				.isSameAs(context.getBean("userBinder")));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBinder {

		@Bean
		PoolWardenMeterBinder userBinder() {
			return new PoolWardenMeterBinder(java.util.List::of);
		}

	}

}
