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

package io.github.poolwarden.benchmarks;

import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.sql.DataSource;

import com.vladmihalcea.flexypool.FlexyPoolDataSource;
import com.vladmihalcea.flexypool.adaptor.HikariCPPoolAdapter;
import com.vladmihalcea.flexypool.config.FlexyPoolConfiguration;
import com.vladmihalcea.flexypool.strategy.RetryConnectionAcquisitionStrategy;
import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * The data sources a benchmark compares. Each is built the way a user gets it: a Spring
 * Boot application context with Boot's data source auto-configuration and PoolWarden's
 * starter, configured through properties only, around its own HikariCP pool of the same
 * configuration.
 */
public enum Variant {

	/**
	 * HikariCP as Spring Boot configures it, PoolWarden off
	 * ({@code poolwarden.enabled=false}).
	 */
	RAW("poolwarden.enabled=false"),

	/**
	 * HikariCP with its own leak detection on ({@code leakDetectionThreshold}), which
	 * records the borrower's stack on every borrow: the reference for the cost of naming
	 * holders.
	 */
	LEAK_DETECTION("poolwarden.enabled=false", "spring.datasource.hikari.leak-detection-threshold=60000"),

	/**
	 * PoolWarden with every acquisition feature off (no retry, no tracking, no rollback
	 * on return): the cost of the delegation alone.
	 */
	OFF("poolwarden.retry.enabled=false", "poolwarden.tracking.enabled=false", "poolwarden.rollback-on-return=false"),

	/**
	 * PoolWarden as the starter configures it with nothing set: retry, holder tracking
	 * with adaptive call-site capture (every borrow up to about a thousand a second),
	 * rollback on return, the watch running.
	 */
	DEFAULTS,

	/**
	 * PoolWarden with a call site recorded on every borrow.
	 */
	ALWAYS("poolwarden.tracking.call-site=always"),

	/**
	 * PoolWarden with call sites recorded only at the warning level or above.
	 */
	ON_PRESSURE("poolwarden.tracking.call-site=on-pressure"),

	/**
	 * PoolWarden with holders known by thread and age only.
	 */
	NEVER("poolwarden.tracking.call-site=never"),

	/**
	 * FlexyPool 3 with its retry strategy around the same HikariCP (as Boot builds it).
	 */
	FLEXY("poolwarden.enabled=false");

	private final String[] properties;

	Variant(String... properties) {
		this.properties = properties;
	}

	/**
	 * Return the variant's name as reports show it.
	 * @return the label
	 */
	public String label() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	/**
	 * Find a variant by its label.
	 * @param label the label
	 * @return the variant
	 */
	public static Variant of(String label) {
		return valueOf(label.toUpperCase(Locale.ROOT).replace('-', '_'));
	}

	/**
	 * Build the variant around a new pool, through Spring Boot's auto-configuration.
	 * @param url the JDBC URL
	 * @param poolSize the pool's maximum and minimum size
	 * @param connectionTimeout the pool's connectionTimeout
	 * @param extra more properties, as {@code key=value}
	 * @return the data source and what closes it
	 */
	public Built build(String url, int poolSize, Duration connectionTimeout, String... extra) {
		List<String> properties = new ArrayList<>(List.of("spring.datasource.url=" + url,
				"spring.datasource.hikari.pool-name=" + label() + "-" + poolSize,
				"spring.datasource.hikari.maximum-pool-size=" + poolSize,
				"spring.datasource.hikari.minimum-idle=" + poolSize,
				"spring.datasource.hikari.connection-timeout=" + connectionTimeout.toMillis(),
				"spring.main.banner-mode=off", "spring.main.log-startup-info=false", "logging.level.root=WARN",
				"logging.level.io.github.poolwarden=ERROR", "logging.level.com.zaxxer.hikari=ERROR"));
		if (url.startsWith("jdbc:stub:")) {
			properties.add("spring.datasource.driver-class-name=" + StubDriver.class.getName());
		}
		properties.addAll(List.of(this.properties));
		properties.addAll(List.of(extra));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(BenchmarkApplication.class)
			.web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run();
		DataSource dataSource = context.getBean(DataSource.class);
		List<Closeable> closeables = new ArrayList<>();
		if (this == FLEXY) {
			dataSource = flexy(context.getBean(HikariDataSource.class), closeables);
		}
		closeables.add(context::close);
		return new Built(dataSource, closeables);
	}

	private static DataSource flexy(HikariDataSource pool, List<Closeable> closeables) {
		FlexyPoolConfiguration<HikariDataSource> configuration = new FlexyPoolConfiguration.Builder<>(
				pool.getPoolName(), pool, HikariCPPoolAdapter.FACTORY)
			.setJmxEnabled(false)
			.build();
		FlexyPoolDataSource<HikariDataSource> flexy = new FlexyPoolDataSource<>(configuration,
				new RetryConnectionAcquisitionStrategy.Factory<>(3));
		flexy.start();
		closeables.add(flexy::stop);
		return flexy;
	}

	/**
	 * A user's application, as far as its data source goes.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class })
	static class BenchmarkApplication {

	}

	/**
	 * A built variant.
	 *
	 * @param dataSource the data source to borrow from
	 * @param closeables what to close, in order
	 */
	public record Built(DataSource dataSource, List<Closeable> closeables) implements Closeable {

		@Override
		public void close() {
			for (Closeable closeable : this.closeables) {
				try {
					closeable.close();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			}
		}

	}

}
