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

package io.github.poolwarden.retry;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.github.poolwarden.pool.PoolProbe;
import io.github.poolwarden.pool.PoolSnapshot;
import io.github.poolwarden.pool.TimedConnectionSource;
import io.github.poolwarden.support.RateLimiter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogMessage;
import org.springframework.util.Assert;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Retries an acquisition that failed because the pool was exhausted, and nothing else,
 * with a backoff served in the pool's queue.
 * <p>
 * The first attempt waits {@link RetrySettings#firstAttempt()} in HikariCP's queue
 * (PoolWarden's hot path does that wait). When it ends because every connection stayed
 * in use, the pool counts as exhausted: one WARN line (at most one every
 * {@value #WARN_INTERVAL_SECONDS} s per pool) names the holders while the caller is still
 * waiting, and the caller waits again, each time {@code multiplier} times longer (with
 * jitter), the last time for whatever is left of the budget. Between two attempts the
 * caller leaves the queue only for the instant it takes to enter it again: it never
 * sleeps outside it, so no connection is ever left idle while a retrying caller waits.
 * <p>
 * A caller whose attempt ends enters HikariCP's queue again behind everyone who arrived
 * meanwhile. So that retrying callers keep their turn, every caller that finds the pool
 * exhausted waits its turn in PoolWarden's own first-come, first-served queue, and
 * newcomers join that queue, behind them, for as long as anyone waits in it; at most
 * {@code maximumPoolSize} callers at a time, in their order of arrival, wait in
 * HikariCP's queue (and make their attempts there). When nobody waits, newcomers go
 * straight to HikariCP: the hot path reads one counter.
 * <p>
 * HikariCP signals exhaustion with a {@link SQLTransientConnectionException} that has
 * neither a SQLState nor a cause; when the database cannot be reached it throws the same
 * type carrying the driver's SQLState and cause. Only the first kind is retried. Any
 * other end of a wait (a database that is down, a pool that holds no connection and
 * whose database does not answer a direct probe) is not retried and not counted: the
 * caller keeps waiting exactly as HikariCP alone would (up to its
 * {@code connectionTimeout}) and gets HikariCP's own exception. Every other failure
 * (bad credentials, a closed pool, an interrupted thread) passes through at once. Only
 * the acquisition is retried, never a statement.
 * <p>
 * The backoff arithmetic is Spring's {@link ExponentialBackOff}; the loop is
 * PoolWarden's own, because each attempt is a wait in the pool's queue rather than a
 * sleep, the first attempt must cost nothing extra, and the budget counts HikariCP's
 * waits, none of which {@code RetryTemplate} does.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class AcquisitionRetry {

	/**
	 * The shortest interval between two WARN lines about exhaustion, per pool.
	 */
	public static final long WARN_INTERVAL_SECONDS = 10;

	/**
	 * The shortest attempt worth starting: less than this left of the budget ends the
	 * acquisition.
	 */
	private static final long SHORTEST_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	/**
	 * How many earlier timeouts are kept as suppressed exceptions.
	 */
	private static final int KEPT_FAILURES = 8;

	private static final Log logger = LogFactory.getLog(AcquisitionRetry.class);

	private final TimedConnectionSource source;

	private final PoolProbe probe;

	private final RetrySettings settings;

	private final String budgetSource;

	private final long hikariWaitNanos;

	private final long firstAttemptMillis;

	private final ExponentialBackOff backOff;

	private final AcquisitionRetryStats stats = new AcquisitionRetryStats();

	private final RateLimiter warnings;

	private final LongSupplier clock;

	private volatile boolean closed;

	/**
	 * How many callers wait for an exhausted pool in {@link #turns}: while any does,
	 * newcomers queue behind them.
	 */
	private final AtomicInteger queued = new AtomicInteger();

	private final WaitingCallers waiting;

	/**
	 * The turns to wait in HikariCP's queue, first come first served; created at the
	 * first exhaustion, with as many permits as the pool has connections.
	 */
	private volatile @Nullable Semaphore turns;

	private volatile ExhaustionListener exhaustionListener = ExhaustionListener.NONE;

	private volatile Function<PoolSnapshot, @Nullable String> holders = (snapshot) -> null;

	private volatile BooleanSupplier reachable = () -> true;

	/**
	 * Create a retry.
	 * @param source where connections come from: the pool, with a wait of PoolWarden's
	 * choosing
	 * @param probe reads the pool's counts for messages
	 * @param settings the backoff and its bounds
	 * @param connectionTimeoutMillis the pool's {@code connectionTimeout}: how long HikariCP
	 * alone makes a caller wait, which is how long a caller keeps waiting when the
	 * wait ends for another reason than exhaustion
	 * @param budgetSource the property the budget ({@link RetrySettings#timeout()}) comes
	 * from, for messages
	 */
	public AcquisitionRetry(TimedConnectionSource source, PoolProbe probe, RetrySettings settings,
			long connectionTimeoutMillis, String budgetSource) {
		this(source, probe, settings, connectionTimeoutMillis, budgetSource, System::nanoTime);
	}

	AcquisitionRetry(TimedConnectionSource source, PoolProbe probe, RetrySettings settings, long connectionTimeoutMillis,
			String budgetSource, LongSupplier clock) {
		Assert.notNull(source, "'source' must not be null");
		Assert.notNull(probe, "'probe' must not be null");
		Assert.notNull(settings, "'settings' must not be null");
		Assert.isTrue(connectionTimeoutMillis > 0, "'connectionTimeoutMillis' must be positive");
		Assert.hasText(budgetSource, "'budgetSource' must not be empty");
		this.source = source;
		this.probe = probe;
		this.settings = settings;
		this.budgetSource = budgetSource;
		this.hikariWaitNanos = TimeUnit.MILLISECONDS.toNanos(connectionTimeoutMillis);
		this.firstAttemptMillis = settings.firstAttempt().toMillis();
		this.backOff = new ExponentialBackOff(settings.delay().toMillis(), settings.multiplier());
		this.backOff.setMaxInterval(settings.maxDelay().toMillis());
		this.backOff.setJitter(settings.jitter().toMillis());
		this.clock = clock;
		this.waiting = new WaitingCallers(clock);
		this.warnings = new RateLimiter(Duration.ofSeconds(WARN_INTERVAL_SECONDS), clock);
	}

	/**
	 * Whether an exception is HikariCP's "pool exhausted" timeout: no SQLState, no cause.
	 * @param ex the exception
	 * @return whether the pool was exhausted
	 */
	public static boolean isPoolExhausted(SQLTransientConnectionException ex) {
		return ex.getSQLState() == null && ex.getCause() == null && !(ex instanceof PoolExhaustedException);
	}

	/**
	 * Return how long the first attempt waits in the pool's queue, in milliseconds.
	 * @return the first attempt's wait
	 */
	public long firstAttemptMillis() {
		return this.firstAttemptMillis;
	}

	/**
	 * Make the first attempt: wait in the pool's queue for
	 * {@link RetrySettings#firstAttempt()}.
	 * @return a connection
	 * @throws SQLException as the pool throws it
	 */
	public Connection firstAttempt() throws SQLException {
		if (this.queued.get() != 0) {
			return queueBehindWaitingCallers();
		}
		if (!this.source.isStarted()) {
			// The pool opens its connections first: the attempt may take longer than its
			// wait, so the budget is counted from here, on this rare path.
			long start = this.clock.getAsLong();
			try {
				return this.source.getConnection(this.firstAttemptMillis);
			}
			catch (SQLException ex) {
				throw new FirstAttemptFailure(ex, start);
			}
		}
		return this.source.getConnection(this.firstAttemptMillis);
	}

	/**
	 * Stop every retry in progress or to come: a caller between two attempts fails at
	 * once with an {@code SQLException} saying the pool is closed. Called when the pool
	 * closes.
	 */
	public void close() {
		this.closed = true;
	}

	/**
	 * Set what to tell when an attempt finds the pool exhausted.
	 * @param listener the listener
	 */
	public void setExhaustionListener(ExhaustionListener listener) {
		Assert.notNull(listener, "'listener' must not be null");
		this.exhaustionListener = listener;
	}

	/**
	 * Set how to ask, quickly and without the pool, whether the database answers; asked
	 * only when a wait ends with the pool holding no connection at all.
	 * @param reachable answers whether the database answers
	 */
	public void setReachability(BooleanSupplier reachable) {
		Assert.notNull(reachable, "'reachable' must not be null");
		this.reachable = reachable;
	}

	/**
	 * Set what describes the pool's holders in the exhaustion messages.
	 * @param holders gives a one-line summary of the holders that adds up to the active
	 * count of the snapshot the message reports, or {@code null}
	 */
	public void setHolderSummary(Function<PoolSnapshot, @Nullable String> holders) {
		Assert.notNull(holders, "'holders' must not be null");
		this.holders = holders;
	}

	/**
	 * Return how many callers wait for an exhausted pool in PoolWarden's queue, whether
	 * their turn has come (they wait in HikariCP's queue) or not.
	 * @return the callers queued
	 */
	public int queuedCallers() {
		return this.queued.get();
	}

	/**
	 * Return how many callers wait for their turn to wait in HikariCP's queue: waiting
	 * threads that HikariCP does not count (an estimate, as
	 * {@link Semaphore#getQueueLength()} is).
	 * @return the callers waiting for their turn
	 */
	public int waitingForTurn() {
		Semaphore turns = this.turns;
		return (turns != null) ? turns.getQueueLength() : 0;
	}

	/**
	 * Return the caller that has waited longest among those that found the pool
	 * exhausted and wait for it now.
	 * @return the caller, or {@code null} when none waits
	 */
	public @Nullable Waiter oldestWaiter() {
		return this.waiting.oldest();
	}

	/**
	 * Return the counters.
	 * @return the stats
	 */
	public AcquisitionRetryStats getStats() {
		return this.stats;
	}

	/**
	 * Return the settings.
	 * @return the settings
	 */
	public RetrySettings getSettings() {
		return this.settings;
	}

	/**
	 * Continue an acquisition whose {@linkplain #firstAttempt() first attempt} failed.
	 * @param first the first attempt's failure
	 * @return a connection, when a later attempt gets one
	 * @throws SQLException {@code first} itself when it is not a timeout; HikariCP's own
	 * exception when the wait ended for another reason than exhaustion; a
	 * {@link PoolExhaustedException} when the pool stayed exhausted for the whole budget;
	 * an {@code SQLException} with SQLState {@code 08003} when the pool closed meanwhile
	 */
	public Connection acquire(SQLException first) throws SQLException {
		long start;
		if (first instanceof FirstAttemptFailure startup) {
			start = startup.startNanos;
			first = startup.failure;
		}
		else {
			start = this.clock.getAsLong() - TimeUnit.MILLISECONDS.toNanos(this.firstAttemptMillis);
		}
		if (!(first instanceof SQLTransientConnectionException timeout) || first instanceof PoolExhaustedException) {
			// not a timeout, or a newcomer that waited behind others for its whole budget
			throw first;
		}
		long budgetEnd = start + this.settings.timeout().toNanos();
		long hikariEnd = start + Math.min(this.hikariWaitNanos, this.settings.timeout().toNanos());
		PoolSnapshot snapshot = this.probe.snapshot();
		if (!isExhaustion(timeout, snapshot)) {
			return waitAsHikariWould(timeout, start, hikariEnd);
		}
		this.exhaustionListener.onExhausted(snapshot);
		if (budgetEnd - this.clock.getAsLong() >= SHORTEST_ATTEMPT_NANOS) {
			warnWhileWaiting(snapshot, start, budgetEnd);
		}
		return inTurn(snapshot, timeout, 1, start, budgetEnd, hikariEnd);
	}

	/**
	 * A newcomer while callers wait for an exhausted pool: it waits behind them, from
	 * now, for the whole budget.
	 */
	private Connection queueBehindWaitingCallers() throws SQLException {
		long start = this.clock.getAsLong();
		long budgetEnd = start + this.settings.timeout().toNanos();
		long hikariEnd = start + Math.min(this.hikariWaitNanos, this.settings.timeout().toNanos());
		PoolSnapshot snapshot = this.probe.snapshot();
		SQLTransientConnectionException behind = new SQLTransientConnectionException(snapshot.pool()
				+ " - callers were already waiting for the exhausted pool; this one waited behind them");
		return inTurn(snapshot, behind, 0, start, budgetEnd, hikariEnd);
	}

	/**
	 * Wait for this caller's turn in the first-come, first-served queue, then make the
	 * attempts in HikariCP's queue.
	 * @param attemptsMade attempts already made in HikariCP's queue (0 for a newcomer)
	 */
	private Connection inTurn(PoolSnapshot snapshot, SQLTransientConnectionException timeout, long attemptsMade,
			long start, long budgetEnd, long hikariEnd) throws SQLException {
		Semaphore turns = turns(snapshot);
		this.queued.incrementAndGet();
		this.waiting.add(start);
		boolean inTurn = false;
		try {
			long remaining = budgetEnd - this.clock.getAsLong();
			try {
				inTurn = remaining >= SHORTEST_ATTEMPT_NANOS && turns.tryAcquire(remaining, TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				SQLException interrupted = new SQLException(
						snapshot.pool() + " - interrupted while waiting for an exhausted pool", ex);
				interrupted.addSuppressed(timeout);
				throw interrupted;
			}
			if (this.closed) {
				throw closed(snapshot.pool(), timeout);
			}
			if (!inTurn) {
				throw exhausted(timeout, new ArrayDeque<>(0), Math.max(1, attemptsMade), start);
			}
			return attempts(snapshot, timeout, attemptsMade, start, budgetEnd, hikariEnd);
		}
		finally {
			if (inTurn) {
				turns.release();
			}
			this.waiting.remove();
			this.queued.decrementAndGet();
		}
	}

	private Semaphore turns(PoolSnapshot snapshot) {
		Semaphore turns = this.turns;
		if (turns == null) {
			synchronized (this) {
				turns = this.turns;
				if (turns == null) {
					turns = new Semaphore(Math.max(1, snapshot.max()), true);
					this.turns = turns;
				}
			}
		}
		return turns;
	}

	private Connection attempts(PoolSnapshot snapshot, SQLTransientConnectionException timeout, long attemptsMade,
			long start, long budgetEnd, long hikariEnd) throws SQLException {
		BackOffExecution backOff = this.backOff.start();
		if (attemptsMade > 0) {
			backOff.nextBackOff();
		}
		Deque<SQLTransientConnectionException> earlier = new ArrayDeque<>(KEPT_FAILURES);
		SQLTransientConnectionException last = timeout;
		long retries = attemptsMade - 1;
		while (true) {
			if (this.closed) {
				throw closed(snapshot.pool(), last);
			}
			long remaining = budgetEnd - this.clock.getAsLong();
			if (remaining < SHORTEST_ATTEMPT_NANOS) {
				throw exhausted(last, earlier, Math.max(1, retries + 1), start);
			}
			long wait = nextWait(backOff, retries, remaining);
			retries++;
			if (logger.isDebugEnabled()) {
				logger.debug(LogMessage.format("%s - pool exhausted; retry %d waits up to %d ms in the queue",
						snapshot.pool(), retries, TimeUnit.NANOSECONDS.toMillis(wait)));
			}
			try {
				Connection connection = this.source.getConnection(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
				this.stats.recordRecovered();
				if (logger.isDebugEnabled()) {
					logger.debug(LogMessage.format("%s - connection acquired on retry %d after %d ms", snapshot.pool(),
							retries, elapsedMillis(start)));
				}
				return connection;
			}
			catch (SQLTransientConnectionException ex) {
				PoolSnapshot now = this.probe.snapshot();
				if (!isExhaustion(ex, now)) {
					return waitAsHikariWould(ex, start, hikariEnd);
				}
				this.exhaustionListener.onExhausted(now);
				if (earlier.size() == KEPT_FAILURES) {
					earlier.removeFirst();
				}
				earlier.addLast(last);
				last = ex;
			}
		}
	}

	private long nextWait(BackOffExecution backOff, long retries, long remaining) {
		if (retries + 1 >= this.settings.maxRetries()) {
			return remaining;
		}
		long next = backOff.nextBackOff();
		if (next == BackOffExecution.STOP) {
			return remaining;
		}
		long wait = TimeUnit.MILLISECONDS.toNanos(next);
		// A last attempt shorter than the shortest worth making is merged into this one.
		return (remaining - wait < SHORTEST_ATTEMPT_NANOS) ? remaining : Math.min(wait, remaining);
	}

	/**
	 * Whether a wait that ended without a connection means exhaustion: HikariCP's bare
	 * timeout, with the pool holding connections (all busy). A pool that holds none
	 * either lost them all a moment ago (it is refilling) or could not open one (a
	 * network that does not answer); the database is asked directly to tell which.
	 */
	private boolean isExhaustion(SQLTransientConnectionException ex, PoolSnapshot snapshot) {
		return isPoolExhausted(ex) && (snapshot.total() > 0 || this.reachable.getAsBoolean());
	}

	/**
	 * Keep waiting, as HikariCP alone would, until {@code end}; then give HikariCP's own
	 * exception.
	 */
	private Connection waitAsHikariWould(SQLTransientConnectionException last, long start, long end)
			throws SQLException {
		if (this.closed) {
			throw last;
		}
		long remaining = end - this.clock.getAsLong();
		if (remaining < SHORTEST_ATTEMPT_NANOS) {
			throw waitedInAll(last, start);
		}
		try {
			return this.source.getConnection(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
		}
		catch (SQLTransientConnectionException ex) {
			throw waitedInAll(ex, start);
		}
	}

	/**
	 * HikariCP's timeout, saying how long the caller waited in all: HikariCP's own message
	 * counts only its last wait. The SQLState and the cause stay HikariCP's, so the
	 * failure is classified as before (a bare timeout keeps no cause).
	 */
	private SQLTransientConnectionException waitedInAll(SQLTransientConnectionException hikari, long start) {
		String message = hikari.getMessage();
		String pool = (message != null && message.contains(" - ")) ? message.substring(0, message.indexOf(" - "))
				: "HikariPool";
		SQLTransientConnectionException waited = new SQLTransientConnectionException(pool
				+ " - Connection is not available after waiting " + elapsedMillis(start) + " ms in all (HikariCP: "
				+ message + ")", hikari.getSQLState(), hikari.getErrorCode(), hikari.getCause());
		waited.setStackTrace(hikari.getStackTrace());
		return waited;
	}

	private void warnWhileWaiting(PoolSnapshot snapshot, long start, long budgetEnd) {
		long heldBack = this.warnings.tryPass();
		if (heldBack < 0) {
			return;
		}
		// one snapshot for every number in the line, this caller counted among the waiting
		PoolSnapshot now = this.probe.snapshot().plusWaiting(waitingForTurn() + 1);
		String message = now.pool() + " - pool exhausted: a caller has waited " + elapsedMillis(start) + " ms "
				+ (now.saturated() ? "with every connection in use" : "for a connection") + " ("
				+ now.describeCounts() + "); it keeps waiting in the queue for up to "
				+ Math.max(0, TimeUnit.NANOSECONDS.toMillis(budgetEnd - this.clock.getAsLong())) + " ms more (budget "
				+ this.settings.timeout().toMillis() + " ms, " + this.budgetSource + ")";
		logger.warn(withHolders(message, now) + heldBack(heldBack));
	}

	private String withHolders(String message, PoolSnapshot snapshot) {
		String holders = this.holders.apply(snapshot);
		return (holders != null) ? message + "; holders: " + holders : message;
	}

	private static String heldBack(long heldBack) {
		return (heldBack > 0) ? " [" + heldBack + " more exhaustion warnings held back since the last one]" : "";
	}

	private SQLException closed(String pool, SQLTransientConnectionException last) {
		SQLException closed = new SQLException(pool + " - pool closed while waiting to retry an exhausted pool",
				"08003");
		closed.addSuppressed(last);
		return closed;
	}

	private PoolExhaustedException exhausted(SQLTransientConnectionException last,
			Deque<SQLTransientConnectionException> earlier, long attempts, long start) {
		this.stats.recordExhausted();
		PoolSnapshot snapshot = this.probe.snapshot().plusWaiting(waitingForTurn());
		long waited = elapsedMillis(start);
		String message = withHolders(snapshot.pool() + " - pool exhausted: no connection after " + attempts
				+ ((attempts == 1) ? " attempt" : " attempts") + " in " + waited + " ms (" + snapshot.describeCounts()
				+ "); budget " + this.settings.timeout().toMillis() + " ms (" + this.budgetSource + ")", snapshot);
		PoolExhaustedException exception = new PoolExhaustedException(message, snapshot.pool(), (int) attempts,
				waited, last);
		earlier.forEach(exception::addSuppressed);
		long heldBack = this.warnings.tryPass();
		if (heldBack >= 0) {
			logger.warn(message + heldBack(heldBack));
		}
		return exception;
	}

	/**
	 * The failure of a first attempt that had to start the pool, with when it began;
	 * never seen outside {@link #acquire(SQLException)}.
	 */
	private static final class FirstAttemptFailure extends SQLException {

		private final SQLException failure;

		private final long startNanos;

		FirstAttemptFailure(SQLException failure, long startNanos) {
			super(failure.getMessage(), failure.getSQLState(), failure.getErrorCode(), failure);
			this.failure = failure;
			this.startNanos = startNanos;
		}

	}

	private long elapsedMillis(long startNanos) {
		return TimeUnit.NANOSECONDS.toMillis(this.clock.getAsLong() - startNanos);
	}

}
