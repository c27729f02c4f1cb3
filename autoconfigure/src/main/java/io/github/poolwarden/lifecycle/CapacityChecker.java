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

import io.github.poolwarden.capacity.CapacityException;
import io.github.poolwarden.capacity.ServerCapacity;
import io.github.poolwarden.capacity.PostgresCapacity;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.support.CredentialMasker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Checks, for PostgreSQL, that a pool's {@code maximumPoolSize} fits in what the server,
 * the database and the role can still give, and that the running pools of this JVM that
 * point at the same server cannot exceed it together. Other databases are skipped with a
 * DEBUG line.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class CapacityChecker {

	private static final Log logger = LogFactory.getLog(CapacityChecker.class);

	private static final Set<String> warnedGroups = ConcurrentHashMap.newKeySet();

	private final boolean enforce;

	/**
	 * Create a checker.
	 * @param enforce whether a pool that cannot fit fails startup rather than logging a
	 * WARN
	 */
	public CapacityChecker(boolean enforce) {
		this.enforce = enforce;
	}

	/**
	 * Check a started pool, record what the server can give it, and check the JVM's
	 * pools on the same server.
	 * @param dataSource the pool
	 * @throws CapacityException if the pool cannot fit and the check is enforced
	 */
	public void check(GuardedDataSource dataSource) {
		ServerCapacity capacity = refresh(dataSource, true);
		if (capacity == null) {
			return;
		}
		int own = dataSource.getPool().getHikariPoolMXBean().getTotalConnections();
		int max = dataSource.getPool().getMaximumPoolSize();
		int headroom = capacity.headroomFor(own);
		if (max > headroom) {
			String message = dataSource.getPoolName() + " - maximumPoolSize " + max + " cannot fit: the pool can have "
					+ "at most " + headroom + " connections (" + capacity.describe(own) + "). Lower "
					+ "spring.datasource.hikari.maximum-pool-size to " + headroom
					+ " or raise the limit; the pool is treated as having " + headroom + " for utilization.";
			if (this.enforce) {
				throw new CapacityException(message + " (poolwarden.capacity.enforce=true)");
			}
			logger.warn(message);
		}
		checkJvm(dataSource, capacity);
	}

	/**
	 * Read what the server can give a pool and record it on the pool, borrowing one of
	 * the pool's connections; skipped when {@code force} is false and no connection is
	 * idle, so a busy pool is never made to wait.
	 * @param dataSource the pool
	 * @param force whether to borrow even when no connection is idle
	 * @return the capacity, or {@code null} when it could not be read or the database
	 * is not PostgreSQL
	 */
	public @Nullable ServerCapacity refresh(GuardedDataSource dataSource, boolean force) {
		HikariDataSource pool = dataSource.getPool();
		if (!force && (pool.getHikariPoolMXBean() == null || pool.getHikariPoolMXBean().getIdleConnections() == 0)) {
			return dataSource.getServerCapacity();
		}
		try (Connection connection = pool.getConnection()) {
			if (!PostgresCapacity.isPostgres(connection)) {
				logger.debug(dataSource.getPoolName() + " - capacity check skipped: not PostgreSQL ("
						+ connection.getMetaData().getDatabaseProductName() + ")");
				return null;
			}
			ServerCapacity capacity = PostgresCapacity.read(connection);
			dataSource.recordServerCapacity(capacity, pool.getHikariPoolMXBean().getTotalConnections());
			return capacity;
		}
		catch (SQLException | RuntimeException ex) {
			logger.debug(dataSource.getPoolName() + " - could not read the server's capacity: "
					+ CredentialMasker.mask(ex.getMessage(), pool.getPassword()));
			return null;
		}
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
			logger.warn(same.size() + " guarded pools in this JVM connect to " + dataSource.getTarget().host() + ":"
					+ dataSource.getTarget().port() + " with up to " + total + " connections together, but the "
					+ "server allows " + capacity.serverUsable() + " (max_connections " + capacity.maxConnections()
					+ " - " + capacity.reserved() + " reserved): " + pools + ". In a test suite, keep pools small "
					+ "or share one pool; see the README.");
		}
	}

}
