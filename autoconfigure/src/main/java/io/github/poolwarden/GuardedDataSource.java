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
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.capacity.ServerCapacity;
import io.github.poolwarden.pool.ConnectionError;
import io.github.poolwarden.pool.DatabaseProbe;
import io.github.poolwarden.pool.HikariPoolProbe;
import io.github.poolwarden.pool.PoolProbe;
import io.github.poolwarden.pool.PoolSnapshot;
import io.github.poolwarden.retry.AcquisitionRetry;
import io.github.poolwarden.retry.PoolExhaustedException;
import io.github.poolwarden.support.ConnectionFailure;
import io.github.poolwarden.support.JdbcTarget;
import io.github.poolwarden.support.RateLimiter;
import io.github.poolwarden.tracking.ConnectionTracker;
import io.github.poolwarden.tracking.HolderSummary;
import io.github.poolwarden.utilization.UtilizationLevel;
import io.github.poolwarden.utilization.UtilizationListener;
import io.github.poolwarden.utilization.UtilizationMonitor;
import io.github.poolwarden.utilization.UtilizationThresholds;
import io.github.poolwarden.utilization.UtilizationTransition;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.util.Assert;

/**
 * A {@link javax.sql.DataSource} that guards a {@link HikariDataSource}: it composes the
 * retry of exhausted acquisitions, holder tracking, the utilization level and what the
 * server can give into one {@link #getConnection()}.
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
	 * How long a refusal because the server is full caps the pool's capacity, and the
	 * shortest interval between two WARN lines about it.
	 */
	private static final long SERVER_FULL_MEMORY_NANOS = TimeUnit.SECONDS.toNanos(30);

	/**
	 * How long the retry may wait for the database to say whether it answers, when a wait
	 * ends with the pool holding no connection.
	 */
	private static final Duration REACHABILITY_WAIT = Duration.ofMillis(300);

	/**
	 * The longest holder summary in an exhaustion message.
	 */
	private static final int HOLDER_SUMMARY_LENGTH = 600;

	private final HikariDataSource pool;

	private final PoolProbe probe;

	private final @Nullable AcquisitionRetry retry;

	private final UtilizationMonitor monitor;

	private final @Nullable ConnectionTracker tracker;

	private volatile List<UtilizationListener> listeners = List.of();

	private volatile @Nullable DatabaseProbe database;

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
		if (retry != null) {
			retry.setExhaustionListener((snapshot) -> evaluate(snapshot(), System.nanoTime()));
			if (tracker != null && tracker.isTrackingHolders()) {
				retry.setHolderSummary(() -> tracker.summary(HOLDER_SUMMARY_LENGTH));
			}
		}
	}

	/**
	 * Borrow a connection from the pool. When the pool is exhausted and a retry is
	 * configured, the acquisition (never a statement) is retried with backoff, within
	 * the retry's budget. With a tracker, the connection is wrapped so its holder is
	 * known and uncommitted work is rolled back when it is returned.
	 * @return a connection
	 * @throws SQLException as HikariCP throws it, or a {@link PoolExhaustedException} when
	 * the pool stayed exhausted for the whole budget
	 */
	@Override
	public Connection getConnection() throws SQLException {
		ConnectionTracker tracker = this.tracker;
		ConnectionTracker.Holding holding = (tracker != null) ? tracker.holding() : null;
		if (holding != null && holding.holdsOne()) {
			return nestedConnection(tracker, holding);
		}
		Connection connection;
		try {
			connection = firstAttempt();
		}
		catch (SQLException ex) {
			connection = recover(ex);
		}
		return (tracker != null) ? tracker.track(connection, holding) : connection;
	}

	private Connection firstAttempt() throws SQLException {
		AcquisitionRetry retry = this.retry;
		return (retry != null) ? retry.firstAttempt() : this.pool.getConnection();
	}

	/**
	 * A borrow by a thread that already holds a connection of this pool: counted, and
	 * while it waits, reported with the holders.
	 */
	private Connection nestedConnection(ConnectionTracker tracker, ConnectionTracker.Holding holding)
			throws SQLException {
		tracker.beginNested();
		Connection connection;
		try {
			try {
				connection = firstAttempt();
			}
			catch (SQLException ex) {
				connection = recover(ex);
			}
		}
		finally {
			tracker.endNested();
		}
		return tracker.track(connection, holding);
	}

	private Connection recover(SQLException ex) throws SQLException {
		AcquisitionRetry retry = this.retry;
		try {
			if (retry != null) {
				return retry.acquire(ex);
			}
			if (ex instanceof SQLTransientConnectionException timeout && AcquisitionRetry.isPoolExhausted(timeout)) {
				evaluate(snapshot(), System.nanoTime());
			}
			throw ex;
		}
		catch (SQLException failure) {
			noteFailure(failure);
			throw failure;
		}
	}

	private void noteFailure(SQLException failure) {
		if (failure instanceof PoolExhaustedException || (failure instanceof SQLTransientConnectionException timeout
				&& AcquisitionRetry.isPoolExhausted(timeout))) {
			return;
		}
		ConnectionError error = ConnectionError.of(failure, this.pool.getPassword());
		this.lastError = error;
		ConnectionFailure meaning = ConnectionFailure.of(failure);
		if (meaning.kind() == ConnectionFailure.Kind.FULL) {
			serverFull(error, meaning);
		}
	}

	/**
	 * The server (or a proxy) refused a new connection: the pool cannot grow past what it
	 * holds, so that is its capacity for a while, and the operator is told it is the
	 * server that is full, not the pool.
	 */
	private void serverFull(ConnectionError error, ConnectionFailure meaning) {
		PoolSnapshot snapshot = this.probe.snapshot();
		this.refusedCapacity = snapshot.total();
		this.refusedCapacityUntil = System.nanoTime() + SERVER_FULL_MEMORY_NANOS;
		if (this.serverFullWarnings.tryPass() >= 0) {
			logger.warn(getPoolName() + " - the database refused a new connection (SQLState " + error.sqlState() + ": "
					+ error.message() + "): " + meaning.meaning() + ", not the pool. The pool holds " + snapshot.total()
					+ " of its maximum " + snapshot.max() + " and counts that as its capacity until the server gives more.");
		}
	}

	/**
	 * Evaluate the pool's utilization level with a snapshot and tell every listener
	 * about a change, once. A rise into critical carries the holders seen at that
	 * moment.
	 * @param snapshot the pool's state
	 * @param nanoTime when the snapshot was taken, as {@link System#nanoTime()} gives it
	 * @return the transition, or {@code null} when the level did not change
	 */
	public @Nullable UtilizationTransition evaluate(PoolSnapshot snapshot, long nanoTime) {
		UtilizationTransition transition = this.monitor.evaluate(snapshot, nanoTime);
		if (transition == null) {
			return null;
		}
		ConnectionTracker tracker = this.tracker;
		if (tracker != null && tracker.isTrackingHolders()) {
			tracker.setUnderPressure(transition.to() != UtilizationLevel.NORMAL);
			if (transition.to() == UtilizationLevel.CRITICAL && transition.isRise()) {
				transition = transition.withHolders(HolderSummary.report(tracker.holders()));
			}
		}
		for (UtilizationListener listener : this.listeners) {
			try {
				listener.onTransition(transition);
			}
			catch (RuntimeException ex) {
				logger.warn("Utilization listener " + listener + " failed", ex);
			}
		}
		return transition;
	}

	/**
	 * Set who is told about every change of the pool's utilization level, in order.
	 * @param listeners the listeners
	 */
	public void setUtilizationListeners(List<? extends UtilizationListener> listeners) {
		Assert.notNull(listeners, "'listeners' must not be null");
		this.listeners = List.copyOf(listeners);
	}

	/**
	 * Read the pool now: one snapshot, evaluated (a change of level is told to the
	 * listeners, once, as a sample would), and the level as it stands for that snapshot,
	 * so every number a reader reports agrees with the level it reports.
	 * @return the reading
	 */
	public PoolReading read() {
		PoolSnapshot snapshot = snapshot();
		long now = System.nanoTime();
		evaluate(snapshot, now);
		return new PoolReading(snapshot, this.monitor.state(snapshot, now));
	}

	/**
	 * Take a snapshot of the pool, with its capacity lowered to what the server can give
	 * when that is known to be less than {@code maximumPoolSize}, and counting as waiting
	 * the callers that wait for their turn in front of HikariCP's queue.
	 * @return the snapshot
	 */
	public PoolSnapshot snapshot() {
		PoolSnapshot snapshot = this.probe.snapshot();
		AcquisitionRetry retry = this.retry;
		int waitingForTurn = (retry != null) ? retry.waitingForTurn() : 0;
		if (waitingForTurn > 0) {
			snapshot = snapshot.plusWaiting(waitingForTurn);
		}
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
	 * Close the guard and the pool: callers between two attempts of a retry fail at once
	 * with a "pool closed" error, then HikariCP closes the pool.
	 */
	@Override
	public void close() {
		if (this.retry != null) {
			this.retry.close();
		}
		this.pool.close();
	}

	/**
	 * Set the probe that asks the pool's database directly, without the pool; the retry
	 * uses it to tell an exhausted pool from a database that does not answer, and health
	 * to answer while the pool is saturated.
	 * @param database the probe
	 */
	public void setDatabaseProbe(DatabaseProbe database) {
		Assert.notNull(database, "'database' must not be null");
		this.database = database;
		if (this.retry != null) {
			this.retry.setReachability(() -> database.check(REACHABILITY_WAIT).state() != DatabaseProbe.State.DOWN);
		}
	}

	/**
	 * Return the probe that asks the pool's database directly.
	 * @return the probe, or {@code null} when none is set
	 */
	public @Nullable DatabaseProbe getDatabaseProbe() {
		return this.database;
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

	/**
	 * Describe where the pool connects, for messages: {@code host:port/database},
	 * {@code H2 mem:testdb}, or the data source class when the pool has no JDBC URL.
	 * @return the description
	 */
	public String describeTarget() {
		if (this.pool.getJdbcUrl() == null && this.pool.getDataSourceClassName() != null) {
			return "the data source " + this.pool.getDataSourceClassName();
		}
		if (this.pool.getJdbcUrl() == null && this.pool.getDataSource() != null) {
			return "the data source " + this.pool.getDataSource().getClass().getName();
		}
		return getTarget().describe();
	}

	@Override
	public String toString() {
		return "GuardedDataSource[" + getPoolName() + "]";
	}

}
