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
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.advice.DemandSample;
import io.github.poolwarden.advice.PoolAdvisor;
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
import io.github.poolwarden.tracking.ConnectionHolder;
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

	/**
	 * How many snapshots a demand sample reads to keep the one with the least demand.
	 */
	private static final int DEMAND_READS = 3;

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

	/**
	 * When the server last refused a connection as full, or {@code null}: refusals closer
	 * together than {@link #SERVER_FULL_MEMORY_NANOS} are one episode, told once.
	 */
	private volatile @Nullable Long lastRefusal;

	/**
	 * When the server last refused a connection as full, told or not.
	 */
	private volatile @Nullable Long refusedAt;

	private final PoolProbe cappedProbe = this::snapshot;

	/**
	 * When a caller last found the pool exhausted, by {@link System#nanoTime()}, or
	 * {@code null} when none ever did. Written on the exhausted path only.
	 */
	private volatile @Nullable Long lastExhausted;

	private volatile @Nullable StuckPoolCheck stuckCheck;

	private volatile @Nullable PoolAdvisor advisor;

	private final List<String> notes = new CopyOnWriteArrayList<>();

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
			retry.setExhaustionListener((snapshot) -> {
				long now = System.nanoTime();
				this.lastExhausted = now;
				evaluate(snapshot(), now);
			});
			if (tracker != null && tracker.isTrackingHolders()) {
				retry.setHolderSummary((snapshot) -> HolderSummary
					.describe(HolderSummary.reconcile(tracker.holders(), snapshot.active()), HOLDER_SUMMARY_LENGTH));
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
		PoolAdvisor advisor = this.advisor;
		boolean exhausted = ex instanceof SQLTransientConnectionException timeout
				&& AcquisitionRetry.isPoolExhausted(timeout);
		// the slow path only: the pool was exhausted, the caller has waited already
		long waitedBefore = (retry != null) ? TimeUnit.MILLISECONDS.toNanos(retry.firstAttemptMillis())
				: TimeUnit.MILLISECONDS.toNanos(this.pool.getConnectionTimeout());
		long started = (advisor != null && exhausted) ? System.nanoTime() : 0;
		try {
			if (retry != null) {
				Connection connection = retry.acquire(ex);
				if (started != 0) {
					advisor.recordWait(waitedBefore + System.nanoTime() - started);
				}
				return connection;
			}
			if (exhausted) {
				long now = System.nanoTime();
				this.lastExhausted = now;
				evaluate(snapshot(), now);
			}
			throw ex;
		}
		catch (SQLException failure) {
			if (started != 0 && isExhaustion(failure)) {
				advisor.recordWait(waitedBefore + System.nanoTime() - started);
				advisor.recordTimeout();
			}
			noteFailure(failure);
			throw failure;
		}
	}

	private static boolean isExhaustion(SQLException failure) {
		return failure instanceof PoolExhaustedException || (failure instanceof SQLTransientConnectionException timeout
				&& AcquisitionRetry.isPoolExhausted(timeout));
	}

	private void noteFailure(SQLException failure) {
		if (isExhaustion(failure)) {
			return;
		}
		ConnectionError error = ConnectionError.of(failure, this.pool.getPassword());
		this.lastError = error;
		ConnectionFailure meaning = ConnectionFailure.of(failure);
		if (meaning.kind() == ConnectionFailure.Kind.FULL) {
			serverFull(error, meaning, false);
		}
		DatabaseProbe database = this.database;
		if (database != null && meaning.kind() != ConnectionFailure.Kind.OTHER) {
			// what the database said to a caller is the freshest answer there is
			database.recordFailure(error, meaning.kind() == ConnectionFailure.Kind.FULL);
		}
	}

	/**
	 * The server (or a proxy) refused a new connection: the pool cannot grow past what it
	 * holds, so that is its capacity for a while, and the operator is told it is the
	 * server that is full, not the pool.
	 */
	private void serverFull(ConnectionError error, ConnectionFailure meaning, boolean background) {
		PoolSnapshot snapshot = this.probe.snapshot();
		long now = System.nanoTime();
		this.refusedCapacity = snapshot.total();
		this.refusedCapacityUntil = now + SERVER_FULL_MEMORY_NANOS;
		this.refusedAt = now;
		if (background && snapshot.total() >= this.serverHeadroom) {
			// no caller saw it, and the capacity check already said the pool has all the
			// server can give it
			return;
		}
		Long last = this.lastRefusal;
		this.lastRefusal = now;
		if (last == null || now - last > SERVER_FULL_MEMORY_NANOS) {
			logger.warn(getPoolName() + " - the database refused a new connection (SQLState " + error.sqlState() + ": "
					+ error.message() + "): " + meaning.meaning() + ", not the pool. The pool holds " + snapshot.total()
					+ " of its maximum " + snapshot.max() + " and counts that as its capacity until the server gives more.");
		}
	}

	/**
	 * Return whether the server refused one of the pool's connections as full within the
	 * last 30 s.
	 * @return whether the pool cannot grow now
	 */
	public boolean isRefusedAsFull() {
		Long last = this.refusedAt;
		return last != null && System.nanoTime() - last <= SERVER_FULL_MEMORY_NANOS;
	}

	/**
	 * Tell the guard that the pool could not open a connection (HikariCP opens most in
	 * the background, where no caller sees the failure): a server that is full is told
	 * once per episode, with the numbers, unless the capacity check already said the pool
	 * has all it can get; a database that does not answer is evidence of an outage once
	 * the pool holds no connection.
	 * @param failure why the connection could not be opened
	 */
	public void connectionNotOpened(SQLException failure) {
		ConnectionFailure meaning = ConnectionFailure.of(failure);
		if (meaning.kind() == ConnectionFailure.Kind.FULL) {
			serverFull(ConnectionError.of(failure, this.pool.getPassword()), meaning, true);
		}
		else if (meaning.kind() == ConnectionFailure.Kind.NOT_READY && this.probe.snapshot().total() == 0) {
			// with connections of its own that still serve, the database answers for this
			// pool: only new connections fail, and health says so from the pool's traffic
			DatabaseProbe database = this.database;
			if (database != null) {
				database.recordFailure(ConnectionError.of(failure, this.pool.getPassword()), false);
			}
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
				transition = transition.withHolders(
						HolderSummary.report(HolderSummary.reconcile(tracker.holders(), transition.snapshot().active())));
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
		return read(snapshot());
	}

	/**
	 * Read the pool as {@link #read()} does, with a snapshot the caller has just taken.
	 * @param snapshot the snapshot, from {@link #snapshot()}
	 * @return the reading
	 */
	public PoolReading read(PoolSnapshot snapshot) {
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
		PoolAdvisor advisor = this.advisor;
		if (advisor != null) {
			advisor.close();
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
			this.retry.setReachability(() -> database.checkNow(REACHABILITY_WAIT).state() != DatabaseProbe.State.DOWN);
		}
		ConnectionTracker tracker = this.tracker;
		if (tracker != null && tracker.isTrackingHolders()) {
			database.setPoolTraffic(tracker::latestHealthyReturn);
		}
	}

	/**
	 * Tell a stuck pool from a busy one: when, for the given time, no borrow has
	 * completed while callers waited, every connection is held and the database
	 * answers, {@link #stuck(PoolSnapshot)} says so. Needs holders to be tracked.
	 * @param stuckAfter how long without progress makes a pool stuck; zero never does
	 */
	public void setStuckAfter(Duration stuckAfter) {
		Assert.isTrue(stuckAfter != null && !stuckAfter.isNegative(), "'stuckAfter' must not be negative");
		ConnectionTracker tracker = this.tracker;
		this.stuckCheck = (!stuckAfter.isZero() && tracker != null && tracker.isTrackingHolders())
				? new StuckPoolCheck(getPoolName(), stuckAfter, tracker, this.retry, System::nanoTime) : null;
	}

	/**
	 * Evaluate whether the pool is stuck (see {@link #setStuckAfter(Duration)}); the
	 * database is asked, through the shared {@linkplain #getDatabaseProbe() probe}, only
	 * when every other condition holds. The first evaluation that finds it stuck logs one
	 * ERROR line, and the first that finds a borrow completed again one INFO line.
	 * @param snapshot the pool's counts, as the caller reports them
	 * @return the stuck pool, or {@code null} when it is not stuck or stuck pools are not
	 * told
	 */
	/**
	 * Return whether the pool was stuck when last {@linkplain #stuck(PoolSnapshot)
	 * evaluated} (by the watch every sample interval, and by every read of health or the
	 * endpoint), without evaluating it again.
	 * @return whether the pool is stuck
	 */
	public boolean isStuck() {
		StuckPoolCheck check = this.stuckCheck;
		return check != null && check.current() != null;
	}

		public @Nullable StuckPool stuck(PoolSnapshot snapshot) {
		StuckPoolCheck check = this.stuckCheck;
		DatabaseProbe database = this.database;
		if (check == null || database == null) {
			return null;
		}
		Long exhausted = this.lastExhausted;
		return check.evaluate(snapshot, (exhausted != null) ? OptionalLong.of(exhausted) : OptionalLong.empty(),
				database::check);
	}

	/**
	 * Advise on the pool's size from its demand: hold times of the borrows whose call
	 * site is captured, waits and timeouts of the acquisitions that find the pool
	 * exhausted, and a {@linkplain #sampleDemand() sample} at the watch's pace.
	 * @param advisor the advisor
	 */
	public void setAdvisor(PoolAdvisor advisor) {
		this.advisor = advisor;
		ConnectionTracker tracker = this.tracker;
		if (tracker != null) {
			tracker.setHoldTimes(advisor::recordHold);
		}
		// a first sample, so the advice names the pool's size before the watch's first
		sampleDemand();
	}

	/**
	 * Return the pool-size advisor.
	 * @return the advisor, or {@code null} when advice is off
	 */
	public @Nullable PoolAdvisor getAdvisor() {
		return this.advisor;
	}

	/**
	 * Give the advisor a sample of the pool: one snapshot, the holders and what the
	 * server can give. Run by the watch every sample interval.
	 */
	public void sampleDemand() {
		PoolAdvisor advisor = this.advisor;
		if (advisor == null) {
			return;
		}
		ConnectionTracker tracker = this.tracker;
		ConnectionTracker holders = (tracker != null && tracker.isTrackingHolders()) ? tracker : null;
		DemandRead read = leastDemand(holders);
		PoolSnapshot snapshot = read.snapshot();
		List<DemandSample.Held> held = read.holders()
			.stream()
			.map((holder) -> new DemandSample.Held(holder.thread(), holder.callSite(), holder.heldFor().toNanos(), holder.waitingAt()))
			.toList();
		ServerCapacity capacity = this.serverCapacity;
		advisor.sample(new DemandSample(System.nanoTime(), read.active(), snapshot.waiting(), snapshot.max(),
				(holders != null) ? holders.borrowed() : -1, (holders != null) ? holders.nestedAcquisitions() : 0, held,
				(capacity != null) ? this.serverHeadroom : null, (capacity != null) ? capacity.limit() : null));
	}

	/**
	 * Return the read with the least demand of {@value #DEMAND_READS} taken back to back.
	 * <p>
	 * Where holders are tracked, the connections in use are PoolWarden's holders rather
	 * than HikariCP's active count: a caller that HikariCP has just handed a connection
	 * stays in HikariCP's count of waiting threads until it leaves its queue, so for that
	 * moment HikariCP counts it both active and waiting, and a watch thread that reads
	 * then sees one caller more than there are; a caller is a holder only once it has
	 * left HikariCP's queue. The waiting callers and the holders are still read one after
	 * the other, so a caller moving between them during a read (a busy caller closing and
	 * borrowing again while the watch's thread is descheduled) can be counted twice: the
	 * least of the reads is kept, since one such read would be a whole sample of the
	 * window's p99.
	 * @param tracker the tracker of the holders, or {@code null} to count HikariCP's
	 * active connections
	 */
	private DemandRead leastDemand(@Nullable ConnectionTracker tracker) {
		DemandRead least = demandRead(tracker);
		for (int read = 1; read < DEMAND_READS; read++) {
			DemandRead next = demandRead(tracker);
			if (next.demand() < least.demand()) {
				least = next;
			}
		}
		return least;
	}

	private DemandRead demandRead(@Nullable ConnectionTracker tracker) {
		PoolSnapshot snapshot = snapshot();
		return (tracker != null) ? new DemandRead(snapshot, tracker.holders(), true)
				: new DemandRead(snapshot, List.of(), false);
	}

	/**
	 * One read of the pool's demand.
	 *
	 * @param snapshot the pool's counters
	 * @param holders the holders, empty when not tracked
	 * @param tracked whether holders are tracked, and count the connections in use
	 */
	private record DemandRead(PoolSnapshot snapshot, List<ConnectionHolder> holders, boolean tracked) {

		int active() {
			return this.tracked ? this.holders.size() : this.snapshot.active();
		}

		int demand() {
			return active() + this.snapshot.waiting();
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
	 * Add a note about the pool's configuration, for its report: advice about a setting
	 * the user did not choose, said once in the log and kept here.
	 * @param note the note
	 */
	public void addNote(String note) {
		Assert.hasText(note, "'note' must not be empty");
		this.notes.add(note);
	}

	/**
	 * Return the notes about the pool's configuration.
	 * @return the notes, in the order they were added
	 */
	public List<String> getNotes() {
		return List.copyOf(this.notes);
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
