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

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.startup.StartupVerifier;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * that guards every {@link HikariDataSource} bean with PoolWarden.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@ConditionalOnClass(HikariDataSource.class)
@ConditionalOnBooleanProperty(name = "poolwarden.enabled", matchIfMissing = true)
@EnableConfigurationProperties(PoolWardenProperties.class)
public final class PoolWardenAutoConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static GuardedDataSourceBeanPostProcessor poolwardenDataSourceBeanPostProcessor() {
		return new GuardedDataSourceBeanPostProcessor();
	}

	@Bean
	@ConditionalOnMissingBean
	GuardedPools poolwardenGuardedPools() {
		return new GuardedPools();
	}

	@Bean
	@ConditionalOnMissingBean
	GuardedDataSourceFactory poolwardenDataSourceFactory(PoolWardenProperties properties, GuardedPools pools) {
		return new GuardedDataSourceFactory(properties, pools);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "poolwarden.startup.verify", matchIfMissing = true)
	StartupVerifier poolwardenStartupVerifier(GuardedPools pools, PoolWardenProperties properties) {
		return new StartupVerifier(() -> pools.asMap().values(), properties.getStartup().getTimeout());
	}

}
