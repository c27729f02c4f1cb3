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

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.HikariPoolProbe;
import io.github.poolwarden.health.DatabaseProbe;
import io.github.poolwarden.retry.AcquisitionRetry;
import io.github.poolwarden.retry.RetrySettings;
import io.github.poolwarden.support.ReadOnlyEvictingExceptionOverride;
import io.github.poolwarden.tracking.CallSites;
import io.github.poolwarden.tracking.ConnectionTracker;
import io.github.poolwarden.utilization.UtilizationMonitor;
import io.github.poolwarden.utilization.UtilizationThresholds;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.log.LogMessage;

/**
 * Builds the {@link GuardedDataSource} for a Hikari pool from {@link PoolWardenProperties}
 * and registers it in {@link GuardedPools}.
 *
 * @author PoolWarden authors
 */
class GuardedDataSourceFactory {

	/**
	 * The retry timeout when none is set: stock HikariCP's default connectionTimeout.
	 */
	static final Duration DEFAULT_RETRY_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * The longest holder summary in an exhaustion message.
	 */
	static final int HOLDER_SUMMARY_LENGTH = 600;

	/**
	 * How long the retry may ask the database whether it answers, when a timeout finds
	 * the pool empty.
	 */
	static final Duration REACHABILITY_TIMEOUT = Duration.ofMillis(300);

	private static final Pattern URL_CREDENTIALS = Pattern.compile("(//)([^/:@?;]+):([^/@?;]*)@");

	private static final Log logger = LogFactory.getLog(GuardedDataSourceFactory.class);

	private final PoolWardenProperties properties;

	private final GuardedPools pools;

	private final UtilizationThresholds thresholds;

	GuardedDataSourceFactory(PoolWardenProperties properties, GuardedPools pools, UtilizationThresholds thresholds) {
		this.properties = properties;
		this.pools = pools;
		this.thresholds = thresholds;
	}

	DataSource guard(String beanName, HikariDataSource pool) {
		if (this.properties.getExcludedBeans().contains(beanName)) {
			return pool;
		}
		moveUrlCredentials(pool);
		if (this.properties.isEvictReadOnlyConnections() && pool.getExceptionOverride() == null
				&& pool.getExceptionOverrideClassName() == null) {
			pool.setExceptionOverride(new ReadOnlyEvictingExceptionOverride());
		}
		if (pool.getPoolName() == null) {
			// Name the pool now, as HikariCP would when it starts, so every meter and log
			// line carries the same pool tag from the first moment.
			pool.validate();
		}
		HikariPoolProbe probe = new HikariPoolProbe(pool);
		AcquisitionRetry retry = retry(pool, probe);
		ConnectionTracker tracker = tracker(pool);
		if (retry != null && tracker != null && tracker.isTrackingHolders()) {
			retry.setHolderSummary(() -> tracker.summary(HOLDER_SUMMARY_LENGTH));
		}
		if (tracker != null && this.properties.isResetSessionOnReturn() && isPostgres(pool)) {
			tracker.setResetSql("DISCARD ALL");
		}
		warnWithoutSocketTimeout(pool);
		GuardedDataSource guarded = new GuardedDataSource(pool, probe, retry,
				new UtilizationMonitor(this.thresholds), tracker);
		if (retry != null) {
			DatabaseProbe database = new DatabaseProbe(guarded, REACHABILITY_TIMEOUT);
			retry.setReachability(() -> database.check().state() != DatabaseProbe.State.DOWN);
		}
		this.pools.register(beanName, guarded);
		return guarded;
	}

	/**
	 * Move {@code user:password@} out of a JDBC URL into the pool's username and
	 * password, so that no log line of HikariCP's (which masks {@code password=} but not
	 * this form) or of the driver prints the password.
	 */
	private static void moveUrlCredentials(HikariDataSource pool) {
		String url = pool.getJdbcUrl();
		if (url == null) {
			return;
		}
		Matcher matcher = URL_CREDENTIALS.matcher(url);
		if (!matcher.find()) {
			return;
		}
		if (pool.getUsername() == null) {
			pool.setUsername(URLDecoder.decode(matcher.group(2), StandardCharsets.UTF_8));
		}
		if (pool.getPassword() == null) {
			pool.setPassword(URLDecoder.decode(matcher.group(3), StandardCharsets.UTF_8));
		}
		pool.setJdbcUrl(url.substring(0, matcher.start()) + matcher.group(1) + url.substring(matcher.end()));
	}

	private static boolean isPostgres(HikariDataSource pool) {
		return pool.getJdbcUrl() != null && pool.getJdbcUrl().startsWith("jdbc:postgresql:");
	}

	/**
	 * PostgreSQL's driver waits forever for a reply by default: a statement whose network
	 * link dies silently hangs, holding its connection, until the operating system gives
	 * up on the socket (often hours).
	 */
	private static void warnWithoutSocketTimeout(HikariDataSource pool) {
		if (!isPostgres(pool)) {
			return;
		}
		String url = pool.getJdbcUrl().toLowerCase(Locale.ROOT);
		boolean inUrl = url.contains("sockettimeout=") && !url.matches(".*sockettimeout=0(&.*|;.*)?$");
		Object property = pool.getDataSourceProperties().get("socketTimeout");
		boolean inProperties = property != null && !"0".equals(property.toString());
		if (!inUrl && !inProperties) {
			logger.warn(LogMessage.format("%s - socketTimeout is 0 (the PostgreSQL driver's default): a statement "
					+ "whose network link dies silently waits forever and holds its connection. Set socketTimeout "
					+ "(seconds) in spring.datasource.url or spring.datasource.hikari.data-source-properties, "
					+ "longer than your slowest statement.", pool.getPoolName()));
		}
	}

	private @Nullable ConnectionTracker tracker(HikariDataSource pool) {
		PoolWardenProperties.Tracking tracking = this.properties.getTracking();
		if (!tracking.isEnabled() && !this.properties.isRollbackOnReturn()) {
			return null;
		}
		List<String> skipped = new ArrayList<>(CallSites.DEFAULT_SKIPPED);
		skipped.addAll(tracking.getSkipPackages());
		return new ConnectionTracker(pool.getPoolName(), tracking.isEnabled(), this.properties.isRollbackOnReturn(),
				tracking.getCallSite(), new CallSites(skipped), tracking.getLongHoldThreshold());
	}

	private @Nullable AcquisitionRetry retry(HikariDataSource pool, HikariPoolProbe probe) {
		PoolWardenProperties.Retry retry = this.properties.getRetry();
		if (!retry.isEnabled()) {
			return null;
		}
		long connectionTimeout = pool.getConnectionTimeout();
		if (connectionTimeout >= Integer.MAX_VALUE) {
			throw new InvalidConfigurationPropertyValueException("poolwarden.retry.enabled", true,
					"Pool '" + pool.getPoolName() + "' waits forever for a connection "
							+ "(spring.datasource.hikari.connection-timeout=0), so retries cannot be bounded. Set a "
							+ "finite connection-timeout, or poolwarden.retry.enabled=false.");
		}
		Duration timeout = retry.getTimeout();
		if (timeout == null) {
			timeout = Duration.ofMillis(Math.max(DEFAULT_RETRY_TIMEOUT.toMillis(), connectionTimeout));
		}
		else if (timeout.toMillis() < connectionTimeout) {
			throw new InvalidConfigurationPropertyValueException("poolwarden.retry.timeout", timeout,
					"Must be at least the connectionTimeout of pool '" + pool.getPoolName() + "' ("
							+ connectionTimeout + " ms, spring.datasource.hikari.connection-timeout): one "
							+ "getConnection() always may wait that long.");
		}
		RetrySettings settings = new RetrySettings(retry.getMaxRetries(), retry.getDelay(), retry.getMultiplier(),
				retry.getMaxDelay(), retry.getJitter(), timeout);
		if (retry.getMaxRetries() > 0 && 2 * connectionTimeout + retry.getDelay().toMillis() > timeout.toMillis()) {
			logger.info(LogMessage.format("%s - exhausted acquisitions will not be retried: a retry after the first "
					+ "%d ms wait (connectionTimeout) would not fit in poolwarden.retry.timeout (%d ms). Lower "
					+ "spring.datasource.hikari.connection-timeout (for example to 5s) to let PoolWarden retry.",
					pool.getPoolName(), connectionTimeout, timeout.toMillis()));
		}
		return new AcquisitionRetry(pool::getConnection, probe, settings, connectionTimeout);
	}

}
