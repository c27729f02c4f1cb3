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

import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.PoolWardenProperties;
import io.github.poolwarden.metrics.PoolWardenMeterBinder;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of PoolWarden's Micrometer meters.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
@AutoConfiguration(after = PoolWardenAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, GuardedPools.class })
public final class PoolWardenMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PoolWardenMeterBinder poolwardenMeterBinder(GuardedPools pools, PoolWardenProperties properties) {
		return new PoolWardenMeterBinder(() -> pools.asMap().values(),
				properties.getCapacity().getReplicas() + properties.getCapacity().getSurge());
	}

}
