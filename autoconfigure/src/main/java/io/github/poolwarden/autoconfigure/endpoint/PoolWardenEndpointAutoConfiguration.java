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

package io.github.poolwarden.autoconfigure.endpoint;

import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.endpoint.PoolWardenEndpoint;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of the {@code poolwarden} actuator endpoint.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
@AutoConfiguration(after = PoolWardenAutoConfiguration.class)
@ConditionalOnClass({ ConditionalOnAvailableEndpoint.class, PoolWardenEndpoint.class })
@ConditionalOnBean(GuardedPools.class)
@ConditionalOnAvailableEndpoint(PoolWardenEndpoint.class)
public final class PoolWardenEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PoolWardenEndpoint poolwardenEndpoint(GuardedPools pools) {
		return new PoolWardenEndpoint(pools);
	}

}
