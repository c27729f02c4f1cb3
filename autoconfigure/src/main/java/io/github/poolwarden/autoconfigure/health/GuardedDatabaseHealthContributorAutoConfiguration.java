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

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.health.GuardedDatabaseHealthIndicator;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.SimpleAutowireCandidateResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;
import org.springframework.boot.jdbc.metadata.CompositeDataSourcePoolMetadataProvider;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadata;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of Boot's {@code db} health component, answered by PoolWarden for guarded pools so
 * that {@code /actuator/health} never waits on a saturated pool. Built as Boot builds it
 * (one indicator per {@code DataSource} bean, a composite keyed by bean name, routing data
 * sources expanded unless {@code management.health.db.ignore-routing-data-sources}), with
 * Boot's own {@link DataSourceHealthIndicator} for every data source PoolWarden does not
 * guard. Runs before Boot's configuration of the same component, which then backs off;
 * {@code management.health.db.enabled=false} switches both off, and a bean named
 * {@code dbHealthIndicator} or {@code dbHealthContributor} of the application's wins.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
@AutoConfiguration(after = PoolWardenAutoConfiguration.class,
		beforeName = "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration")
@ConditionalOnClass({ HealthContributor.class, DataSourceHealthIndicator.class, AbstractRoutingDataSource.class,
		ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean({ GuardedPools.class, DataSource.class })
@ConditionalOnEnabledHealthIndicator("db")
public final class GuardedDatabaseHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = { "dbHealthIndicator", "dbHealthContributor" })
	HealthContributor dbHealthContributor(ConfigurableListableBeanFactory beanFactory, GuardedPools pools,
			ObjectProvider<DataSourcePoolMetadataProvider> metadataProviders, Environment environment) {
		Map<String, DataSource> dataSources = SimpleAutowireCandidateResolver.resolveAutowireCandidates(beanFactory,
				DataSource.class, false, true);
		boolean ignoreRouting = Binder.get(environment)
			.bind("management.health.db.ignore-routing-data-sources", Boolean.class)
			.orElse(false);
		Contributors contributors = new Contributors(pools,
				new CompositeDataSourcePoolMetadataProvider(metadataProviders.orderedStream().toList()));
		Map<String, DataSource> included = new LinkedHashMap<>();
		dataSources.forEach((name, dataSource) -> {
			if (!ignoreRouting || !Contributors.isRouting(dataSource)) {
				included.put(name, dataSource);
			}
		});
		if (included.size() == 1) {
			return contributors.create(included.values().iterator().next());
		}
		return CompositeHealthContributor.fromMap(included, contributors::create);
	}

	/**
	 * Creates the contributor of each data source.
	 */
	private record Contributors(GuardedPools pools, DataSourcePoolMetadataProvider metadata) {

		HealthContributor create(DataSource dataSource) {
			GuardedDataSource guarded = guarded(dataSource);
			if (guarded != null && guarded.getDatabaseProbe() != null) {
				return new GuardedDatabaseHealthIndicator(guarded);
			}
			if (isRouting(dataSource)) {
				return new RoutingContributor(routing(dataSource), this::create);
			}
			DataSourcePoolMetadata poolMetadata = this.metadata.getDataSourcePoolMetadata(dataSource);
			return new DataSourceHealthIndicator(dataSource,
					(poolMetadata != null) ? poolMetadata.getValidationQuery() : null);
		}

		private @Nullable GuardedDataSource guarded(DataSource dataSource) {
			GuardedDataSource guarded = null;
			if (dataSource instanceof GuardedDataSource direct) {
				guarded = direct;
			}
			else {
				try {
					if (dataSource.isWrapperFor(GuardedDataSource.class)) {
						guarded = dataSource.unwrap(GuardedDataSource.class);
					}
				}
				catch (SQLException ex) {
					return null;
				}
			}
			// Only a pool of this context: another context's guard is that context's to answer.
			return (guarded != null && this.pools.asMap().containsValue(guarded)) ? guarded : null;
		}

		static boolean isRouting(DataSource dataSource) {
			if (dataSource instanceof AbstractRoutingDataSource) {
				return true;
			}
			try {
				return dataSource.isWrapperFor(AbstractRoutingDataSource.class);
			}
			catch (SQLException ex) {
				return false;
			}
		}

		private static AbstractRoutingDataSource routing(DataSource dataSource) {
			if (dataSource instanceof AbstractRoutingDataSource routing) {
				return routing;
			}
			try {
				return dataSource.unwrap(AbstractRoutingDataSource.class);
			}
			catch (SQLException ex) {
				throw new IllegalStateException("Failed to unwrap AbstractRoutingDataSource from " + dataSource, ex);
			}
		}

	}

	/**
	 * One contributor per data source a routing data source resolves to, keyed by its
	 * lookup key, as Boot's own {@code db} health does.
	 */
	private static final class RoutingContributor implements CompositeHealthContributor {

		private final CompositeHealthContributor delegate;

		RoutingContributor(AbstractRoutingDataSource routing,
				java.util.function.Function<DataSource, HealthContributor> create) {
			Map<String, DataSource> routed = new LinkedHashMap<>();
			routing.getResolvedDataSources()
				.forEach((key, dataSource) -> routed.put(Objects.toString(key, "unnamed"), dataSource));
			this.delegate = CompositeHealthContributor.fromMap(routed, create);
		}

		@Override
		public @Nullable HealthContributor getContributor(String name) {
			return this.delegate.getContributor(name);
		}

		@Override
		public Stream<HealthContributors.Entry> stream() {
			return this.delegate.stream();
		}

	}

}
