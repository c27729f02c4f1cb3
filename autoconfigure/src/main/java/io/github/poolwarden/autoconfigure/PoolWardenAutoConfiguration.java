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
import io.github.poolwarden.capacity.CapacityChecker;
import io.github.poolwarden.startup.PoolLifecycle;
import io.github.poolwarden.startup.StartupVerifier;
import io.github.poolwarden.tracking.HolderTrackingUtilizationListener;
import io.github.poolwarden.utilization.LoggingUtilizationListener;
import io.github.poolwarden.utilization.PoolUtilizationChangedEvent;
import io.github.poolwarden.utilization.UtilizationListener;
import io.github.poolwarden.utilization.UtilizationSampler;
import io.github.poolwarden.utilization.UtilizationThresholds;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
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
	UtilizationThresholds poolwardenUtilizationThresholds(PoolWardenProperties properties) {
		PoolWardenProperties.Utilization utilization = properties.getUtilization();
		return new UtilizationThresholds(utilization.getWarningThreshold(), utilization.getCriticalThreshold(),
				utilization.getHysteresis());
	}

	@Bean
	@ConditionalOnMissingBean
	GuardedDataSourceFactory poolwardenDataSourceFactory(PoolWardenProperties properties, GuardedPools pools,
			UtilizationThresholds thresholds) {
		return new GuardedDataSourceFactory(properties, pools, thresholds);
	}

	@Bean
	@ConditionalOnMissingBean
	LoggingUtilizationListener poolwardenLoggingUtilizationListener(UtilizationThresholds thresholds) {
		return new LoggingUtilizationListener(thresholds);
	}

	@Bean
	@ConditionalOnMissingBean
	HolderTrackingUtilizationListener poolwardenHolderTrackingUtilizationListener(GuardedPools pools) {
		return new HolderTrackingUtilizationListener(pools);
	}

	@Bean
	@ConditionalOnMissingBean(name = "poolwardenEventPublishingUtilizationListener")
	UtilizationListener poolwardenEventPublishingUtilizationListener(ApplicationEventPublisher publisher) {
		return (transition) -> publisher.publishEvent(new PoolUtilizationChangedEvent(transition));
	}

	@Bean
	@ConditionalOnMissingBean
	UtilizationSampler poolwardenUtilizationSampler(GuardedPools pools, ObjectProvider<UtilizationListener> listeners,
			ObjectProvider<CapacityChecker> capacity, PoolWardenProperties properties) {
		UtilizationSampler sampler = new UtilizationSampler(() -> pools.asMap().values(),
				listeners.orderedStream().toList(), properties.getUtilization().getSampleInterval());
		capacity.ifAvailable((checker) -> sampler.setCapacityRefresh(checker,
				properties.getCapacity().getSampleInterval()));
		return sampler;
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "poolwarden.startup.verify", matchIfMissing = true)
	StartupVerifier poolwardenStartupVerifier(PoolWardenProperties properties) {
		return new StartupVerifier(properties.getStartup().getTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "poolwarden.capacity.enabled", matchIfMissing = true)
	CapacityChecker poolwardenCapacityChecker(PoolWardenProperties properties) {
		return new CapacityChecker(properties.getCapacity().isEnforce());
	}

	@Bean
	@ConditionalOnMissingBean
	PoolLifecycle poolwardenLifecycle(GuardedPools pools, ObjectProvider<StartupVerifier> verifier,
			ObjectProvider<CapacityChecker> capacity, PoolWardenProperties properties, ApplicationContext context) {
		return new PoolLifecycle(() -> pools.asMap().values(), verifier.getIfAvailable(), capacity.getIfAvailable(),
				properties.isReleaseOnPause(), context.getId());
	}

}
