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

	private static final long FILL_POLL_MILLIS = 10;

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
		verify(pool, poolName, target, Fill.UNKNOWN);
	}

	/**
	 * Verify one pool, waiting for its database up to the timeout, opening no more
	 * connections than the server can give it: {@link Fill#fits} is asked once the pool
	 * has its first connection, and the pool is filled to {@code minimumIdle} or to what
	 * fits, whichever is less. A server that refuses a connection beyond the first as full
	 * (a limit that could not be read) also ends the fill: what was opened is verified.
	 * @param pool the pool
	 * @param poolName the pool's name, for messages
	 * @param target where the pool connects, for messages
	 * @param fill what the server can give the pool
	 * @throws StartupVerificationException if the pool cannot be verified
	 */
	public void verify(HikariDataSource pool, String poolName, JdbcTarget target, Fill fill) {
		long start = System.nanoTime();
		long deadline = start + this.timeout.toNanos();
		BackOffExecution backOff = backOff().start();
		int attempts = 0;
		while (true) {
			attempts++;
			try {
				probe(pool);
				int verified = warmAndValidate(pool, poolName, fill);
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
	private static int warmAndValidate(HikariDataSource pool, String poolName, Fill fill) throws SQLException {
		int validationSeconds = (int) Math.max(1, TimeUnit.MILLISECONDS.toSeconds(pool.getValidationTimeout() + 999));
		List<Connection> held = new ArrayList<>();
		try {
			// The first borrow starts the pool, which settles minimumIdle.
			held.add(borrowValid(pool, validationSeconds));
			int minimumIdle = Math.max(1, Math.min(pool.getMinimumIdle(), pool.getMaximumPoolSize()));
			int target = minimumIdle;
			if (target > 1) {
				closeQuietly(held.remove(0));
				target = Math.max(1, Math.min(target, fill.fits(pool)));
				if (target < pool.getMaximumPoolSize()) {
					// Below its maximum, a pool whose connections are all held while it
					// fills (HikariCP fills to minimumIdle in the background) counts them as
					// missing idle ones and opens more: let it fill first, so that the
					// connections verified are the ones it keeps.
					int filled = awaitFill(pool, target, fill);
					if (filled < target) {
						// the refusal itself was told, once, with the numbers
						logger.info(LogMessage.format("%s - the database refused more connections as full: "
								+ "verifying the %d the pool opened, of minimumIdle %d", poolName, filled, minimumIdle));
						target = Math.max(1, filled);
					}
				}
			}
			while (held.size() < target) {
				try {
					held.add(borrowValid(pool, validationSeconds));
				}
				catch (SQLException ex) {
					if (held.isEmpty() || ConnectionFailure.of(ex).kind() != ConnectionFailure.Kind.FULL) {
						throw ex;
					}
					logger.warn(LogMessage.format("%s - the pool cannot have its minimumIdle %d: the database "
							+ "refused connection %d as full (%s), so the pool starts with the %d it gave. Lower "
							+ "spring.datasource.hikari.maximum-pool-size to %d, or raise the limit.", poolName,
							minimumIdle, held.size() + 1, ConnectionFailure.of(ex).meaning(), held.size(),
							held.size()));
					break;
				}
			}
			return held.size();
		}
		finally {
			for (Connection connection : held) {
				closeQuietly(connection);
			}
		}
	}

	/**
	 * Wait, at most the pool's connection timeout, for HikariCP to open {@code target}
	 * connections by itself, or for the server to refuse one as full; what it has not
	 * opened by then is borrowed (and so opened) by the verification, as before.
	 * @return how many connections the pool holds
	 */
	private static int awaitFill(HikariDataSource pool, int target, Fill fill) throws SQLException {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pool.getConnectionTimeout());
		while (pool.getHikariPoolMXBean().getTotalConnections() < target && System.nanoTime() - deadline < 0) {
			if (fill.isRefused()) {
				return pool.getHikariPoolMXBean().getTotalConnections();
			}
			try {
				Thread.sleep(FILL_POLL_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new SQLException("interrupted while the pool filled", "08001", ex);
			}
		}
		return Math.max(target, pool.getHikariPoolMXBean().getTotalConnections());
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

	/**
	 * What the server can give a pool, as verification asks it.
	 */
	public interface Fill {

		/**
		 * Nothing is known: fill to {@code minimumIdle}.
		 */
		Fill UNKNOWN = new Fill() {

			@Override
			public int fits(HikariDataSource pool) {
				return Integer.MAX_VALUE;
			}

			@Override
			public boolean isRefused() {
				return false;
			}

		};

		/**
		 * Return how many connections the started pool can have.
		 * @param pool the pool, with its first connection idle
		 * @return the connections, or {@link Integer#MAX_VALUE} when unknown
		 */
		int fits(HikariDataSource pool);

		/**
		 * Return whether the server has just refused one of the pool's connections as
		 * full.
		 * @return whether the pool cannot open more
		 */
		boolean isRefused();

	}

}
