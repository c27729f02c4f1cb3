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
package io.github.poolwarden.lifecycle;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.capacity.CapacityException;
import io.github.poolwarden.capacity.MariaDbCapacity;
import io.github.poolwarden.capacity.PgBouncerConsole;
import io.github.poolwarden.capacity.PostgresCapacity;
import io.github.poolwarden.capacity.ServerCapacity;
import io.github.poolwarden.support.CredentialMasker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Checks that a pool's {@code maximumPoolSize} fits in what the server can still give
 * it — PostgreSQL's {@code max_connections} and its role and database limits, MariaDB's
 * and MySQL's {@code max_connections} and account limits, or, behind PgBouncer, PgBouncer's
 * {@code max_client_conn} — that every instance of the application together fits
 * ({@code replicas}, plus a rolling deploy's surge), and that the running pools of this
 * JVM that point at the same server cannot exceed it together. Behind PgBouncer it also
 * checks pgjdbc's prepared statements against PgBouncer's pool mode. Other databases are
 * skipped with a DEBUG line.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class CapacityChecker {

	private static final Log logger = LogFactory.getLog(CapacityChecker.class);

	private static final Set<String> warnedGroups = ConcurrentHashMap.newKeySet();

	private static final Duration CONSOLE_TIMEOUT = Duration.ofSeconds(5);

	private final Settings settings;

	/**
	 * Create a checker for one instance of the application, directly on its database.
	 * @param enforce whether a pool that cannot fit fails startup rather than logging a
	 * WARN
	 */
	public CapacityChecker(boolean enforce) {
		this(new Settings(enforce, 1, 0, null));
	}

	/**
	 * Create a checker.
	 * @param settings what to check
	 */
	public CapacityChecker(Settings settings) {
		Assert.notNull(settings, "'settings' must not be null");
		this.settings = settings;
	}

	/**
	 * Check a started pool, record what the server can give it, and check the fleet's
	 * and the JVM's pools on the same server.
	 * @param dataSource the pool
	 * @throws CapacityException if the pool cannot fit and the check is enforced
	 */
	public void check(GuardedDataSource dataSource) {
		PgBouncer pgBouncer = this.settings.pgBouncer();
		ServerCapacity capacity;
		if (pgBouncer != null) {
			PgBouncerConsole.View view = readConsole(dataSource, pgBouncer, true);
			warnAboutPreparedStatements(dataSource, view);
			if (view == null) {
				return;
			}
			capacity = view.capacity();
			recordCapacity(dataSource, capacity);
			int max = dataSource.getPool().getMaximumPoolSize();
			if (view.poolSize() > 0 && max > view.poolSize()) {
				logger.info(dataSource.getPoolName() + " - behind " + view.version() + " (" + view.poolMode()
						+ " pooling, pool_size " + view.poolSize() + "): at most " + view.poolSize() + " of the pool's "
						+ max + " connections run a transaction at once; the others wait in PgBouncer (up to its "
						+ "query_wait_timeout).");
			}
		}
		else {
			capacity = refresh(dataSource, true);
			if (capacity == null) {
				return;
			}
		}
		checkPool(dataSource, capacity);
		checkFleet(dataSource, capacity);
		checkJvm(dataSource, capacity);
	}

	/**
	 * Read, on the pool's first connection, how many connections the server (or
	 * PgBouncer) can give the pool, so that verification opens no more than fit.
	 * @param dataSource the pool, started with at least one connection
	 * @return how many connections the pool can have, or {@link Integer#MAX_VALUE} when
	 * the limits cannot be read
	 */
	public int fits(GuardedDataSource dataSource) {
		ServerCapacity capacity = refresh(dataSource, true);
		if (capacity == null) {
			return Integer.MAX_VALUE;
		}
		HikariDataSource pool = dataSource.getPool();
		int own = (pool.getHikariPoolMXBean() != null) ? pool.getHikariPoolMXBean().getTotalConnections() : 0;
		return capacity.headroomFor(own);
	}

	private void checkPool(GuardedDataSource dataSource, ServerCapacity capacity) {
		int own = dataSource.getPool().getHikariPoolMXBean().getTotalConnections();
		int max = dataSource.getPool().getMaximumPoolSize();
		int headroom = capacity.headroomFor(own);
		if (max > headroom) {
			String message = dataSource.getPoolName() + " - maximumPoolSize " + max + " cannot fit: the pool can have "
					+ "at most " + headroom + " connections (" + capacity.describe(own) + "). Lower "
					+ "spring.datasource.hikari.maximum-pool-size to " + headroom
					+ " or raise the limit; the pool is treated as having " + headroom + " for utilization.";
			failOrWarn(message);
		}
	}

	/**
	 * Every instance of the application opens its own pool against the same limit:
	 * {@code (replicas + surge) x maximumPoolSize} must fit in it, whoever else uses it.
	 */
	private void checkFleet(GuardedDataSource dataSource, ServerCapacity capacity) {
		int replicas = this.settings.replicas();
		int surge = this.settings.surge();
		int instances = replicas + surge;
		if (instances < 2) {
			return;
		}
		int max = dataSource.getPool().getMaximumPoolSize();
		long fleet = (long) instances * max;
		int limit = capacity.limit();
		if (fleet <= limit) {
			return;
		}
		int fits = limit / instances;
		String remedy = (capacity.source() == ServerCapacity.Source.PGBOUNCER) ? "raise PgBouncer's max_client_conn"
				: "raise the limit, or put PgBouncer in front of the server";
		String lower = (fits >= 1) ? "Lower spring.datasource.hikari.maximum-pool-size to " + fits + ", or " + remedy
				: "Not even a pool of 1 per instance fits: " + remedy;
		failOrWarn(dataSource.getPoolName() + " - " + instances + " instances (poolwarden.capacity.replicas=" + replicas
				+ ((surge > 0) ? ", +" + surge + " during a rolling deploy (poolwarden.capacity.surge)" : "")
				+ ") x maximumPoolSize " + max + " = " + fleet + " connections cannot fit: "
				+ capacity.describeLimit() + " allows " + limit + " for all of them, " + capacity.used()
				+ " in use now. " + lower + ".");
	}

	private void failOrWarn(String message) {
		if (this.settings.enforce()) {
			throw new CapacityException(message + " (poolwarden.capacity.enforce=true)");
		}
		logger.warn(message);
	}

	/**
	 * Warn when a pool that connects through PgBouncer keeps pgjdbc's prepared
	 * statements on. pgjdbc names a statement after {@code prepareThreshold} executions
	 * and from then on only binds it; behind PgBouncer in transaction or statement pooling
	 * the next execution can land on another server connection, where the name is
	 * unknown. PgBouncer 1.21 and later track prepared statements when
	 * {@code max_prepared_statements} is set.
	 * @param dataSource the pool, which connects through PgBouncer
	 * @param view what PgBouncer's console said, or {@code null} when it was not read
	 */
	public static void warnAboutPreparedStatements(GuardedDataSource dataSource,
			PgBouncerConsole.@Nullable View view) {
		HikariDataSource pool = dataSource.getPool();
		if (!isPgJdbc(pool) || hasPrepareThresholdZero(pool) || (view != null && !view.needsPrepareThresholdZero())) {
			return;
		}
		String seen = (view != null) ? view.version() + " in " + view.poolMode() + " pooling, max_prepared_statements "
				+ view.maxPreparedStatements() : "PgBouncer (its admin console could not be read: unless it runs "
						+ "session pooling, or 1.21 or later with max_prepared_statements set)";
		logger.warn(dataSource.getPoolName() + " - poolwarden.pgbouncer.enabled is true and the pool connects through "
				+ seen + ", but pgjdbc's prepared statements are on: after " + "prepareThreshold (5) executions a "
				+ "statement is prepared on one server connection and may run on another, failing with 'prepared "
				+ "statement \"S_1\" does not exist' (or 'already exists'). Add prepareThreshold=0 to "
				+ "spring.datasource.url, or set "
				+ "spring.datasource.hikari.data-source-properties.prepareThreshold=0.");
	}

	private static boolean isPgJdbc(HikariDataSource pool) {
		String url = pool.getJdbcUrl();
		return url != null && url.regionMatches(true, 0, "jdbc:postgresql:", 0, 16);
	}

	static boolean hasPrepareThresholdZero(HikariDataSource pool) {
		Properties properties = pool.getDataSourceProperties();
		for (String name : properties.stringPropertyNames()) {
			if (name.equalsIgnoreCase("prepareThreshold")) {
				return "0".equals(properties.getProperty(name).trim());
			}
		}
		String url = pool.getJdbcUrl();
		int query = (url != null) ? url.indexOf('?') : -1;
		if (query < 0) {
			return false;
		}
		for (String parameter : url.substring(query + 1).split("&")) {
			int equals = parameter.indexOf('=');
			if (equals > 0 && parameter.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("preparethreshold")) {
				return "0".equals(parameter.substring(equals + 1).trim());
			}
		}
		return false;
	}

	/**
	 * Read what the server (or PgBouncer) can give a pool and record it on the pool.
	 * Reading the server borrows one of the pool's connections, and is skipped when
	 * {@code force} is false and no connection is idle, so a busy pool is never made to
	 * wait; PgBouncer's console is read on a connection of its own.
	 * @param dataSource the pool
	 * @param force whether to borrow even when no connection is idle
	 * @return the capacity, or {@code null} when it could not be read or the database is
	 * not one PoolWarden can read
	 */
	public @Nullable ServerCapacity refresh(GuardedDataSource dataSource, boolean force) {
		PgBouncer pgBouncer = this.settings.pgBouncer();
		if (pgBouncer != null) {
			PgBouncerConsole.View view = readConsole(dataSource, pgBouncer, false);
			if (view == null) {
				return null;
			}
			ServerCapacity capacity = view.capacity();
			recordCapacity(dataSource, capacity);
			return capacity;
		}
		HikariDataSource pool = dataSource.getPool();
		if (!force && (pool.getHikariPoolMXBean() == null || pool.getHikariPoolMXBean().getIdleConnections() == 0)) {
			return dataSource.getServerCapacity();
		}
		try (Connection connection = pool.getConnection()) {
			ServerCapacity capacity;
			if (PostgresCapacity.isPostgres(connection)) {
				capacity = PostgresCapacity.read(connection);
			}
			else if (MariaDbCapacity.isMariaDb(connection)) {
				capacity = MariaDbCapacity.read(connection);
			}
			else {
				logger.debug(dataSource.getPoolName() + " - capacity check skipped: not PostgreSQL, MariaDB or MySQL ("
						+ connection.getMetaData().getDatabaseProductName() + ")");
				return null;
			}
			recordCapacity(dataSource, capacity);
			return capacity;
		}
		catch (SQLException | RuntimeException ex) {
			logger.debug(dataSource.getPoolName() + " - could not read the server's capacity: "
					+ CredentialMasker.mask(ex.getMessage(), pool.getPassword()));
			return null;
		}
	}

	private static void recordCapacity(GuardedDataSource dataSource, ServerCapacity capacity) {
		HikariDataSource pool = dataSource.getPool();
		int own = (pool.getHikariPoolMXBean() != null) ? pool.getHikariPoolMXBean().getTotalConnections() : 0;
		dataSource.recordServerCapacity(capacity, own);
	}

	private PgBouncerConsole.@Nullable View readConsole(GuardedDataSource dataSource, PgBouncer pgBouncer,
			boolean atStartup) {
		HikariDataSource pool = dataSource.getPool();
		String user = (pgBouncer.adminUsername() != null) ? pgBouncer.adminUsername() : poolUser(pool);
		String password = (pgBouncer.adminPassword() != null) ? pgBouncer.adminPassword() : poolPassword(pool);
		try {
			return PgBouncerConsole.read(dataSource.getTarget(), pgBouncer.adminDatabase(), user, password,
					CONSOLE_TIMEOUT);
		}
		catch (SQLException | RuntimeException ex) {
			String reason = CredentialMasker.mask(CredentialMasker.mask(ex.getMessage(), password), pool.getPassword());
			if (atStartup) {
				logger.info(dataSource.getPoolName() + " - capacity check: the pool connects through PgBouncer, whose "
						+ "admin console could not be read (" + reason + "), so its limits are unknown; the server's "
						+ "max_connections does not bound a pool behind PgBouncer. To check max_client_conn, make "
						+ "the pool's user (or poolwarden.pgbouncer.admin-username) one of PgBouncer's stats_users.");
			}
			else {
				logger.debug(dataSource.getPoolName() + " - could not read PgBouncer's console: " + reason);
			}
			return null;
		}
	}

	/**
	 * The pool's user: its username, else the {@code user} of its driver properties or
	 * URL, as pgjdbc would take it.
	 */
	private static @Nullable String poolUser(HikariDataSource pool) {
		if (pool.getUsername() != null) {
			return pool.getUsername();
		}
		String property = pool.getDataSourceProperties().getProperty("user");
		return (property != null) ? property : urlParameter(pool.getJdbcUrl(), "user");
	}

	private static @Nullable String poolPassword(HikariDataSource pool) {
		if (pool.getPassword() != null) {
			return pool.getPassword();
		}
		String property = pool.getDataSourceProperties().getProperty("password");
		return (property != null) ? property : urlParameter(pool.getJdbcUrl(), "password");
	}

	private static @Nullable String urlParameter(@Nullable String url, String name) {
		int query = (url != null) ? url.indexOf('?') : -1;
		if (query < 0) {
			return null;
		}
		for (String parameter : url.substring(query + 1).split("&")) {
			int equals = parameter.indexOf('=');
			if (equals > 0 && parameter.substring(0, equals).equalsIgnoreCase(name)) {
				return java.net.URLDecoder.decode(parameter.substring(equals + 1),
						java.nio.charset.StandardCharsets.UTF_8);
			}
		}
		return null;
	}

	private void checkJvm(GuardedDataSource dataSource, ServerCapacity capacity) {
		List<Map.Entry<GuardedDataSource, String>> same = LivePools.sameServerAs(dataSource);
		if (same.stream().noneMatch((entry) -> entry.getKey() == dataSource)) {
			same = new java.util.ArrayList<>(same);
			same.add(Map.entry(dataSource, "(this context)"));
		}
		int total = same.stream().mapToInt((entry) -> entry.getKey().getPool().getMaximumPoolSize()).sum();
		if (same.size() < 2 || total <= capacity.serverUsable()) {
			return;
		}
		String pools = same.stream()
			.map((entry) -> entry.getKey().getPoolName() + " " + entry.getKey().getPool().getMaximumPoolSize()
					+ " [context " + entry.getValue() + "]")
			.collect(Collectors.joining(", "));
		if (warnedGroups.add(pools)) {
			String allows = (capacity.source() == ServerCapacity.Source.POSTGRESQL)
					? "the server allows " + capacity.serverUsable() + " (max_connections " + capacity.maxConnections()
							+ " - " + capacity.reserved() + " reserved)"
					: ((capacity.source() == ServerCapacity.Source.PGBOUNCER)
							? "PgBouncer allows " + capacity.serverUsable() + " clients (max_client_conn)"
							: "the server allows " + capacity.serverUsable() + " (max_connections)");
			logger.warn(same.size() + " guarded pools in this JVM connect to " + dataSource.getTarget().host() + ":"
					+ dataSource.getTarget().port() + " with up to " + total + " connections together, but " + allows
					+ ": " + pools + ". In a test suite, keep pools small or share one pool; see the README.");
		}
	}

	/**
	 * What the checker checks.
	 *
	 * @param enforce whether a pool (or the fleet) that cannot fit fails startup rather
	 * than logging a WARN
	 * @param replicas how many instances of the application share the server
	 * @param surge how many more run during a rolling deploy
	 * @param pgBouncer how to read PgBouncer, when the pools connect through it
	 */
	public record Settings(boolean enforce, int replicas, int surge, @Nullable PgBouncer pgBouncer) {

		public Settings {
			Assert.isTrue(replicas >= 1, "'replicas' must be at least 1");
			Assert.isTrue(surge >= 0, "'surge' must not be negative");
		}

		/**
		 * Return how many instances may run at once: replicas plus the surge.
		 * @return the instances
		 */
		public int instances() {
			return this.replicas + this.surge;
		}

	}

	/**
	 * How to read PgBouncer's admin console.
	 *
	 * @param adminDatabase the console's database name
	 * @param adminUsername the console account, or {@code null} for the pool's own
	 * @param adminPassword its password, or {@code null} for the pool's own
	 */
	public record PgBouncer(String adminDatabase, @Nullable String adminUsername, @Nullable String adminPassword) {

		@Override
		public String toString() {
			return "PgBouncer[adminDatabase=" + this.adminDatabase + ", adminUsername=" + this.adminUsername + "]";
		}

	}

}
