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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.github.poolwarden.ExhaustionListener;
import io.github.poolwarden.PoolProbe;
import io.github.poolwarden.PoolSnapshot;
import io.github.poolwarden.support.RateLimiter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogMessage;
import org.springframework.util.Assert;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Retries an acquisition that failed because the pool was exhausted, and nothing else.
 * <p>
 * HikariCP signals exhaustion with a {@link SQLTransientConnectionException} that has
 * neither a SQLState nor a cause; when the database cannot be reached it throws the same
 * type carrying the driver's SQLState and cause. Only the first kind is retried: every
 * other failure (database down, bad credentials, closed pool, interrupted thread) passes
 * through unchanged, and so does a timeout of a pool that holds no connection at all
 * when the database does not answer a direct probe. Only the acquisition is retried,
 * never a statement.
 * <p>
 * A retry is started only if, after its backoff, a whole HikariCP wait
 * ({@code connectionTimeout}) still fits in the {@linkplain RetrySettings#timeout()
 * timeout}, so one {@code getConnection()} never takes longer than the timeout (plus
 * scheduling noise). The backoff arithmetic is Spring's {@link ExponentialBackOff}; the
 * loop is PoolWarden's own, because the first attempt must cost nothing extra and the
 * deadline must account for HikariCP's wait, which {@code RetryTemplate} does not do.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class AcquisitionRetry {

	/**
	 * The shortest interval between two WARN lines about exhaustion, per pool.
	 */
	public static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

	private static final Log logger = LogFactory.getLog(AcquisitionRetry.class);

	private final ConnectionSource source;

	private final PoolProbe probe;

	private final RetrySettings settings;

	private final long attemptNanos;

	private final ExponentialBackOff backOff;

	private final AcquisitionRetryStats stats = new AcquisitionRetryStats();

	private final RateLimiter warnings = new RateLimiter(Duration.ofNanos(WARN_INTERVAL_NANOS));

	private final Sleeper sleeper;

	private final CountDownLatch closed = new CountDownLatch(1);

	private volatile ExhaustionListener exhaustionListener = ExhaustionListener.NONE;

	private volatile Supplier<@Nullable String> holders = () -> null;

	private volatile BooleanSupplier reachable = () -> true;

	/**
	 * Create a retry.
	 * @param source where connections come from, the pool itself
	 * @param probe reads the pool's counts for messages
	 * @param settings the backoff and its bounds
	 * @param connectionTimeoutMillis the pool's {@code connectionTimeout}: how long one
	 * attempt may wait
	 */
	public AcquisitionRetry(ConnectionSource source, PoolProbe probe, RetrySettings settings,
			long connectionTimeoutMillis) {
		this(source, probe, settings, connectionTimeoutMillis, null);
	}

	AcquisitionRetry(ConnectionSource source, PoolProbe probe, RetrySettings settings, long connectionTimeoutMillis,
			@Nullable Sleeper sleeper) {
		Assert.notNull(source, "'source' must not be null");
		Assert.notNull(probe, "'probe' must not be null");
		Assert.notNull(settings, "'settings' must not be null");
		Assert.isTrue(connectionTimeoutMillis > 0, "'connectionTimeoutMillis' must be positive");
		this.source = source;
		this.probe = probe;
		this.settings = settings;
		this.attemptNanos = TimeUnit.MILLISECONDS.toNanos(connectionTimeoutMillis);
		this.backOff = new ExponentialBackOff(settings.delay().toMillis(), settings.multiplier());
		this.backOff.setMaxInterval(settings.maxDelay().toMillis());
		this.backOff.setJitter(settings.jitter().toMillis());
		this.backOff.setMaxAttempts(settings.maxRetries());
		this.sleeper = (sleeper != null) ? sleeper : this::sleepUnlessClosed;
	}

	private void sleepUnlessClosed(long millis) throws InterruptedException {
		this.closed.await(millis, TimeUnit.MILLISECONDS);
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
	 * Whether a timeout means exhaustion: the pool holds connections, all of them busy.
	 * A pool that holds none when its wait times out either lost them all a moment ago
	 * (it is refilling) or could not open one (a network that does not answer); the
	 * database is asked directly to tell which.
	 */
	private static boolean holdsConnections(PoolSnapshot snapshot) {
		return snapshot.total() > 0;
	}

	/**
	 * Stop every retry in progress or to come: backoffs end at once and the callers get
	 * an {@code SQLException} saying the pool is closed. Called when the pool closes.
	 */
	public void close() {
		this.closed.countDown();
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
	 * only when a timeout finds the pool holding no connection at all.
	 * @param reachable answers whether the database answers
	 */
	public void setReachability(BooleanSupplier reachable) {
		Assert.notNull(reachable, "'reachable' must not be null");
		this.reachable = reachable;
	}

	/**
	 * Set what describes the pool's holders in the exhaustion message.
	 * @param holders supplies a one-line summary of the holders, or {@code null}
	 */
	public void setHolderSummary(Supplier<@Nullable String> holders) {
		Assert.notNull(holders, "'holders' must not be null");
		this.holders = holders;
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
	 * Continue an acquisition whose first attempt failed.
	 * @param first the first attempt's failure
	 * @return a connection, when a retry succeeds
	 * @throws SQLException {@code first} itself when it is not exhaustion; the failure of
	 * a retry that is not exhaustion; a {@link PoolExhaustedException} when every
	 * allowed attempt found the pool exhausted; an {@code SQLException} caused by
	 * {@link InterruptedException} when interrupted during a backoff
	 */
	public Connection acquire(SQLTransientConnectionException first) throws SQLException {
		if (!isPoolExhausted(first)) {
			throw first;
		}
		PoolSnapshot atFirstTimeout = this.probe.snapshot();
		if (!holdsConnections(atFirstTimeout) && !this.reachable.getAsBoolean()) {
			throw first;
		}
		String pool = atFirstTimeout.pool();
		// HikariCP gives up on exhaustion only after a whole connectionTimeout.
		long start = System.nanoTime() - this.attemptNanos;
		long deadline = start + this.settings.timeout().toNanos();
		BackOffExecution backOff = this.backOff.start();
		List<SQLTransientConnectionException> failures = new ArrayList<>(4);
		SQLTransientConnectionException last = first;
		int attempts = 1;
		while (true) {
			this.exhaustionListener.onExhausted(this.probe.snapshot());
			long delay = backOff.nextBackOff();
			if (delay == BackOffExecution.STOP || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay)
					+ this.attemptNanos - deadline > 0) {
				throw exhausted(last, failures, attempts, start);
			}
			if (logger.isDebugEnabled()) {
				logger.debug(LogMessage.format("%s - pool exhausted on attempt %d; retrying in %d ms", pool,
						attempts, delay));
			}
			sleep(delay, last, pool);
			if (this.closed.getCount() == 0) {
				SQLException closed = new SQLException(pool + " - pool closed while waiting to retry an exhausted "
						+ "pool", "08003");
				closed.addSuppressed(last);
				throw closed;
			}
			attempts++;
			try {
				Connection connection = this.source.getConnection();
				this.stats.recordRecovered();
				if (logger.isDebugEnabled()) {
					logger.debug(LogMessage.format("%s - connection acquired on attempt %d after %d ms", pool,
							attempts, elapsedMillis(start)));
				}
				return connection;
			}
			catch (SQLTransientConnectionException ex) {
				if (!isPoolExhausted(ex)) {
					throw ex;
				}
				failures.add(last);
				last = ex;
			}
		}
	}

	private void sleep(long delay, SQLTransientConnectionException last, String pool) throws SQLException {
		try {
			this.sleeper.sleep(delay);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			SQLException interrupted = new SQLException(
					pool + " - interrupted while backing off to retry an exhausted pool", ex);
			interrupted.addSuppressed(last);
			throw interrupted;
		}
	}

	private PoolExhaustedException exhausted(SQLTransientConnectionException last,
			List<SQLTransientConnectionException> earlier, int attempts, long start) {
		this.stats.recordExhausted();
		PoolSnapshot snapshot = this.probe.snapshot();
		long waited = elapsedMillis(start);
		String message = snapshot.pool() + " - pool exhausted: no connection after " + attempts
				+ ((attempts == 1) ? " attempt" : " attempts") + " in " + waited + " ms ("
				+ snapshot.describeCounts() + "); poolwarden.retry.max-retries=" + this.settings.maxRetries()
				+ ", poolwarden.retry.timeout=" + this.settings.timeout().toMillis() + "ms";
		String holders = this.holders.get();
		if (holders != null) {
			message += "; holders: " + holders;
		}
		PoolExhaustedException exception = new PoolExhaustedException(message, snapshot.pool(), attempts, waited,
				last);
		earlier.forEach(exception::addSuppressed);
		warn(exception);
		return exception;
	}

	private void warn(PoolExhaustedException exception) {
		long heldBack = this.warnings.tryPass();
		if (heldBack >= 0) {
			logger.warn(exception.getMessage()
					+ ((heldBack > 0) ? " [" + heldBack + " more exhausted acquisitions since the last warning]" : ""));
		}
	}

	private static long elapsedMillis(long startNanos) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
	}

	/**
	 * Waits out a backoff; a seam for tests.
	 */
	@FunctionalInterface
	interface Sleeper {

		void sleep(long millis) throws InterruptedException;

	}

	/**
	 * Where connections come from.
	 */
	@FunctionalInterface
	public interface ConnectionSource {

		/**
		 * Borrow a connection.
		 * @return the connection
		 * @throws SQLException as the pool throws it
		 */
		Connection getConnection() throws SQLException;

	}

}
