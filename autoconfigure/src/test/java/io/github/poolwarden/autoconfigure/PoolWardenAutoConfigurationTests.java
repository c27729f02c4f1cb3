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

package io.github.poolwarden.autoconfigure;

import java.sql.Connection;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.retry.RetrySettings;
import io.github.poolwarden.tracking.CallSiteCapture;
import io.github.poolwarden.utilization.UtilizationThresholds;
import io.github.poolwarden.lifecycle.PoolLifecycle;
import io.github.poolwarden.startup.StartupVerifier;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PoolWardenAutoConfiguration}.
 */
class PoolWardenAutoConfigurationTests {

	private static TestDatabase database;

	private ApplicationContextRunner contextRunner;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("autoconfig");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@org.junit.jupiter.api.BeforeEach
	void prepareRunner() {
		this.contextRunner = new ApplicationContextRunner()
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.hikari.pool-name=wiring", "spring.datasource.hikari.maximum-pool-size=3")
			.withConfiguration(
					AutoConfigurations.of(DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class));
	}

	@Test
	void decoratesAutoConfiguredHikariDataSource() {
		this.contextRunner.run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			assertThat(dataSource).isInstanceOf(GuardedDataSource.class);
			assertThat(dataSource.unwrap(HikariDataSource.class)).isNotNull();
			assertThat(dataSource.isWrapperFor(HikariConfigMXBean.class)).isTrue();
			assertThat(DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class, HikariDataSource.class))
				.isNotNull();
			assertThat(context.getBean(GuardedPools.class).asMap()).containsOnlyKeys("dataSource");
		});
	}

	@Test
	void hikariPropertiesReachThePool() {
		this.contextRunner.withPropertyValues("spring.datasource.hikari.minimum-idle=1").run((context) -> {
			HikariDataSource pool = context.getBean(DataSource.class).unwrap(HikariDataSource.class);
			assertThat(pool.getPoolName()).isEqualTo("wiring");
			assertThat(pool.getMaximumPoolSize()).isEqualTo(3);
			assertThat(pool.getMinimumIdle()).isEqualTo(1);
		});
	}

	@Test
	void verifiesThePoolWhenTheContextStarts() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(StartupVerifier.class).hasSingleBean(PoolLifecycle.class);
			HikariDataSource pool = context.getBean(DataSource.class).unwrap(HikariDataSource.class);
			assertThat(pool.isRunning()).isTrue();
			assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(3);
		});
	}

	@Test
	void doesNotOpenConnectionsWhenVerificationIsDisabled() {
		this.contextRunner.withPropertyValues("poolwarden.startup.verify=false").run((context) -> {
			assertThat(context).doesNotHaveBean(StartupVerifier.class);
			HikariDataSource pool = context.getBean(DataSource.class).unwrap(HikariDataSource.class);
			assertThat(pool.isRunning()).isFalse();
		});
	}

	@Test
	void leavesThePlainPoolWhenDisabled() {
		this.contextRunner.withPropertyValues("poolwarden.enabled=false").run((context) -> {
			assertThat(context.getBean(DataSource.class)).isExactlyInstanceOf(HikariDataSource.class);
			assertThat(context).doesNotHaveBean(GuardedPools.class);
		});
	}

	@Test
	void leavesExcludedBeansAlone() {
		this.contextRunner.withPropertyValues("poolwarden.excluded-beans=dataSource")
			.run((context) -> assertThat(context.getBean(DataSource.class))
				.isExactlyInstanceOf(HikariDataSource.class));
	}

	@Test
	void backsOffWhenHikariIsNotOnClasspath() {
		this.contextRunner.withPropertyValues("spring.datasource.type=org.springframework.jdbc.datasource.SimpleDriverDataSource")
			.withClassLoader(new FilteredClassLoader(HikariDataSource.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(GuardedDataSourceBeanPostProcessor.class);
				assertThat(context.getBean(DataSource.class)).isNotInstanceOf(GuardedDataSource.class);
			});
	}

	@Test
	void userDefinedBeansWin() {
		this.contextRunner.withUserConfiguration(UserBeans.class).run((context) -> {
			assertThat(context.getBean(StartupVerifier.class)).isSameAs(context.getBean("userVerifier"));
			assertThat(context.getBean(GuardedPools.class)).isSameAs(context.getBean("userPools"));
			assertThat(context.getBean("userPools", GuardedPools.class).asMap()).containsOnlyKeys("dataSource");
		});
	}

	@Test
	void keepsBootsHikariMetricsAndDatabaseHealth() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					DataSourcePoolMetricsAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					DataSourceHealthContributorAutoConfiguration.class))
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.find("hikaricp.connections").tag("pool", "wiring").gauge()).isNotNull();
				assertThat(registry.find("jdbc.connections.max").gauge()).isNotNull();
				// Boot's own db indicator (PoolWarden's health auto-configuration is not in this
				// context) still reaches the database through the guarded pool.
				Health health = context.getBean("dbHealthContributor", HealthIndicator.class).health(true);
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("database", "PostgreSQL");
			});
	}

	@Test
	void failsWithTheKeyAndRangeOnANegativeStartupTimeout() {
		this.contextRunner.withPropertyValues("poolwarden.startup.timeout=-1s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("poolwarden.startup.timeout must be zero or positive (was PT-1S)");
		});
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			poolwarden.retry.max-retries=-1  | poolwarden.retry.max-retries must be at least 0 (was -1)
			poolwarden.retry.delay=-5ms      | poolwarden.retry.delay must be zero or positive (was PT-0.005S)
			poolwarden.retry.multiplier=0.5  | poolwarden.retry.multiplier must be at least 1.0 (was 0.5)
			poolwarden.retry.max-delay=0ms   | poolwarden.retry.max-delay must be positive (was PT0S)
			poolwarden.retry.jitter=-1ms     | poolwarden.retry.jitter must be zero or positive (was PT-0.001S)
			poolwarden.retry.timeout=0s      | poolwarden.retry.timeout must be positive (was PT0S)
			""")
	void failsWithTheKeyAndRangeOnInvalidRetrySettings(String property, String message) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(message);
		});
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			poolwarden.utilization.warning-threshold=1.5   | poolwarden.utilization.warning-threshold must be above 0 and at most 1 (was 1.5)
			poolwarden.utilization.critical-threshold=-0.1 | poolwarden.utilization.critical-threshold must be above 0 and at most 1 (was -0.1)
			poolwarden.utilization.hysteresis=1.0          | poolwarden.utilization.hysteresis must be from 0 to below 1 (was 1.0)
			poolwarden.utilization.sample-interval=0s      | poolwarden.utilization.sample-interval must be at least 10ms (was PT0S)
			poolwarden.utilization.hold-down=-1s           | poolwarden.utilization.hold-down must be zero or positive (was PT-1S)
			poolwarden.health.timeout=1ms                  | poolwarden.health.timeout must be at least 10ms (was PT0.001S)
			poolwarden.health.probe-interval=0s            | poolwarden.health.probe-interval must be positive (was PT0S)
			poolwarden.health.probe-interval=-5s           | poolwarden.health.probe-interval must be positive (was PT-5S)
			poolwarden.health.stuck-after=-1s              | poolwarden.health.stuck-after must be zero or positive (was PT-1S)
			poolwarden.capacity.sample-interval=10ms       | poolwarden.capacity.sample-interval must be at least 1000ms (was PT0.01S)
			poolwarden.tracking.long-hold-threshold=0s     | poolwarden.tracking.long-hold-threshold must be at least 1ms (was PT0S)
			poolwarden.capacity.replicas=0                 | poolwarden.capacity.replicas must be at least 1 (was 0)
			poolwarden.capacity.surge=-1                   | poolwarden.capacity.surge must be at least 0 (was -1)
			poolwarden.advice.window=9s                    | poolwarden.advice.window must be from 10s to 24h (was PT9S)
			poolwarden.advice.window=25h                   | poolwarden.advice.window must be from 10s to 24h (was PT25H)
			""")
	void failsWithTheKeyAndRangeOnInvalidUtilizationAndHealthSettings(String property, String message) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(message);
		});
	}

	@Test
	void failsWhenBothThresholdsAreSetTheWrongWayRound() {
		this.contextRunner
			.withPropertyValues("poolwarden.utilization.warning-threshold=0.9",
					"poolwarden.utilization.critical-threshold=0.8")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("poolwarden.utilization.warning-threshold must be at most "
							+ "poolwarden.utilization.critical-threshold (0.8) (was 0.9)");
			});
	}

	/**
	 * Every property alone, at both ends of the range the README documents: each starts,
	 * and the pool lends a connection. No default may make a valid setting invalid.
	 */
	@ParameterizedTest(name = "{0}")
	@CsvSource(textBlock = """
			poolwarden.enabled=false
			poolwarden.excluded-beans=dataSource
			poolwarden.startup.verify=false
			poolwarden.startup.timeout=0s
			poolwarden.startup.timeout=1h
			poolwarden.retry.enabled=false
			poolwarden.retry.max-retries=0
			poolwarden.retry.max-retries=9223372036854775807
			poolwarden.retry.delay=0ms
			poolwarden.retry.delay=20ms
			poolwarden.retry.delay=1h
			poolwarden.retry.multiplier=1
			poolwarden.retry.multiplier=1000
			poolwarden.retry.max-delay=1ms
			poolwarden.retry.max-delay=1h
			poolwarden.retry.jitter=0ms
			poolwarden.retry.jitter=1h
			poolwarden.retry.timeout=1ms
			poolwarden.retry.timeout=1h
			poolwarden.utilization.warning-threshold=0.01
			poolwarden.utilization.warning-threshold=1.0
			poolwarden.utilization.critical-threshold=0.01
			poolwarden.utilization.critical-threshold=1.0
			poolwarden.utilization.hysteresis=0
			poolwarden.utilization.hysteresis=0.99
			poolwarden.utilization.hold-down=0s
			poolwarden.utilization.hold-down=1h
			poolwarden.utilization.sample-interval=10ms
			poolwarden.utilization.sample-interval=1h
			poolwarden.health.timeout=10ms
			poolwarden.health.timeout=1h
			poolwarden.health.probe-interval=1ms
			poolwarden.health.probe-interval=1h
			poolwarden.health.stuck-after=0s
			poolwarden.health.stuck-after=1ms
			poolwarden.health.stuck-after=1h
			poolwarden.health.out-of-service-when-critical=true
			poolwarden.tracking.enabled=false
			poolwarden.tracking.call-site=never
			poolwarden.tracking.call-site=on-pressure
			poolwarden.tracking.call-site=adaptive
			poolwarden.tracking.call-site=always
			poolwarden.tracking.application-packages=com.acme
			poolwarden.tracking.skip-packages=com.acme.dao.
			poolwarden.tracking.long-hold-threshold=1ms
			poolwarden.tracking.long-hold-threshold=1h
			poolwarden.rollback-on-return=false
			poolwarden.capacity.enabled=false
			poolwarden.capacity.enforce=true
			poolwarden.capacity.sample-interval=1s
			poolwarden.capacity.sample-interval=1h
			poolwarden.capacity.replicas=1
			poolwarden.capacity.replicas=1000
			poolwarden.capacity.surge=0
			poolwarden.capacity.surge=1000
			poolwarden.pgbouncer.enabled=true
			poolwarden.pgbouncer.admin-database=pgbouncer
			poolwarden.pgbouncer.admin-username=stats
			poolwarden.pgbouncer.admin-password=secret
			poolwarden.evict-read-only-connections=false
			poolwarden.reset-session-on-return=true
			poolwarden.release-on-pause=false
			poolwarden.advice.enabled=false
			poolwarden.advice.window=10s
			poolwarden.advice.window=24h
			spring.datasource.hikari.connection-timeout=0
			spring.datasource.hikari.connection-timeout=250
			""")
	void everyPropertyAloneAtTheEndsOfItsRangeStarts(String property) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasNotFailed();
			try (Connection connection = context.getBean(DataSource.class).getConnection()) {
				assertThat(connection.isValid(1)).isTrue();
			}
		});
	}

	@Test
	void bindsUtilizationThresholds() {
		this.contextRunner
			.withPropertyValues("poolwarden.utilization.warning-threshold=0.6",
					"poolwarden.utilization.critical-threshold=0.9", "poolwarden.utilization.hysteresis=0.1")
			.run((context) -> assertThat(context.getBean(GuardedDataSource.class).getMonitor().thresholds())
				.isEqualTo(new UtilizationThresholds(0.6, 0.9, 0.1)));
	}

	@Test
	void wrapsConnectionsForTrackingByDefault() {
		this.contextRunner.run((context) -> {
			GuardedDataSource dataSource = context.getBean(GuardedDataSource.class);
			try (Connection connection = dataSource.getConnection()) {
				assertThat(connection.getClass().getName()).isEqualTo("io.github.poolwarden.tracking.GuardedConnection");
				assertThat(dataSource.getTracker().holders()).hasSize(1);
			}
			assertThat(dataSource.getTracker().holders()).isEmpty();
		});
	}

	@Test
	void handsOutThePoolsOwnConnectionsWithEveryConnectionFeatureOff() {
		this.contextRunner
			.withPropertyValues("poolwarden.tracking.enabled=false", "poolwarden.rollback-on-return=false",
					"poolwarden.retry.enabled=false")
			.run((context) -> {
				GuardedDataSource dataSource = context.getBean(GuardedDataSource.class);
				assertThat(dataSource.getTracker()).isNull();
				assertThat(dataSource.getRetry()).isNull();
				try (Connection connection = dataSource.getConnection()) {
					assertThat(connection.getClass().getName()).startsWith("com.zaxxer.hikari.pool.");
				}
			});
	}

	@Test
	void bindsTrackingSettings() {
		this.contextRunner
			.withPropertyValues("poolwarden.tracking.call-site=on-pressure", "poolwarden.tracking.long-hold-threshold=5s",
					"poolwarden.tracking.skip-packages=com.acme.dao.")
			.run((context) -> {
				PoolWardenProperties.Tracking tracking = context.getBean(PoolWardenProperties.class).getTracking();
				assertThat(tracking.getCallSite()).isEqualTo(CallSiteCapture.ON_PRESSURE);
				assertThat(tracking.getLongHoldThreshold()).isEqualTo(Duration.ofSeconds(5));
				assertThat(tracking.getSkipPackages()).containsExactly("com.acme.dao.");
			});
	}

	@Test
	void bindsRetrySettings() {
		this.contextRunner
			.withPropertyValues("spring.datasource.hikari.connection-timeout=2000", "poolwarden.retry.max-retries=5",
					"poolwarden.retry.delay=20ms", "poolwarden.retry.multiplier=1.5", "poolwarden.retry.max-delay=2s",
					"poolwarden.retry.jitter=10ms", "poolwarden.retry.timeout=7s")
			.run((context) -> {
				RetrySettings settings = context.getBean(GuardedDataSource.class).getRetry().getSettings();
				assertThat(settings).isEqualTo(new RetrySettings(5, Duration.ofMillis(20), 1.5, Duration.ofSeconds(2),
						Duration.ofMillis(10), Duration.ofSeconds(7)));
			});
	}

	@Test
	void withNothingTunedTheBudgetIsBootsConnectionTimeoutAndRetriesFitInIt() {
		this.contextRunner.run((context) -> {
			RetrySettings settings = context.getBean(GuardedDataSource.class).getRetry().getSettings();
			assertThat(settings).isEqualTo(new RetrySettings(3, Duration.ofSeconds(2), 2.0, Duration.ofSeconds(30),
					Duration.ofMillis(200), Duration.ofSeconds(30)));
		});
	}

	@Test
	void unsetRetryValuesFollowTheOnesThatAreSet() {
		this.contextRunner.withPropertyValues("poolwarden.retry.delay=20ms").run((context) -> {
			RetrySettings settings = context.getBean(GuardedDataSource.class).getRetry().getSettings();
			assertThat(settings.delay()).isEqualTo(Duration.ofMillis(20));
			assertThat(settings.jitter()).isEqualTo(Duration.ofMillis(2));
			assertThat(settings.maxDelay()).isEqualTo(Duration.ofSeconds(30));
		});
		this.contextRunner.withPropertyValues("spring.datasource.hikari.connection-timeout=5000").run((context) -> {
			RetrySettings settings = context.getBean(GuardedDataSource.class).getRetry().getSettings();
			assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(settings.delay()).isEqualTo(Duration.ofMillis(333));
		});
	}

	@Test
	void unsetThresholdsFollowTheOneThatIsSet() {
		this.contextRunner.withPropertyValues("poolwarden.utilization.warning-threshold=0.97")
			.run((context) -> assertThat(context.getBean(UtilizationThresholds.class))
				.isEqualTo(new UtilizationThresholds(0.97, 0.97, 0.05)));
		this.contextRunner.withPropertyValues("poolwarden.utilization.critical-threshold=0.6")
			.run((context) -> assertThat(context.getBean(UtilizationThresholds.class))
				.isEqualTo(new UtilizationThresholds(0.6, 0.6, 0.05)));
	}


	@Test
	void doesNotRetryWhenRetryIsDisabled() {
		this.contextRunner.withPropertyValues("poolwarden.retry.enabled=false")
			.run((context) -> assertThat(context.getBean(GuardedDataSource.class).getRetry()).isNull());
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		@Bean
		GuardedPools userPools() {
			return new GuardedPools();
		}

		@Bean
		StartupVerifier userVerifier() {
			return new StartupVerifier(java.time.Duration.ZERO);
		}

	}

}
