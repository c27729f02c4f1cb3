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

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.validation.Errors;
import org.springframework.validation.FieldError;
import org.springframework.validation.MapBindingResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the validation of {@link PoolWardenProperties}: each property accepted at
 * the ends of its range and rejected just outside it, with a message naming the full
 * key, the range and the value. (That the application stops at startup with that
 * message is shown by {@code PoolWardenAutoConfigurationTests}.)
 */
class PoolWardenPropertiesValidationTests {

	private static List<String> errors(Consumer<PoolWardenProperties> settings) {
		PoolWardenProperties properties = new PoolWardenProperties();
		settings.accept(properties);
		// Boot's binder records errors by property key, as a map-backed result does
		Errors errors = new MapBindingResult(new HashMap<>(), "poolwarden");
		properties.validate(properties, errors);
		return errors.getFieldErrors().stream().map(FieldError::getDefaultMessage).toList();
	}

	private static void accepted(Consumer<PoolWardenProperties> settings) {
		assertThat(errors(settings)).isEmpty();
	}

	private static void rejected(Consumer<PoolWardenProperties> settings, String message) {
		assertThat(errors(settings)).containsExactly(message);
	}

	@Test
	void theDefaultsAreValid() {
		accepted((properties) -> {
		});
		assertThat(new PoolWardenProperties().supports(PoolWardenProperties.class)).isTrue();
		assertThat(new PoolWardenProperties().supports(String.class)).isFalse();
	}

	@Test
	void startupTimeout() {
		accepted((p) -> p.getStartup().setTimeout(Duration.ZERO));
		rejected((p) -> p.getStartup().setTimeout(Duration.ofMillis(-1)),
				"poolwarden.startup.timeout must be zero or positive (was PT-0.001S)");
		rejected((p) -> p.getStartup().setTimeout(null), "poolwarden.startup.timeout must be zero or positive (was null)");
	}

	@Test
	void retry() {
		accepted((p) -> {
			p.getRetry().setMaxRetries(0);
			p.getRetry().setDelay(Duration.ZERO);
			p.getRetry().setMultiplier(1.0);
			p.getRetry().setMaxDelay(Duration.ofMillis(1));
			p.getRetry().setJitter(Duration.ZERO);
			p.getRetry().setTimeout(Duration.ofMillis(1));
		});
		rejected((p) -> p.getRetry().setMaxRetries(-1), "poolwarden.retry.max-retries must be at least 0 (was -1)");
		rejected((p) -> p.getRetry().setDelay(Duration.ofMillis(-1)),
				"poolwarden.retry.delay must be zero or positive (was PT-0.001S)");
		rejected((p) -> p.getRetry().setMultiplier(0.99), "poolwarden.retry.multiplier must be at least 1.0 (was 0.99)");
		rejected((p) -> p.getRetry().setMultiplier(Double.NaN),
				"poolwarden.retry.multiplier must be at least 1.0 (was NaN)");
		rejected((p) -> p.getRetry().setMaxDelay(Duration.ZERO), "poolwarden.retry.max-delay must be positive (was PT0S)");
		rejected((p) -> p.getRetry().setMaxDelay(Duration.ofMillis(-5)),
				"poolwarden.retry.max-delay must be positive (was PT-0.005S)");
		rejected((p) -> p.getRetry().setJitter(Duration.ofMillis(-1)),
				"poolwarden.retry.jitter must be zero or positive (was PT-0.001S)");
		rejected((p) -> p.getRetry().setTimeout(Duration.ZERO), "poolwarden.retry.timeout must be positive (was PT0S)");
	}

	@Test
	void adviceWindowAtBothEndsAndJustOutside() {
		accepted((p) -> p.getAdvice().setWindow(Duration.ofSeconds(10)));
		accepted((p) -> p.getAdvice().setWindow(Duration.ofHours(24)));
		rejected((p) -> p.getAdvice().setWindow(Duration.ofMillis(9999)),
				"poolwarden.advice.window must be from 10s to 24h (was PT9.999S)");
		rejected((p) -> p.getAdvice().setWindow(Duration.ofHours(24).plusMillis(1)),
				"poolwarden.advice.window must be from 10s to 24h (was PT24H0.001S)");
		assertThat(new PoolWardenProperties().getAdvice().isEnabled()).isTrue();
		PoolWardenProperties off = new PoolWardenProperties();
		off.getAdvice().setEnabled(false);
		assertThat(off.getAdvice().isEnabled()).isFalse();
	}

	@Test
	void thresholds() {
		accepted((p) -> {
			p.getUtilization().setWarningThreshold(1.0);
			p.getUtilization().setCriticalThreshold(1.0);
		});
		accepted((p) -> p.getUtilization().setWarningThreshold(0.001));
		rejected((p) -> p.getUtilization().setWarningThreshold(0),
				"poolwarden.utilization.warning-threshold must be above 0 and at most 1 (was 0.0)");
		rejected((p) -> p.getUtilization().setCriticalThreshold(1.01),
				"poolwarden.utilization.critical-threshold must be above 0 and at most 1 (was 1.01)");
		rejected((p) -> p.getUtilization().setCriticalThreshold(Double.NaN),
				"poolwarden.utilization.critical-threshold must be above 0 and at most 1 (was NaN)");
		rejected((p) -> {
			p.getUtilization().setWarningThreshold(0.9);
			p.getUtilization().setCriticalThreshold(0.85);
		}, "poolwarden.utilization.warning-threshold must be at most poolwarden.utilization.critical-threshold (0.85) "
				+ "(was 0.9)");
	}

	@ParameterizedTest
	@ValueSource(doubles = { 0.99, 0.01 })
	void oneThresholdSetAloneMovesTheOther(double threshold) {
		accepted((p) -> p.getUtilization().setWarningThreshold(threshold));
		accepted((p) -> p.getUtilization().setCriticalThreshold(threshold));
		PoolWardenProperties.Utilization warningOnly = new PoolWardenProperties().getUtilization();
		warningOnly.setWarningThreshold(threshold);
		assertThat(warningOnly.effectiveWarningThreshold()).isEqualTo(threshold);
		assertThat(warningOnly.effectiveCriticalThreshold()).isEqualTo(Math.max(0.95, threshold));
		PoolWardenProperties.Utilization criticalOnly = new PoolWardenProperties().getUtilization();
		criticalOnly.setCriticalThreshold(threshold);
		assertThat(criticalOnly.effectiveCriticalThreshold()).isEqualTo(threshold);
		assertThat(criticalOnly.effectiveWarningThreshold()).isEqualTo(Math.min(0.80, threshold));
	}

	@Test
	void hysteresisHoldDownAndSampling() {
		accepted((p) -> {
			p.getUtilization().setHysteresis(0);
			p.getUtilization().setHoldDown(Duration.ZERO);
			p.getUtilization().setSampleInterval(Duration.ofMillis(10));
		});
		accepted((p) -> p.getUtilization().setHysteresis(0.999));
		rejected((p) -> p.getUtilization().setHysteresis(1),
				"poolwarden.utilization.hysteresis must be from 0 to below 1 (was 1.0)");
		rejected((p) -> p.getUtilization().setHysteresis(-0.01),
				"poolwarden.utilization.hysteresis must be from 0 to below 1 (was -0.01)");
		rejected((p) -> p.getUtilization().setHysteresis(Double.NaN),
				"poolwarden.utilization.hysteresis must be from 0 to below 1 (was NaN)");
		rejected((p) -> p.getUtilization().setHoldDown(Duration.ofMillis(-1)),
				"poolwarden.utilization.hold-down must be zero or positive (was PT-0.001S)");
		rejected((p) -> p.getUtilization().setSampleInterval(Duration.ofMillis(9)),
				"poolwarden.utilization.sample-interval must be at least 10ms (was PT0.009S)");
		rejected((p) -> p.getUtilization().setSampleInterval(null),
				"poolwarden.utilization.sample-interval must be at least 10ms (was null)");
	}

	@Test
	void healthTrackingAndCapacity() {
		accepted((p) -> {
			p.getHealth().setTimeout(Duration.ofMillis(10));
			p.getHealth().setProbeInterval(Duration.ofMillis(1));
			p.getHealth().setStuckAfter(Duration.ZERO);
			p.getTracking().setLongHoldThreshold(Duration.ofMillis(1));
			p.getCapacity().setSampleInterval(Duration.ofSeconds(1));
		});
		rejected((p) -> p.getHealth().setTimeout(Duration.ofMillis(9)),
				"poolwarden.health.timeout must be at least 10ms (was PT0.009S)");
		rejected((p) -> p.getHealth().setProbeInterval(Duration.ZERO),
				"poolwarden.health.probe-interval must be positive (was PT0S)");
		rejected((p) -> p.getHealth().setProbeInterval(null),
				"poolwarden.health.probe-interval must be positive (was null)");
		rejected((p) -> p.getHealth().setStuckAfter(Duration.ofMillis(-1)),
				"poolwarden.health.stuck-after must be zero or positive (was PT-0.001S)");
		rejected((p) -> p.getHealth().setStuckAfter(null),
				"poolwarden.health.stuck-after must be zero or positive (was null)");
		rejected((p) -> p.getTracking().setLongHoldThreshold(Duration.ZERO),
				"poolwarden.tracking.long-hold-threshold must be at least 1ms (was PT0S)");
		rejected((p) -> p.getCapacity().setSampleInterval(Duration.ofMillis(999)),
				"poolwarden.capacity.sample-interval must be at least 1000ms (was PT0.999S)");
		rejected((p) -> p.getTracking().setCallSite(null),
				"poolwarden.tracking.call-site must be one of never, on-pressure, adaptive, always (was null)");
	}

	@Test
	void replicasSurgeAndPgBouncer() {
		accepted((p) -> {
			p.getCapacity().setReplicas(1);
			p.getCapacity().setSurge(0);
			p.getPgbouncer().setAdminDatabase("pgbouncer");
		});
		rejected((p) -> p.getCapacity().setReplicas(0), "poolwarden.capacity.replicas must be at least 1 (was 0)");
		rejected((p) -> p.getCapacity().setSurge(-1), "poolwarden.capacity.surge must be at least 0 (was -1)");
		rejected((p) -> p.getPgbouncer().setAdminDatabase(" "),
				"poolwarden.pgbouncer.admin-database must not be empty (was  )");
		rejected((p) -> p.getPgbouncer().setAdminDatabase(null),
				"poolwarden.pgbouncer.admin-database must not be empty (was null)");
	}

	@Test
	void everyFaultIsReportedNotOnlyTheFirst() {
		assertThat(errors((p) -> {
			p.getRetry().setMaxRetries(-1);
			p.getHealth().setTimeout(Duration.ZERO);
		})).hasSize(2);
	}

}
