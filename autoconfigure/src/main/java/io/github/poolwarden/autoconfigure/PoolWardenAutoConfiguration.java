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

import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.lifecycle.CapacityChecker;
import io.github.poolwarden.lifecycle.PoolLifecycle;
import io.github.poolwarden.startup.StartupVerifier;
import io.github.poolwarden.utilization.LoggingUtilizationListener;
import io.github.poolwarden.utilization.PoolUtilizationChangedEvent;
import io.github.poolwarden.utilization.UtilizationListener;
import io.github.poolwarden.utilization.UtilizationThresholds;
import io.github.poolwarden.watch.PoolWatch;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.util.ClassUtils;

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
		return new UtilizationThresholds(utilization.effectiveWarningThreshold(),
				utilization.effectiveCriticalThreshold(), utilization.getHysteresis());
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
		PoolWardenProperties.Capacity capacity = properties.getCapacity();
		PoolWardenProperties.PgBouncer pgbouncer = properties.getPgbouncer();
		return new CapacityChecker(new CapacityChecker.Settings(capacity.isEnforce(), capacity.getReplicas(),
				capacity.getSurge(), pgbouncer.isEnabled() ? new CapacityChecker.PgBouncer(pgbouncer.getAdminDatabase(),
						pgbouncer.getAdminUsername(), pgbouncer.getAdminPassword()) : null));
	}

	@Bean
	@ConditionalOnMissingBean
	GuardedDataSourceFactory poolwardenDataSourceFactory(PoolWardenProperties properties, GuardedPools pools,
			UtilizationThresholds thresholds, LoggingUtilizationListener logging, ObjectProvider<StartupVerifier> verifier,
			ObjectProvider<CapacityChecker> capacity, BeanFactory beanFactory, ApplicationContext context) {
		List<String> applicationPackages = AutoConfigurationPackages.has(beanFactory)
				? AutoConfigurationPackages.get(beanFactory) : List.of();
		boolean virtualThreads = context.getEnvironment()
			.getProperty("spring.threads.virtual.enabled", Boolean.class, false);
		return new GuardedDataSourceFactory(properties, pools, thresholds, logging, applicationPackages,
				verifier.getIfAvailable(), capacity.getIfAvailable(), context.getId(), virtualThreads,
				workerCeiling(context, virtualThreads));
	}

	/**
	 * The most threads that can ask for a connection at once, where it is known: Tomcat's
	 * worker threads in a servlet web application on platform threads. Virtual threads
	 * have no ceiling.
	 */
	static @Nullable Integer workerCeiling(ApplicationContext context, boolean virtualThreads) {
		ClassLoader classLoader = context.getClassLoader();
		if (virtualThreads || !ClassUtils.isPresent("org.apache.catalina.startup.Tomcat", classLoader)
				|| !isServletWebContext(context, classLoader)) {
			return null;
		}
		return context.getEnvironment().getProperty("server.tomcat.threads.max", Integer.class, 200);
	}

	private static boolean isServletWebContext(ApplicationContext context, @Nullable ClassLoader classLoader) {
		String type = "org.springframework.web.context.WebApplicationContext";
		if (!ClassUtils.isPresent(type, classLoader)) {
			return false;
		}
		return ClassUtils.resolveClassName(type, classLoader).isInstance(context);
	}

	@Bean
	@ConditionalOnMissingBean
	LoggingUtilizationListener poolwardenLoggingUtilizationListener(UtilizationThresholds thresholds) {
		return new LoggingUtilizationListener(thresholds);
	}

	@Bean
	@ConditionalOnMissingBean(name = "poolwardenEventPublishingUtilizationListener")
	UtilizationListener poolwardenEventPublishingUtilizationListener(ApplicationEventPublisher publisher) {
		return (transition) -> publisher.publishEvent(new PoolUtilizationChangedEvent(transition));
	}

	@Bean
	@ConditionalOnMissingBean
	PoolWatch poolwardenWatch(GuardedPools pools, ObjectProvider<UtilizationListener> listeners,
			ObjectProvider<CapacityChecker> capacity, PoolWardenProperties properties) {
		PoolWatch watch = new PoolWatch(() -> pools.asMap().values(), listeners.orderedStream().toList(),
				properties.getUtilization().getSampleInterval());
		capacity.ifAvailable((checker) -> watch.setCapacityRefresh(checker, properties.getCapacity().getSampleInterval()));
		return watch;
	}

	@Bean
	@ConditionalOnMissingBean
	PoolLifecycle poolwardenLifecycle(GuardedPools pools, ObjectProvider<StartupVerifier> verifier,
			ObjectProvider<CapacityChecker> capacity, PoolWardenProperties properties, ApplicationContext context) {
		return new PoolLifecycle(() -> pools.asMap().values(), verifier.getIfAvailable(), capacity.getIfAvailable(),
				properties.isReleaseOnPause(), context.getId());
	}

}
