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

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.github.poolwarden.advice.PoolAdvisor;
import io.github.poolwarden.tracking.CallSiteCapture;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration properties for guarded HikariCP pools.
 * <p>
 * Values are checked when they are bound, so a bad value stops the application at
 * startup with a message that names the property and the accepted range.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
@ConfigurationProperties("poolwarden")
public class PoolWardenProperties implements Validator {

	/**
	 * Whether to decorate HikariDataSource beans. When false, PoolWarden does nothing and
	 * the DataSource bean is the plain HikariDataSource.
	 */
	private boolean enabled = true;

	/**
	 * Names of DataSource beans that should not be decorated.
	 */
	private Set<String> excludedBeans = new LinkedHashSet<>();

	private final Startup startup = new Startup();

	private final Retry retry = new Retry();

	private final Utilization utilization = new Utilization();

	private final Health health = new Health();

	private final Tracking tracking = new Tracking();

	private final Capacity capacity = new Capacity();

	private final PgBouncer pgbouncer = new PgBouncer();

	private final Advice advice = new Advice();

	/**
	 * Whether to close a pool's idle connections when its application context stops or
	 * is paused (as Spring's test framework pauses inactive cached contexts), and to
	 * restore and verify the pool when the context starts again.
	 */
	private boolean releaseOnPause = true;

	/**
	 * Whether HikariCP should evict a connection that answers SQLState 25006 (read-only
	 * transaction), as connections to a former primary do after a failover, instead of
	 * keeping it forever. Applied unless the pool already has an exception override.
	 */
	private boolean evictReadOnlyConnections = true;

	/**
	 * Whether to reset session state HikariCP does not reset (search_path, SET ROLE,
	 * temporary tables, advisory locks) when a connection is returned, with DISCARD ALL
	 * on PostgreSQL. Costs one round trip per return.
	 */
	private boolean resetSessionOnReturn = false;

	/**
	 * Whether to roll back uncommitted work when a connection is returned with
	 * auto-commit off, including work done through unwrap() on the physical connection,
	 * which HikariCP would otherwise commit when it resets auto-commit.
	 */
	private boolean rollbackOnReturn = true;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Set<String> getExcludedBeans() {
		return this.excludedBeans;
	}

	public void setExcludedBeans(Set<String> excludedBeans) {
		this.excludedBeans = excludedBeans;
	}

	public Startup getStartup() {
		return this.startup;
	}

	public Retry getRetry() {
		return this.retry;
	}

	public Utilization getUtilization() {
		return this.utilization;
	}

	public Advice getAdvice() {
		return this.advice;
	}

	public Health getHealth() {
		return this.health;
	}

	public Tracking getTracking() {
		return this.tracking;
	}

	public Capacity getCapacity() {
		return this.capacity;
	}

	public PgBouncer getPgbouncer() {
		return this.pgbouncer;
	}

	public boolean isEvictReadOnlyConnections() {
		return this.evictReadOnlyConnections;
	}

	public void setEvictReadOnlyConnections(boolean evictReadOnlyConnections) {
		this.evictReadOnlyConnections = evictReadOnlyConnections;
	}

	public boolean isResetSessionOnReturn() {
		return this.resetSessionOnReturn;
	}

	public void setResetSessionOnReturn(boolean resetSessionOnReturn) {
		this.resetSessionOnReturn = resetSessionOnReturn;
	}

	public boolean isReleaseOnPause() {
		return this.releaseOnPause;
	}

	public void setReleaseOnPause(boolean releaseOnPause) {
		this.releaseOnPause = releaseOnPause;
	}

	public boolean isRollbackOnReturn() {
		return this.rollbackOnReturn;
	}

	public void setRollbackOnReturn(boolean rollbackOnReturn) {
		this.rollbackOnReturn = rollbackOnReturn;
	}

	@Override
	public boolean supports(Class<?> type) {
		return PoolWardenProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		PoolWardenProperties properties = (PoolWardenProperties) target;
		PropertyChecks checks = new PropertyChecks("poolwarden", errors);
		checks.notNegative("startup.timeout", properties.getStartup().getTimeout());
		Retry retry = properties.getRetry();
		checks.atLeast("retry.max-retries", 0, retry.getMaxRetries());
		if (retry.getDelay() != null) {
			checks.notNegative("retry.delay", retry.getDelay());
		}
		checks.atLeast("retry.multiplier", 1.0, retry.getMultiplier());
		if (retry.getMaxDelay() != null) {
			checks.positive("retry.max-delay", retry.getMaxDelay());
		}
		if (retry.getJitter() != null) {
			checks.notNegative("retry.jitter", retry.getJitter());
		}
		if (retry.getTimeout() != null) {
			checks.positive("retry.timeout", retry.getTimeout());
		}
		Utilization utilization = properties.getUtilization();
		checks.aboveZeroAtMostOne("utilization.warning-threshold", utilization.getWarningThreshold());
		checks.aboveZeroAtMostOne("utilization.critical-threshold", utilization.getCriticalThreshold());
		if (utilization.isWarningThresholdSet() && utilization.isCriticalThresholdSet()
				&& utilization.getWarningThreshold() > utilization.getCriticalThreshold()) {
			checks.reject("utilization.warning-threshold",
					"must be at most poolwarden.utilization.critical-threshold (" + utilization.getCriticalThreshold()
							+ ")",
					utilization.getWarningThreshold());
		}
		if (!(utilization.getHysteresis() >= 0 && utilization.getHysteresis() < 1)) {
			checks.reject("utilization.hysteresis", "must be from 0 to below 1", utilization.getHysteresis());
		}
		checks.atLeast("utilization.sample-interval", Duration.ofMillis(10), utilization.getSampleInterval());
		checks.notNegative("utilization.hold-down", utilization.getHoldDown());
		checks.atLeast("health.timeout", Duration.ofMillis(10), properties.getHealth().getTimeout());
		checks.positive("health.probe-interval", properties.getHealth().getProbeInterval());
		checks.notNegative("health.stuck-after", properties.getHealth().getStuckAfter());
		checks.between("advice.window", PoolAdvisor.MIN_WINDOW, PoolAdvisor.MAX_WINDOW,
				properties.getAdvice().getWindow());
		checks.atLeast("tracking.long-hold-threshold", Duration.ofMillis(1),
				properties.getTracking().getLongHoldThreshold());
		checks.atLeast("capacity.sample-interval", Duration.ofSeconds(1), properties.getCapacity().getSampleInterval());
		checks.atLeast("capacity.replicas", 1, properties.getCapacity().getReplicas());
		checks.atLeast("capacity.surge", 0, properties.getCapacity().getSurge());
		if (properties.getPgbouncer().getAdminDatabase() == null
				|| properties.getPgbouncer().getAdminDatabase().isBlank()) {
			checks.reject("pgbouncer.admin-database", "must not be empty", properties.getPgbouncer().getAdminDatabase());
		}
		if (properties.getTracking().getCallSite() == null) {
			checks.reject("tracking.call-site", "must be one of never, on-pressure, adaptive, always", null);
		}
	}

	/**
	 * Retry of acquisitions that failed because the pool was exhausted. Nothing else is
	 * ever retried: not a database that is down, not a statement, not a transaction.
	 */
	public static class Retry {

		/**
		 * Whether to retry acquisitions that failed because every connection was in use.
		 */
		private boolean enabled = true;

		/**
		 * Retries after the first attempt. Each attempt waits in HikariCP's queue; the
		 * last one waits whatever is left of the timeout.
		 */
		private long maxRetries = 3;

		/**
		 * How long the first attempt waits in HikariCP's queue before the pool counts as
		 * exhausted (one WARN names the holders) and the acquisition is retried. When
		 * unset, chosen so that the attempts, each multiplier times longer than the one
		 * before, fill the timeout: 2s with Spring Boot's 30s connection-timeout; never
		 * more than 2s, never less than 250ms (or the timeout, when shorter).
		 */
		private @Nullable Duration delay;

		/**
		 * Factor by which each attempt's wait grows.
		 */
		private double multiplier = 2.0;

		/**
		 * Longest wait of any attempt but the last. When unset, no bound but the timeout.
		 */
		private @Nullable Duration maxDelay;

		/**
		 * Random spread of each retry's wait, scaled with the multiplier as Spring's
		 * ExponentialBackOff does, so callers that found the pool exhausted together do
		 * not retry in lockstep. When unset, a tenth of the delay.
		 */
		private @Nullable Duration jitter;

		/**
		 * Total time one getConnection() may take, every attempt included. When unset,
		 * the pool's connectionTimeout (spring.datasource.hikari.connection-timeout, 30s
		 * by default): a caller never waits longer than it would without PoolWarden.
		 */
		private @Nullable Duration timeout;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public long getMaxRetries() {
			return this.maxRetries;
		}

		public void setMaxRetries(long maxRetries) {
			this.maxRetries = maxRetries;
		}

		public @Nullable Duration getDelay() {
			return this.delay;
		}

		public void setDelay(@Nullable Duration delay) {
			this.delay = delay;
		}

		public double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

		public @Nullable Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(@Nullable Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

		public @Nullable Duration getJitter() {
			return this.jitter;
		}

		public void setJitter(@Nullable Duration jitter) {
			this.jitter = jitter;
		}

		public @Nullable Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(@Nullable Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Utilization (active / maximumPoolSize) and the levels it crosses.
	 */
	public static class Utilization {

		/**
		 * Utilization ratio at which a pool enters the warning level (logged at WARN).
		 * Above 0, at most 1, at most the critical threshold. When only the critical
		 * threshold is set below 0.80, it is used for both.
		 */
		private double warningThreshold = 0.80;

		private boolean warningThresholdSet;

		/**
		 * Utilization ratio at which a pool enters the critical level (logged at ERROR,
		 * with the holders). Above 0, at most 1, at least the warning threshold. When
		 * only the warning threshold is set above 0.95, it is used for both.
		 */
		private double criticalThreshold = 0.95;

		private boolean criticalThresholdSet;

		/**
		 * How far below a threshold utilization must fall before its level may be left,
		 * and never less than one connection, so a pool hovering at a threshold does not
		 * flap. From 0 to below 1.
		 */
		private double hysteresis = 0.05;

		/**
		 * How long utilization must stay below a level before the level is left (and one
		 * INFO line says so), so a pool whose load comes and goes logs one line per level,
		 * not one per swing.
		 */
		private Duration holdDown = Duration.ofSeconds(60);

		/**
		 * How often utilization is sampled. A crossing that lasts this long is always
		 * reported; utilization is also evaluated whenever an acquisition finds the pool
		 * exhausted.
		 */
		private Duration sampleInterval = Duration.ofSeconds(1);

		public double getWarningThreshold() {
			return this.warningThreshold;
		}

		public void setWarningThreshold(double warningThreshold) {
			this.warningThreshold = warningThreshold;
			this.warningThresholdSet = true;
		}

		boolean isWarningThresholdSet() {
			return this.warningThresholdSet;
		}

		public double getCriticalThreshold() {
			return this.criticalThreshold;
		}

		public void setCriticalThreshold(double criticalThreshold) {
			this.criticalThreshold = criticalThreshold;
			this.criticalThresholdSet = true;
		}

		boolean isCriticalThresholdSet() {
			return this.criticalThresholdSet;
		}

		/**
		 * Return the warning threshold in effect: the one set, or the default unless the
		 * critical threshold was set below it.
		 * @return the warning threshold
		 */
		public double effectiveWarningThreshold() {
			if (!this.warningThresholdSet && this.criticalThresholdSet) {
				return Math.min(this.warningThreshold, this.criticalThreshold);
			}
			return this.warningThreshold;
		}

		/**
		 * Return the critical threshold in effect: the one set, or the default unless the
		 * warning threshold was set above it.
		 * @return the critical threshold
		 */
		public double effectiveCriticalThreshold() {
			if (!this.criticalThresholdSet && this.warningThresholdSet) {
				return Math.max(this.criticalThreshold, this.warningThreshold);
			}
			return this.criticalThreshold;
		}

		public double getHysteresis() {
			return this.hysteresis;
		}

		public void setHysteresis(double hysteresis) {
			this.hysteresis = hysteresis;
		}

		public Duration getHoldDown() {
			return this.holdDown;
		}

		public void setHoldDown(Duration holdDown) {
			this.holdDown = holdDown;
		}

		public Duration getSampleInterval() {
			return this.sampleInterval;
		}

		public void setSampleInterval(Duration sampleInterval) {
			this.sampleInterval = sampleInterval;
		}

	}

	/**
	 * What the database server (PostgreSQL, MariaDB, MySQL), or PgBouncer in front of
	 * it, can still give.
	 */
	public static class Capacity {

		/**
		 * Whether to check, after startup verification, that each pool's
		 * maximumPoolSize fits in what the server, the database and the role can still
		 * give, and to publish the server's limit and use as gauges.
		 */
		private boolean enabled = true;

		/**
		 * Whether a pool that cannot fit fails startup instead of logging a WARN.
		 */
		private boolean enforce = false;

		/**
		 * How often the server's limit and use are read again for the gauges (with an
		 * idle pool connection, never making the pool wait).
		 */
		private Duration sampleInterval = Duration.ofSeconds(60);

		/**
		 * How many instances of the application share the server (replicas): together
		 * their pools may open replicas x maximumPoolSize connections.
		 */
		private int replicas = 1;

		/**
		 * How many more instances run for a while during a rolling deploy (Kubernetes'
		 * maxSurge, as a number of instances).
		 */
		private int surge = 0;

		public int getReplicas() {
			return this.replicas;
		}

		public void setReplicas(int replicas) {
			this.replicas = replicas;
		}

		public int getSurge() {
			return this.surge;
		}

		public void setSurge(int surge) {
			this.surge = surge;
		}

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isEnforce() {
			return this.enforce;
		}

		public void setEnforce(boolean enforce) {
			this.enforce = enforce;
		}

		public Duration getSampleInterval() {
			return this.sampleInterval;
		}

		public void setSampleInterval(Duration sampleInterval) {
			this.sampleInterval = sampleInterval;
		}

	}

	/**
	 * PgBouncer between the pools and PostgreSQL.
	 */
	public static class PgBouncer {

		/**
		 * Whether the pools connect through PgBouncer. PoolWarden then checks pgjdbc's
		 * prepared statements against PgBouncer's pool mode, and reads PgBouncer's limits
		 * on its admin console instead of the server's, which does not bound a pool
		 * behind PgBouncer.
		 */
		private boolean enabled = false;

		/**
		 * The admin console's database name.
		 */
		private String adminDatabase = "pgbouncer";

		/**
		 * The account for the admin console (one of PgBouncer's admin_users or
		 * stats_users). Defaults to the pool's own username.
		 */
		private @Nullable String adminUsername;

		/**
		 * The admin console account's password. Defaults to the pool's own password.
		 */
		private @Nullable String adminPassword;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getAdminDatabase() {
			return this.adminDatabase;
		}

		public void setAdminDatabase(String adminDatabase) {
			this.adminDatabase = adminDatabase;
		}

		public @Nullable String getAdminUsername() {
			return this.adminUsername;
		}

		public void setAdminUsername(@Nullable String adminUsername) {
			this.adminUsername = adminUsername;
		}

		public @Nullable String getAdminPassword() {
			return this.adminPassword;
		}

		public void setAdminPassword(@Nullable String adminPassword) {
			this.adminPassword = adminPassword;
		}

	}

	/**
	 * Who holds the pool's connections.
	 */
	public static class Tracking {

		/**
		 * Whether to record the holder (thread, time, call site) of every borrowed
		 * connection.
		 */
		private boolean enabled = true;

		/**
		 * When to capture the call site of a borrow (the borrower's stack, recorded
		 * natively and resolved only when a holder is reported): adaptive, on every borrow
		 * up to about a thousand a second per pool, on a share beyond that, and on every
		 * borrow at the warning level and after an uncaptured long hold; always, on every
		 * borrow; on-pressure, only at the warning level or above; or never.
		 */
		private CallSiteCapture callSite = CallSiteCapture.ADAPTIVE;

		/**
		 * Packages whose first frame names a call site, in addition to the application's
		 * own (the packages of @SpringBootApplication and @AutoConfigurationPackage).
		 */
		private List<String> applicationPackages = new ArrayList<>();

		/**
		 * Packages (ending in '.') and classes skipped when no frame is in the
		 * application's packages, in addition to the JDK, JDBC drivers, pools, ORMs,
		 * Spring's framework packages, servlet containers, Reactor, Netty and PoolWarden.
		 */
		private List<String> skipPackages = new ArrayList<>();

		/**
		 * How long a connection may be held before one WARN line names its holder (and one
		 * INFO line when it is returned). 30s is HikariCP's default connectionTimeout: a
		 * connection held longer than a waiting caller may wait is a likely cause of
		 * someone else's timeout.
		 */
		private Duration longHoldThreshold = Duration.ofSeconds(30);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public CallSiteCapture getCallSite() {
			return this.callSite;
		}

		public void setCallSite(CallSiteCapture callSite) {
			this.callSite = callSite;
		}

		public List<String> getApplicationPackages() {
			return this.applicationPackages;
		}

		public void setApplicationPackages(List<String> applicationPackages) {
			this.applicationPackages = applicationPackages;
		}

		public List<String> getSkipPackages() {
			return this.skipPackages;
		}

		public void setSkipPackages(List<String> skipPackages) {
			this.skipPackages = skipPackages;
		}

		public Duration getLongHoldThreshold() {
			return this.longHoldThreshold;
		}

		public void setLongHoldThreshold(Duration longHoldThreshold) {
			this.longHoldThreshold = longHoldThreshold;
		}

	}

	/**
	 * The {@code poolwarden} health contributor. Switch it off with
	 * {@code management.health.poolwarden.enabled=false}.
	 */
	public static class Health {

		/**
		 * Longest time one health check may take. The check never waits on the pool.
		 */
		private Duration timeout = Duration.ofSeconds(1);

		/**
		 * How long an answer about the database stands for: a connection returned in
		 * working order within it answers for the database; when the pool has no such
		 * evidence, an idle connection is validated or, with none idle, one connection is
		 * opened outside the pool, at most once per interval, and every health component,
		 * the endpoint and the watch share its answer.
		 */
		private Duration probeInterval = Duration.ofSeconds(10);

		/**
		 * How long no borrow may complete while callers wait, every connection held and
		 * the database answering, before the poolwarden health component reports the pool
		 * as stuck (DOWN). Zero never does. Needs holder tracking.
		 */
		private Duration stuckAfter = Duration.ofSeconds(60);

		/**
		 * Whether to report OUT_OF_SERVICE while a pool is at the critical utilization
		 * level, so a readiness group sheds traffic. Off by default: a saturated pool is
		 * still UP.
		 */
		private boolean outOfServiceWhenCritical = false;

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public Duration getProbeInterval() {
			return this.probeInterval;
		}

		public void setProbeInterval(Duration probeInterval) {
			this.probeInterval = probeInterval;
		}

		public Duration getStuckAfter() {
			return this.stuckAfter;
		}

		public void setStuckAfter(Duration stuckAfter) {
			this.stuckAfter = stuckAfter;
		}

		public boolean isOutOfServiceWhenCritical() {
			return this.outOfServiceWhenCritical;
		}

		public void setOutOfServiceWhenCritical(boolean outOfServiceWhenCritical) {
			this.outOfServiceWhenCritical = outOfServiceWhenCritical;
		}

	}

	/**
	 * Pool-size advice from live demand. PoolWarden never resizes a pool by itself.
	 */
	public static class Advice {

		/**
		 * Whether to measure demand and advise on each pool's size.
		 */
		private boolean enabled = true;

		/**
		 * How much recent demand the advice stands on: from 10s to 24h.
		 */
		private Duration window = Duration.ofMinutes(10);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			this.window = window;
		}

	}

	/**
	 * Verification of each pool before the application takes traffic.
	 */
	public static class Startup {

		/**
		 * Whether to start, fill and validate each pool as it is created, before anything
		 * in the context can borrow from it (and so before the web server and readiness).
		 */
		private boolean verify = true;

		/**
		 * How long to wait for a database that is not reachable yet (connection refused,
		 * starting up or in recovery, no connection slot free). Zero fails at the first
		 * error. Errors that waiting cannot fix, such as bad credentials or an unknown
		 * database, fail at once.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		public boolean isVerify() {
			return this.verify;
		}

		public void setVerify(boolean verify) {
			this.verify = verify;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

}
