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
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that every switch and list of {@link PoolWardenProperties} binds from its
 * documented key, the public contract users write in {@code application.yml}, and that
 * each defaults as the README says.
 */
class PoolWardenPropertiesBindingTests {

	private static PoolWardenProperties bind(Map<String, String> values) {
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("poolwarden",
				PoolWardenProperties.class);
	}

	@Test
	void switchesAndListsDefaultAsDocumented() {
		PoolWardenProperties properties = bind(Map.of());
		assertThat(properties.isEnabled()).isTrue();
		assertThat(properties.getExcludedBeans()).isEmpty();
		assertThat(properties.isReleaseOnPause()).isTrue();
		assertThat(properties.isEvictReadOnlyConnections()).isTrue();
		assertThat(properties.isResetSessionOnReturn()).isFalse();
		assertThat(properties.isRollbackOnReturn()).isTrue();
		assertThat(properties.getRetry().isEnabled()).isTrue();
		assertThat(properties.getCapacity().isEnabled()).isTrue();
		assertThat(properties.getCapacity().isEnforce()).isFalse();
		assertThat(properties.getPgbouncer().isEnabled()).isFalse();
		assertThat(properties.getPgbouncer().getAdminDatabase()).isEqualTo("pgbouncer");
		assertThat(properties.getPgbouncer().getAdminUsername()).isNull();
		assertThat(properties.getPgbouncer().getAdminPassword()).isNull();
		assertThat(properties.getTracking().isEnabled()).isTrue();
		assertThat(properties.getTracking().getApplicationPackages()).isEmpty();
		assertThat(properties.getTracking().getSkipPackages()).isEmpty();
		assertThat(properties.getStartup().isVerify()).isTrue();
		assertThat(properties.getHealth().isOutOfServiceWhenCritical()).isFalse();
		assertThat(properties.getHealth().getProbeInterval()).isEqualTo(Duration.ofSeconds(10));
		assertThat(properties.getHealth().getStuckAfter()).isEqualTo(Duration.ofSeconds(60));
	}

	@Test
	void everySwitchAndListBindsFromItsKey() {
		PoolWardenProperties properties = bind(Map.ofEntries(Map.entry("poolwarden.enabled", "false"),
				Map.entry("poolwarden.excluded-beans", "reportingDataSource,auditDataSource"),
				Map.entry("poolwarden.release-on-pause", "false"),
				Map.entry("poolwarden.evict-read-only-connections", "false"),
				Map.entry("poolwarden.reset-session-on-return", "true"),
				Map.entry("poolwarden.rollback-on-return", "false"), Map.entry("poolwarden.retry.enabled", "false"),
				Map.entry("poolwarden.capacity.enabled", "false"), Map.entry("poolwarden.capacity.enforce", "true"),
				Map.entry("poolwarden.pgbouncer.enabled", "true"),
				Map.entry("poolwarden.pgbouncer.admin-database", "console"),
				Map.entry("poolwarden.pgbouncer.admin-username", "stats"),
				Map.entry("poolwarden.pgbouncer.admin-password", "secret"),
				Map.entry("poolwarden.tracking.enabled", "false"),
				Map.entry("poolwarden.tracking.application-packages", "com.example.shop"),
				Map.entry("poolwarden.tracking.skip-packages", "com.example.dao,com.example.jdbc"),
				Map.entry("poolwarden.startup.verify", "false"),
				Map.entry("poolwarden.health.out-of-service-when-critical", "true"),
				Map.entry("poolwarden.health.probe-interval", "30s"), Map.entry("poolwarden.health.stuck-after", "0")));
		assertThat(properties.isEnabled()).isFalse();
		assertThat(properties.getExcludedBeans()).isEqualTo(Set.of("reportingDataSource", "auditDataSource"));
		assertThat(properties.isReleaseOnPause()).isFalse();
		assertThat(properties.isEvictReadOnlyConnections()).isFalse();
		assertThat(properties.isResetSessionOnReturn()).isTrue();
		assertThat(properties.isRollbackOnReturn()).isFalse();
		assertThat(properties.getRetry().isEnabled()).isFalse();
		assertThat(properties.getCapacity().isEnabled()).isFalse();
		assertThat(properties.getCapacity().isEnforce()).isTrue();
		assertThat(properties.getPgbouncer().isEnabled()).isTrue();
		assertThat(properties.getPgbouncer().getAdminDatabase()).isEqualTo("console");
		assertThat(properties.getPgbouncer().getAdminUsername()).isEqualTo("stats");
		assertThat(properties.getPgbouncer().getAdminPassword()).isEqualTo("secret");
		assertThat(properties.getTracking().isEnabled()).isFalse();
		assertThat(properties.getTracking().getApplicationPackages()).containsExactly("com.example.shop");
		assertThat(properties.getTracking().getSkipPackages()).containsExactly("com.example.dao", "com.example.jdbc");
		assertThat(properties.getStartup().isVerify()).isFalse();
		assertThat(properties.getHealth().isOutOfServiceWhenCritical()).isTrue();
		assertThat(properties.getHealth().getProbeInterval()).isEqualTo(Duration.ofSeconds(30));
		assertThat(properties.getHealth().getStuckAfter()).isZero();
		assertThat(List.of(properties.getRetry(), properties.getUtilization())).doesNotContainNull();
	}

}
