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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import io.github.poolwarden.advice.LockWaits;
import io.github.poolwarden.advice.PoolAdvisor;
import io.github.poolwarden.advice.PostgresLockWaits;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.lifecycle.CapacityChecker;
import io.github.poolwarden.lifecycle.LivePools;
import io.github.poolwarden.pool.DatabaseProbe;
import io.github.poolwarden.pool.DirectConnector;
import io.github.poolwarden.pool.HikariConnectionSource;
import io.github.poolwarden.pool.HikariPoolProbe;
import io.github.poolwarden.pool.ObservedConnectionFactory;
import io.github.poolwarden.pool.HikariVersion;
import io.github.poolwarden.retry.AcquisitionRetry;
import io.github.poolwarden.retry.RetrySettings;
import io.github.poolwarden.startup.StartupVerifier;
import io.github.poolwarden.support.PreparedStatementTrapOverride;
import io.github.poolwarden.support.ReadOnlyEvictingExceptionOverride;
import io.github.poolwarden.tracking.CallSites;
import io.github.poolwarden.tracking.ConnectionTracker;
import io.github.poolwarden.utilization.UtilizationListener;
import io.github.poolwarden.utilization.UtilizationMonitor;
import io.github.poolwarden.utilization.UtilizationThresholds;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogMessage;

/**
 * Builds the {@link GuardedDataSource} for a Hikari pool from {@link PoolWardenProperties},
 * registers it in {@link GuardedPools} and, unless switched off, verifies it before
 * anything can borrow from it.
 *
 * @author PoolWarden authors
 */
class GuardedDataSourceFactory {

	private static final Pattern URL_CREDENTIALS = Pattern.compile("(//)([^/:@?;]+):([^/@?;]*)@");

	private static final Log logger = LogFactory.getLog(GuardedDataSourceFactory.class);

	static final String SOCKET_TIMEOUT_NOTE = "socketTimeout is 0 (the PostgreSQL driver's default): a statement "
			+ "whose network link dies silently waits forever and holds its connection. Set socketTimeout (seconds) in "
			+ "spring.datasource.url or spring.datasource.hikari.data-source-properties, longer than your slowest "
			+ "statement.";

	private static final AtomicBoolean socketTimeoutAdvised = new AtomicBoolean();

	private final PoolWardenProperties properties;

	private final GuardedPools pools;

	private final UtilizationThresholds thresholds;

	private final UtilizationListener firstListener;

	private final List<String> applicationPackages;

	private final @Nullable StartupVerifier verifier;

	private final @Nullable CapacityChecker capacity;

	private final String contextName;

	private final boolean virtualThreads;

	private final @Nullable Integer workerCeiling;

	private final AtomicBoolean warnedAboutVirtualThreads = new AtomicBoolean();

	GuardedDataSourceFactory(PoolWardenProperties properties, GuardedPools pools, UtilizationThresholds thresholds,
			UtilizationListener firstListener, List<String> applicationPackages, @Nullable StartupVerifier verifier,
			@Nullable CapacityChecker capacity, String contextName, boolean virtualThreads,
			@Nullable Integer workerCeiling) {
		this.properties = properties;
		this.pools = pools;
		this.thresholds = thresholds;
		this.firstListener = firstListener;
		this.applicationPackages = List.copyOf(applicationPackages);
		this.verifier = verifier;
		this.capacity = capacity;
		this.contextName = contextName;
		this.virtualThreads = virtualThreads;
		this.workerCeiling = workerCeiling;
	}

	/**
	 * Guard a pool: build the guard, register it and verify it.
	 * @param beanName the pool's bean name
	 * @param pool the pool
	 * @return the guard, or the pool itself when its bean is excluded
	 */
	GuardedDataSource guard(String beanName, HikariDataSource pool) {
		moveUrlCredentials(pool);
		if (pool.getPoolName() == null) {
			// Name the pool now, as HikariCP would when it starts, so every meter and log
			// line carries the same pool tag from the first moment.
			pool.validate();
		}
		if (pool.getExceptionOverrideClassName() == null && !pool.isRunning()
				&& !(pool.getExceptionOverride() instanceof PreparedStatementTrapOverride)) {
			// an override of the user's own is kept, and decides; PoolWarden only watches
			SQLExceptionOverride decides = (pool.getExceptionOverride() != null) ? pool.getExceptionOverride()
					: this.properties.isEvictReadOnlyConnections() ? new ReadOnlyEvictingExceptionOverride() : null;
			if (isPostgres(pool)) {
				pool.setExceptionOverride(new PreparedStatementTrapOverride(pool.getPoolName(), decides));
			}
			else if (decides != null) {
				pool.setExceptionOverride(decides);
			}
		}
		// set before the guard exists, told through it once it does
		AtomicReference<GuardedDataSource> guard = new AtomicReference<>();
		ObservedConnectionFactory.install(pool, (failure) -> {
			GuardedDataSource guarded = guard.get();
			if (guarded != null) {
				guarded.connectionNotOpened(failure);
			}
		});
		HikariPoolProbe probe = new HikariPoolProbe(pool);
		ConnectionTracker tracker = tracker(pool);
		if (tracker != null && this.properties.isResetSessionOnReturn() && isPostgres(pool)) {
			tracker.setResetSql("DISCARD ALL");
		}
		GuardedDataSource guarded = new GuardedDataSource(pool, probe, retry(pool, probe),
				new UtilizationMonitor(this.thresholds, this.properties.getUtilization().getHoldDown()), tracker);
		PoolWardenProperties.Health health = this.properties.getHealth();
		guarded.setDatabaseProbe(new DatabaseProbe(pool, health.getTimeout(), health.getProbeInterval(),
				guarded::recordError, new HikariConnectionSource(pool), probe, System::nanoTime));
		guarded.setStuckAfter(health.getStuckAfter());
		advise(guarded, health.getTimeout());
		guard.set(guarded);
		guarded.setUtilizationListeners(List.of(this.firstListener));
		adviseSocketTimeout(guarded);
		warnAboutVirtualThreads(pool);
		this.pools.register(beanName, guarded);
		if (this.properties.getPgbouncer().isEnabled() && (this.verifier == null || this.capacity == null)) {
			// the capacity check reads PgBouncer's pool mode first when it runs
			CapacityChecker.warnAboutPreparedStatements(guarded, null);
		}
		if (this.verifier != null) {
			verify(guarded);
		}
		return guarded;
	}

	/**
	 * Give the pool a size advisor, with what is known of the application: the web
	 * server's worker threads, how many instances share the server, whether waits are
	 * timed (the retry is on), and on PostgreSQL a sampler of the pool's lock waits.
	 */
	private void advise(GuardedDataSource guarded, Duration timeout) {
		PoolWardenProperties.Advice advice = this.properties.getAdvice();
		if (!advice.isEnabled()) {
			return;
		}
		HikariDataSource pool = guarded.getPool();
		PoolWardenProperties.Capacity capacity = this.properties.getCapacity();
		DirectConnector connector = (isPostgres(pool) && !this.properties.getPgbouncer().isEnabled())
				? DirectConnector.of(pool, timeout) : null;
		LockWaits lockWaits = (connector != null)
				? new PostgresLockWaits(connector, (int) Math.max(1, timeout.toSeconds())) : null;
		guarded.setAdvisor(new PoolAdvisor(guarded.getPoolName(),
				new PoolAdvisor.Settings(advice.getWindow(), this.properties.getTracking().getLongHoldThreshold(),
						this.workerCeiling, capacity.getReplicas() + capacity.getSurge(),
						this.properties.getRetry().isEnabled()),
				lockWaits, System::nanoTime));
	}

	boolean isExcluded(String beanName) {
		return this.properties.getExcludedBeans().contains(beanName);
	}

	/**
	 * Verify the pool now, before the bean is handed to anything that could borrow
	 * from it (a schema migration, an entity manager, an initializer), and check it fits
	 * on its server. A pool that fails is closed.
	 */
	private void verify(GuardedDataSource guarded) {
		HikariDataSource pool = guarded.getPool();
		try {
			CapacityChecker capacity = this.capacity;
			// the limits are read on the first connection, before the pool fills
			this.verifier.verify(pool, guarded.getPoolName(), guarded.getTarget(), new StartupVerifier.Fill() {

				@Override
				public int fits(HikariDataSource started) {
					return (capacity != null) ? capacity.fits(guarded) : Integer.MAX_VALUE;
				}

				@Override
				public boolean isRefused() {
					return guarded.isRefusedAsFull();
				}

			});
			LivePools.register(guarded, this.contextName);
			if (this.capacity != null) {
				this.capacity.check(guarded);
			}
		}
		catch (RuntimeException ex) {
			LivePools.unregister(guarded);
			pool.close();
			throw ex;
		}
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
	 * up on the socket (often hours). Not a choice the user made, so not a WARN at every
	 * start: one INFO line (once per JVM), a note in the pool's report, and a WARN only
	 * when the symptom is seen — a connection held past the long-hold threshold by a
	 * thread blocked reading the database's socket.
	 */
	private void adviseSocketTimeout(GuardedDataSource guarded) {
		HikariDataSource pool = guarded.getPool();
		if (!isPostgres(pool) || hasSocketTimeout(pool)) {
			return;
		}
		guarded.addNote(SOCKET_TIMEOUT_NOTE);
		if (socketTimeoutAdvised.compareAndSet(false, true)) {
			logger.info(LogMessage.format("%s - %s", pool.getPoolName(), SOCKET_TIMEOUT_NOTE));
		}
		ConnectionTracker tracker = guarded.getTracker();
		if (tracker != null) {
			tracker.setLongHoldAdvice((thread) -> isReadingTheDatabase(thread) ? "it is blocked reading the "
					+ "database's socket and socketTimeout is 0 (pgjdbc's default), so if the network dropped the "
					+ "reply it waits forever. Set socketTimeout (seconds) in spring.datasource.url, longer than your "
					+ "slowest statement" : null);
		}
	}

	private static boolean hasSocketTimeout(HikariDataSource pool) {
		String url = pool.getJdbcUrl().toLowerCase(Locale.ROOT);
		boolean inUrl = url.contains("sockettimeout=") && !url.matches(".*sockettimeout=0(&.*|;.*)?$");
		Object property = pool.getDataSourceProperties().get("socketTimeout");
		return inUrl || (property != null && !"0".equals(property.toString()));
	}

	/**
	 * Whether a thread waits in pgjdbc for the server's reply: its stack is in PGStream,
	 * below a socket read.
	 */
	static boolean isReadingTheDatabase(Thread thread) {
		boolean reading = false;
		for (StackTraceElement frame : thread.getStackTrace()) {
			String name = frame.getClassName();
			if (name.startsWith("java.net.Socket") || name.startsWith("sun.nio.ch.") || name.startsWith("sun.security.ssl.")) {
				reading = true;
			}
			else if (name.startsWith("org.postgresql.core.")) {
				return reading;
			}
		}
		return false;
	}

	/**
	 * HikariCP before 7.1.0 spins on virtual threads when a returned connection is handed
	 * over to a waiter (HikariCP issue 2398): CPU burnt exactly when the pool is busy. The
	 * spin is reported on JDK 21 to 24; on JDK 25 neither upstream nor our benchmark
	 * reproduces it, so there the advice is an INFO line. Virtual threads need JDK 21:
	 * below it the property changes nothing and nothing is said.
	 */
	private void warnAboutVirtualThreads(HikariDataSource pool) {
		int jdk = Runtime.version().feature();
		String version = HikariVersion.current();
		Advice advice = virtualThreadAdvice(this.virtualThreads, jdk, version);
		if (advice == Advice.NONE || !this.warnedAboutVirtualThreads.compareAndSet(false, true)) {
			return;
		}
		LogMessage message = LogMessage.format("%s - spring.threads.virtual.enabled is true, and HikariCP %s spins on "
				+ "virtual threads while it hands a returned connection to a waiter (HikariCP issue 2398, seen on "
				+ "JDK 21 to 24, fixed in 7.1.0). Use HikariCP 7.1.0: with spring-boot-starter-parent set the "
				+ "property hikaricp.version=7.1.0; with Boot's BOM imported, manage com.zaxxer:HikariCP:7.1.0 "
				+ "before it.", pool.getPoolName(), version);
		if (advice == Advice.WARN) {
			logger.warn(message);
		}
		else {
			logger.info(message);
		}
	}

	/**
	 * What to say about virtual threads and HikariCP's version: nothing below JDK 21
	 * (virtual threads do not exist) or with HikariCP 7.1.0 and later; a WARN on JDK 21 to
	 * 24, where the spin is reported; an INFO on 25 and later, where it was not reproduced.
	 */
	static Advice virtualThreadAdvice(boolean virtualThreads, int jdk, String hikariVersion) {
		if (!virtualThreads || jdk < 21 || !HikariVersion.spinsOnVirtualThreads(hikariVersion)) {
			return Advice.NONE;
		}
		return (jdk < 25) ? Advice.WARN : Advice.INFO;
	}

	/**
	 * How loudly to advise.
	 */
	enum Advice {

		NONE, INFO, WARN

	}

	private @Nullable ConnectionTracker tracker(HikariDataSource pool) {
		PoolWardenProperties.Tracking tracking = this.properties.getTracking();
		if (!tracking.isEnabled() && !this.properties.isRollbackOnReturn()) {
			return null;
		}
		List<String> application = new ArrayList<>(this.applicationPackages);
		application.addAll(tracking.getApplicationPackages());
		List<String> skipped = new ArrayList<>(CallSites.DEFAULT_SKIPPED);
		skipped.addAll(tracking.getSkipPackages());
		return new ConnectionTracker(pool.getPoolName(), tracking.isEnabled(), this.properties.isRollbackOnReturn(),
				tracking.getCallSite(), new CallSites(application, skipped), tracking.getLongHoldThreshold());
	}

	private @Nullable AcquisitionRetry retry(HikariDataSource pool, HikariPoolProbe probe) {
		PoolWardenProperties.Retry retry = this.properties.getRetry();
		if (!retry.isEnabled()) {
			return null;
		}
		RetrySettings settings = retrySettings(retry, pool.getConnectionTimeout());
		String budgetSource = (retry.getTimeout() != null) ? "poolwarden.retry.timeout"
				: "spring.datasource.hikari.connection-timeout";
		if (logger.isDebugEnabled()) {
			logger.debug(LogMessage.format("%s - exhausted acquisitions: first attempt %d ms, up to %d retries "
					+ "(x%s, jitter %d ms, longest %d ms), budget %d ms (%s)", pool.getPoolName(),
					settings.firstAttempt().toMillis(), settings.maxRetries(), settings.multiplier(),
					settings.jitter().toMillis(), settings.maxDelay().toMillis(), settings.timeout().toMillis(),
					budgetSource));
		}
		return new AcquisitionRetry(new HikariConnectionSource(pool), probe, settings, pool.getConnectionTimeout(),
				budgetSource);
	}

	/**
	 * Resolve the retry settings for a pool: values left unset follow the budget (the
	 * pool's {@code connectionTimeout} unless {@code poolwarden.retry.timeout} is set).
	 */
	static RetrySettings retrySettings(PoolWardenProperties.Retry retry, long connectionTimeoutMillis) {
		Duration timeout = (retry.getTimeout() != null) ? retry.getTimeout() : Duration.ofMillis(connectionTimeoutMillis);
		Duration delay = (retry.getDelay() != null) ? retry.getDelay()
				: RetrySettings.defaultDelay(timeout, retry.getMaxRetries(), retry.getMultiplier());
		Duration maxDelay = (retry.getMaxDelay() != null) ? retry.getMaxDelay() : timeout;
		Duration jitter = (retry.getJitter() != null) ? retry.getJitter() : RetrySettings.defaultJitter(delay);
		return new RetrySettings(retry.getMaxRetries(), delay, retry.getMultiplier(), maxDelay, jitter, timeout);
	}

}
