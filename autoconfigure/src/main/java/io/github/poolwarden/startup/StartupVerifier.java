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

package io.github.poolwarden.startup;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.pool.ConnectionError;
import io.github.poolwarden.pool.DirectConnector;
import io.github.poolwarden.support.JdbcTarget;
import io.github.poolwarden.support.ConnectionFailure;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogMessage;
import org.springframework.util.Assert;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Verifies every guarded pool before the application takes traffic: starts the pool,
 * fills it to {@code minimumIdle}, and validates each connection it holds. A database
 * that is not reachable yet is waited for, with backoff, until the timeout; an error
 * that waiting cannot fix fails at once.
 * <p>
 * The auto-configuration runs it when a pool is guarded, as its bean is created, so
 * nothing in the context can borrow from an unverified pool; {@code PoolLifecycle} runs
 * it again when a stopped or paused context restarts, before the web server.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class StartupVerifier {

	private static final Log logger = LogFactory.getLog(StartupVerifier.class);

	private static final int ATTEMPTS_PER_CONNECTION = 3;

	private final Duration timeout;

	/**
	 * Create a verifier.
	 * @param timeout how long to wait for a database that is not reachable yet;
	 * {@link Duration#ZERO} fails at the first error
	 */
	public StartupVerifier(Duration timeout) {
		Assert.isTrue(timeout != null && !timeout.isNegative(), "'timeout' must be zero or positive");
		this.timeout = timeout;
	}

	/**
	 * Verify one pool, waiting for its database up to the timeout.
	 * @param pool the pool
	 * @param poolName the pool's name, for messages
	 * @param target where the pool connects, for messages
	 * @throws StartupVerificationException if the pool cannot be verified
	 */
	public void verify(HikariDataSource pool, String poolName, JdbcTarget target) {
		long start = System.nanoTime();
		long deadline = start + this.timeout.toNanos();
		BackOffExecution backOff = backOff().start();
		int attempts = 0;
		while (true) {
			attempts++;
			try {
				probe(pool);
				int verified = warmAndValidate(pool);
				logger.info(LogMessage.format("%s - verified %d connection%s to %s in %d ms", poolName,
						verified, (verified == 1) ? "" : "s", target.describe(), elapsedMillis(start)));
				return;
			}
			catch (SQLException | RuntimeException ex) {
				ConnectionFailure failure = ConnectionFailure.of(ex);
				String reason = reason(ex, pool.getPassword());
				if (!failure.isWorthWaitingFor()) {
					throw failure(poolName, target, failure, reason, start, attempts, false, ex);
				}
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					throw failure(poolName, target, failure, reason, start, attempts, !this.timeout.isZero(), ex);
				}
				long delay = Math.min(TimeUnit.NANOSECONDS.toMillis(remaining) + 1, backOff.nextBackOff());
				logger.info(LogMessage.format("%s - database at %s not ready (SQLState %s, %s: %s); retrying in %d ms, "
						+ "%d ms left of poolwarden.startup.timeout", poolName, target.describe(), failure.sqlState(),
						failure.meaning(), reason, delay, TimeUnit.NANOSECONDS.toMillis(remaining)));
				try {
					Thread.sleep(delay);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw failure(poolName, target, failure,
							"interrupted while waiting for the database; last error: " + reason, start, attempts, false,
							ex);
				}
			}
		}
	}

	private static ExponentialBackOff backOff() {
		ExponentialBackOff backOff = new ExponentialBackOff(100, 1.5);
		backOff.setMaxInterval(2000);
		backOff.setJitter(50);
		return backOff;
	}

	/**
	 * Open one connection outside the pool first: it fails in milliseconds with the
	 * server's SQLState, where a failed first connection through HikariCP costs a
	 * second of sleep.
	 */
	private static void probe(HikariDataSource pool) throws SQLException {
		if (pool.isRunning()) {
			return;
		}
		DirectConnector connector = DirectConnector.of(pool, Duration.ofMillis(pool.getConnectionTimeout()));
		if (connector != null) {
			try (Connection connection = connector.connect()) {
				// opened and closed: the database answers
			}
		}
	}

	/**
	 * Borrow up to {@code minimumIdle} connections at once, which makes the pool open
	 * them, and validate each; a connection that fails validation is evicted and
	 * replaced.
	 */
	private static int warmAndValidate(HikariDataSource pool) throws SQLException {
		int validationSeconds = (int) Math.max(1, TimeUnit.MILLISECONDS.toSeconds(pool.getValidationTimeout() + 999));
		List<Connection> held = new ArrayList<>();
		try {
			// The first borrow starts the pool, which settles minimumIdle.
			held.add(borrowValid(pool, validationSeconds));
			int target = Math.max(1, Math.min(pool.getMinimumIdle(), pool.getMaximumPoolSize()));
			while (held.size() < target) {
				held.add(borrowValid(pool, validationSeconds));
			}
			return held.size();
		}
		finally {
			for (Connection connection : held) {
				closeQuietly(connection);
			}
		}
	}

	private static Connection borrowValid(HikariDataSource pool, int validationSeconds) throws SQLException {
		for (int attempt = 1;; attempt++) {
			Connection connection = pool.getConnection();
			if (connection.isValid(validationSeconds)) {
				return connection;
			}
			pool.evictConnection(connection);
			if (attempt == ATTEMPTS_PER_CONNECTION) {
				throw new SQLException("a new connection failed validation " + attempt + " times in a row", "08006");
			}
		}
	}

	private static void closeQuietly(Connection connection) {
		try {
			connection.close();
		}
		catch (SQLException ex) {
			logger.debug("Failed to return a connection after verification", ex);
		}
	}

	private static String reason(Throwable ex, @Nullable String password) {
		return ConnectionError.of(ex, password).message();
	}

	private static long elapsedMillis(long startNanos) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
	}

	private static StartupVerificationException failure(String poolName, JdbcTarget target, ConnectionFailure failure,
			String reason, long start, int attempts, boolean timedOut, Throwable ex) {
		SQLException masked = new SQLException(ex.getClass().getName() + ": " + reason, failure.sqlState(),
				failure.vendorCode());
		masked.setStackTrace(ex.getStackTrace());
		return new StartupVerificationException(poolName, target, failure, reason,
				Duration.ofMillis(elapsedMillis(start)), attempts, timedOut, masked);
	}

}
