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

package io.github.poolwarden;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;

import io.github.poolwarden.capacity.ServerCapacity;
import io.github.poolwarden.retry.AcquisitionRetry;
import io.github.poolwarden.support.JdbcTarget;
import io.github.poolwarden.support.RateLimiter;
import io.github.poolwarden.support.SqlStates;
import io.github.poolwarden.tracking.ConnectionTracker;
import io.github.poolwarden.utilization.UtilizationMonitor;
import io.github.poolwarden.utilization.UtilizationThresholds;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.util.Assert;

/**
 * A {@link javax.sql.DataSource} that guards a {@link HikariDataSource}.
 * <p>
 * {@link #unwrap(Class)} and {@link #isWrapperFor(Class)} reach the Hikari pool, so
 * whatever looks for a {@code HikariDataSource} or its MXBeans behind this decorator
 * still finds it.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class GuardedDataSource extends DelegatingDataSource implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(GuardedDataSource.class);

	/**
	 * How long a refusal with 53300 caps the pool's capacity, and the shortest interval
	 * between two WARN lines about it.
	 */
	private static final long SERVER_FULL_MEMORY_NANOS = TimeUnit.SECONDS.toNanos(30);

	private final HikariDataSource pool;

	private final PoolProbe probe;

	private final @Nullable AcquisitionRetry retry;

	private final UtilizationMonitor monitor;

	private final @Nullable ConnectionTracker tracker;

	private volatile ExhaustionListener exhaustionListener = ExhaustionListener.NONE;

	private volatile @Nullable ConnectionError lastError;

	private volatile @Nullable ServerCapacity serverCapacity;

	private volatile int serverHeadroom = Integer.MAX_VALUE;

	private volatile int refusedCapacity = Integer.MAX_VALUE;

	private volatile long refusedCapacityUntil;

	private final RateLimiter serverFullWarnings = new RateLimiter(Duration.ofNanos(SERVER_FULL_MEMORY_NANOS));

	private final PoolProbe cappedProbe = this::snapshot;

	/**
	 * Create a guard around the given pool that adds nothing to acquisitions and uses the
	 * default utilization thresholds.
	 * @param pool the Hikari pool to guard
	 */
	public GuardedDataSource(HikariDataSource pool) {
		this(pool, new HikariPoolProbe(pool), null, new UtilizationMonitor(UtilizationThresholds.DEFAULTS), null);
	}

	/**
	 * Create a guard around the given pool.
	 * @param pool the Hikari pool to guard
	 * @param probe reads the pool's state
	 * @param retry retries acquisitions that found the pool exhausted, or {@code null}
	 * to let them fail as HikariCP fails them
	 * @param monitor keeps the pool's utilization level
	 * @param tracker wraps borrowed connections and records their holders, or
	 * {@code null} to hand out the pool's connections as they are
	 */
	public GuardedDataSource(HikariDataSource pool, PoolProbe probe, @Nullable AcquisitionRetry retry,
			UtilizationMonitor monitor, @Nullable ConnectionTracker tracker) {
		super(pool);
		Assert.notNull(pool, "'pool' must not be null");
		Assert.notNull(probe, "'probe' must not be null");
		Assert.notNull(monitor, "'monitor' must not be null");
		this.pool = pool;
		this.probe = probe;
		this.retry = retry;
		this.monitor = monitor;
		this.tracker = tracker;
	}

	/**
	 * Borrow a connection from the pool. When the pool is exhausted and a retry is
	 * configured, the acquisition (never a statement) is retried with backoff. With a
	 * tracker, the connection is wrapped so its holder is known and uncommitted work is
	 * rolled back when it is returned.
	 * @return a connection
	 * @throws SQLException as HikariCP throws it, or a
	 * {@link io.github.poolwarden.retry.PoolExhaustedException} when every allowed
	 * attempt found the pool exhausted
	 */
	@Override
	public Connection getConnection() throws SQLException {
		Connection connection;
		try {
			connection = this.pool.getConnection();
		}
		catch (SQLException ex) {
			connection = recover(ex);
		}
		return (this.tracker != null) ? this.tracker.track(connection) : connection;
	}

	private Connection recover(SQLException ex) throws SQLException {
		if (ex instanceof SQLTransientConnectionException timeout && AcquisitionRetry.isPoolExhausted(timeout)) {
			if (this.retry != null) {
				return this.retry.acquire(timeout);
			}
			this.exhaustionListener.onExhausted(snapshot());
			throw ex;
		}
		ConnectionError error = ConnectionError.of(ex, this.pool.getPassword());
		this.lastError = error;
		if (SqlStates.TOO_MANY_CONNECTIONS.equals(error.sqlState())) {
			serverFull(error);
		}
		throw ex;
	}

	/**
	 * The server refused a new connection: the pool cannot grow past what it holds, so
	 * that is its capacity for a while, and the operator is told it is the server or
	 * the role that is full, not the pool.
	 */
	private void serverFull(ConnectionError error) {
		PoolSnapshot snapshot = this.probe.snapshot();
		this.refusedCapacity = snapshot.total();
		this.refusedCapacityUntil = System.nanoTime() + SERVER_FULL_MEMORY_NANOS;
		if (this.serverFullWarnings.tryPass() >= 0) {
			logger.warn(getPoolName() + " - the database refused a new connection (SQLState 53300: "
					+ error.message() + "): the server, the database or the role is full, not the pool. The pool "
					+ "holds " + snapshot.total() + " of its maximum " + snapshot.max()
					+ " and counts that as its capacity until the server gives more.");
		}
	}

	/**
	 * Take a snapshot of the pool, with its capacity lowered to what the server can give
	 * when that is known to be less than {@code maximumPoolSize}.
	 * @return the snapshot
	 */
	public PoolSnapshot snapshot() {
		PoolSnapshot snapshot = this.probe.snapshot();
		int capacity = snapshot.max();
		if (this.refusedCapacity < capacity && System.nanoTime() - this.refusedCapacityUntil < 0
				&& snapshot.total() <= this.refusedCapacity) {
			capacity = this.refusedCapacity;
		}
		capacity = Math.min(capacity, this.serverHeadroom);
		return snapshot.withCapacity(Math.max(capacity, Math.min(snapshot.total(), snapshot.max())));
	}

	/**
	 * Record what the server can give this pool, read by a capacity check.
	 * @param capacity the capacity
	 * @param own the connections the pool held when it was read
	 */
	public void recordServerCapacity(ServerCapacity capacity, int own) {
		this.serverCapacity = capacity;
		this.serverHeadroom = capacity.headroomFor(own);
	}

	/**
	 * Return what the server could give this pool when last read.
	 * @return the capacity, or {@code null} when never read
	 */
	public @Nullable ServerCapacity getServerCapacity() {
		return this.serverCapacity;
	}

	/**
	 * Close the guard and the pool: threads backing off to retry fail at once with a
	 * "pool closed" error, then HikariCP closes the pool.
	 */
	@Override
	public void close() {
		if (this.retry != null) {
			this.retry.close();
		}
		this.pool.close();
	}

	/**
	 * Set what to tell each time an acquisition finds the pool exhausted.
	 * @param listener the listener
	 */
	public void setExhaustionListener(ExhaustionListener listener) {
		Assert.notNull(listener, "'listener' must not be null");
		this.exhaustionListener = listener;
		if (this.retry != null) {
			this.retry.setExhaustionListener((snapshot) -> listener.onExhausted(snapshot()));
		}
	}

	/**
	 * Return the last failure to get a connection that was not exhaustion, seen by a
	 * caller or reported by a health check.
	 * @return the error, or {@code null} when none was seen
	 */
	public @Nullable ConnectionError getLastError() {
		return this.lastError;
	}

	/**
	 * Record a failure to get a connection seen outside {@link #getConnection()}.
	 * @param error the error
	 */
	public void recordError(ConnectionError error) {
		this.lastError = error;
	}

	/**
	 * Return the tracker of borrowed connections.
	 * @return the tracker, or {@code null} when connections are handed out as the pool
	 * gives them
	 */
	public @Nullable ConnectionTracker getTracker() {
		return this.tracker;
	}

	/**
	 * Return the monitor of the pool's utilization level.
	 * @return the monitor
	 */
	public UtilizationMonitor getMonitor() {
		return this.monitor;
	}

	/**
	 * Return the guarded Hikari pool.
	 * @return the pool
	 */
	public HikariDataSource getPool() {
		return this.pool;
	}

	/**
	 * Return the probe that reads the pool's state, with its capacity lowered to what
	 * the server can give (see {@link #snapshot()}).
	 * @return the probe
	 */
	public PoolProbe getProbe() {
		return this.cappedProbe;
	}

	/**
	 * Return the retry of exhausted acquisitions.
	 * @return the retry, or {@code null} when exhausted acquisitions are not retried
	 */
	public @Nullable AcquisitionRetry getRetry() {
		return this.retry;
	}

	/**
	 * Return the pool's name, as HikariCP uses it in its logs and in the {@code pool}
	 * tag of its metrics.
	 * @return the pool name
	 */
	public String getPoolName() {
		String name = this.pool.getPoolName();
		return (name != null) ? name : "HikariPool";
	}

	/**
	 * Return where the pool connects, without credentials.
	 * @return the target
	 */
	public JdbcTarget getTarget() {
		return JdbcTarget.parse(this.pool.getJdbcUrl());
	}

	@Override
	public String toString() {
		return "GuardedDataSource[" + getPoolName() + "]";
	}

}
