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

package io.github.poolwarden.autoconfigure.health;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.PoolWardenProperties;
import io.github.poolwarden.health.PoolWardenHealthIndicator;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of the {@code poolwarden} health contributor: one indicator for a single pool, a
 * composite keyed by pool name for several.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
@AutoConfiguration(after = PoolWardenAutoConfiguration.class)
@ConditionalOnClass(HealthContributor.class)
@ConditionalOnBean(GuardedPools.class)
@ConditionalOnEnabledHealthIndicator("poolwarden")
public final class PoolWardenHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "poolwardenHealthContributor")
	HealthContributor poolwardenHealthContributor(GuardedPools pools, PoolWardenProperties properties) {
		Map<String, PoolWardenHealthIndicator> indicators = new LinkedHashMap<>();
		for (GuardedDataSource pool : pools.asMap().values()) {
			indicators.put(pool.getPoolName(),
					new PoolWardenHealthIndicator(pool, properties.getHealth().isOutOfServiceWhenCritical()));
		}
		if (indicators.size() == 1) {
			return indicators.values().iterator().next();
		}
		return CompositeHealthContributor.fromMap(indicators);
	}

}
