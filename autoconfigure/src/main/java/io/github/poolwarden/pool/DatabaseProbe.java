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

package io.github.poolwarden.pool;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.support.ConnectionFailure;
import io.github.poolwarden.support.JdbcTarget;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Answers whether a pool's database answers, from the cheapest evidence there is, within
 * a time bound, and shares the answer: Boot's {@code db} health, the {@code poolwarden}
 * health, the endpoint and the watch all ask the same probe.
 * <ol>
 * <li>The pool's own traffic: a connection returned in working order within the probe
 * interval, later than anything that said otherwise, answers without touching the
 * database.</li>
 * <li>The latest answer, while it is younger than the probe interval: a check made for
 * an earlier caller, or a caller's failure to get a connection.</li>
 * <li>Otherwise one check, at most one in flight: an idle connection of the pool, taken
 * without waiting and validated (no new session); when the pool has none, or it fails,
 * one connection opened outside the pool with the pool's settings, validated and
 * closed. The pool is never waited on, so a saturated pool never delays the
 * answer.</li>
 * </ol>
 * So a new session is opened at most once per probe interval, and only while the pool has
 * no evidence of its own (every connection held and none returned, or none held at
 * all). A database that goes away is told within the probe interval plus the timeout; a
 * caller's connection error tells it at once.
 * <p>
 * An outage is told once: the first evidence that the database does not answer logs one
 * WARN line (the SQLState and what fails meanwhile), however many callers fail; the first
 * evidence that it answers again logs one INFO line with how long it was away.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class DatabaseProbe {

	private static final Log logger = LogFactory.getLog(DatabaseProbe.class);

	private static final ExecutorService executor = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "poolwarden-database-probe");
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * How long taking an idle connection may wait: the pool had one when asked, so a
	 * longer wait only means another caller took it.
	 */
	private static final long IDLE_WAIT_MILLIS = 100;

	/**
	 * The shortest time between two outage WARN lines of one pool: a database that comes
	 * and goes is one episode, not a line a second.
	 */
	private static final long OUTAGE_LINES_APART_NANOS = TimeUnit.SECONDS.toNanos(30);

	private final HikariDataSource pool;

	private final Duration timeout;

	private final long intervalNanos;

	private final Consumer<ConnectionError> errors;

	private final @Nullable DirectConnector connector;

	private final @Nullable TimedConnectionSource pooled;

	private final PoolProbe counts;

	private final LongSupplier clock;

	private final Map<Source, LongAdder> checks = new EnumMap<>(Source.class);

	private volatile Supplier<OptionalLong> traffic = OptionalLong::empty;

	private @Nullable Answer latest;

	private volatile @Nullable String product;

	private volatile @Nullable Object validationResult;

	private @Nullable CompletableFuture<Answer> inFlight;

	/**
	 * When the database was first known not to answer, while it is; guarded by this.
	 */
	private @Nullable Long awaySince;

	/**
	 * Whether the current outage was told (its WARN logged); guarded by this. An outage
	 * that starts within {@link #OUTAGE_LINES_APART_NANOS} of the last WARN is the same
	 * episode to the reader: it is not told again, nor is its end.
	 */
	private boolean awayTold;

	private @Nullable Long lastToldNanos;

	/**
	 * Create a probe.
	 * @param pool the pool whose database to ask
	 * @param timeout how long one check may take at most
	 * @param interval how long an answer stands for, and so the shortest time between two
	 * checks
	 * @param errors told about every failure to connect
	 * @param pooled takes an idle connection of the pool, or {@code null} to ask outside
	 * the pool only
	 * @param counts reads the pool's counts (how many connections are idle)
	 * @param clock the time, as {@link System#nanoTime()} gives it
	 */
	public DatabaseProbe(HikariDataSource pool, Duration timeout, Duration interval, Consumer<ConnectionError> errors,
			@Nullable TimedConnectionSource pooled, PoolProbe counts, LongSupplier clock) {
		Assert.notNull(pool, "'pool' must not be null");
		Assert.isTrue(timeout != null && timeout.toMillis() > 0, "'timeout' must be at least 1 ms");
		Assert.isTrue(interval != null && interval.toMillis() > 0, "'interval' must be at least 1 ms");
		Assert.notNull(errors, "'errors' must not be null");
		Assert.notNull(counts, "'counts' must not be null");
		Assert.notNull(clock, "'clock' must not be null");
		this.pool = pool;
		this.timeout = timeout;
		this.intervalNanos = interval.toNanos();
		this.errors = errors;
		this.connector = DirectConnector.of(pool, timeout);
		this.pooled = pooled;
		this.counts = counts;
		this.clock = clock;
		for (Source source : Source.values()) {
			this.checks.put(source, new LongAdder());
		}
	}

	/**
	 * Set where the pool's traffic is read: when a connection was last returned in
	 * working order.
	 * @param latestHealthyReturn the time of the latest such return, as
	 * {@link System#nanoTime()} gives it, or empty when none is known
	 */
	public void setPoolTraffic(Supplier<OptionalLong> latestHealthyReturn) {
		Assert.notNull(latestHealthyReturn, "'latestHealthyReturn' must not be null");
		this.traffic = latestHealthyReturn;
	}

	/**
	 * Return whether the database can be asked outside the pool: a pool configured with
	 * a {@code dataSourceClassName} or a credentials provider cannot be reproduced outside
	 * HikariCP.
	 * @return whether a connection can be opened outside the pool
	 */
	public boolean canAsk() {
		return this.connector != null;
	}

	/**
	 * Return the longest time one check may take.
	 * @return the timeout
	 */
	public Duration getTimeout() {
		return this.timeout;
	}

	/**
	 * Return how long an answer stands for.
	 * @return the probe interval
	 */
	public Duration getInterval() {
		return Duration.ofNanos(this.intervalNanos);
	}

	/**
	 * Return the database product the database last answered as.
	 * @return the product name, or {@code null} when no connection was ever asked
	 */
	public @Nullable String getProduct() {
		return this.product;
	}

	/**
	 * Return how many answers were given from each source: {@link Source#NEW_CONNECTION}
	 * counts the sessions opened outside the pool.
	 * @param source the source
	 * @return the count
	 */
	public long answers(Source source) {
		return this.checks.get(source).sum();
	}

	/**
	 * Return how old an answer is.
	 * @param answer the answer
	 * @return its age
	 */
	public Duration ageOf(Answer answer) {
		return Duration.ofNanos(Math.max(0, this.clock.getAsLong() - answer.atNanos()));
	}

	/**
	 * Answer whether the database answers, from the cheapest evidence there is, waiting
	 * at most the probe's timeout.
	 * @return the answer
	 */
	public Answer check() {
		long now = this.clock.getAsLong();
		Answer known = known(now, true);
		return (known != null) ? known : fresh(this.timeout, now);
	}

	/**
	 * Ask the database now, whatever the evidence, waiting at most the given time (and
	 * never longer than the probe's timeout); the answer is shared as every other.
	 * @param wait how long to wait for the answer
	 * @return the answer
	 */
	public Answer checkNow(Duration wait) {
		return fresh(wait, this.clock.getAsLong());
	}

	/**
	 * Record a caller's failure to get a connection: from now, and until newer evidence,
	 * the database is known not to answer (or to be full).
	 * @param error the failure
	 * @param full whether the database answered that it has no connection slot left
	 */
	public void recordFailure(ConnectionError error, boolean full) {
		record(new Answer(full ? State.FULL : State.DOWN,
				full ? "answers, but refuses new connections: " + error.message() : "does not answer", error,
				this.product, null, Source.FAILED_BORROW, this.clock.getAsLong()));
	}

	/**
	 * The newest evidence still standing: the pool's traffic (only once the product is
	 * known, when {@code withProduct}, so that the {@code db} component can name it), else
	 * the latest answer within the interval.
	 */
	private @Nullable Answer known(long now, boolean withProduct) {
		Answer latest;
		synchronized (this) {
			latest = this.latest;
		}
		OptionalLong traffic = this.traffic.get();
		String product = this.product;
		if (traffic.isPresent() && (product != null || !withProduct) && now - traffic.getAsLong() <= this.intervalNanos
				&& (latest == null || traffic.getAsLong() - latest.atNanos() > 0)) {
			this.checks.get(Source.POOL_TRAFFIC).increment();
			Answer answer = new Answer(State.UP, "answers", null, product, this.validationResult, Source.POOL_TRAFFIC,
					traffic.getAsLong());
			if (latest != null && !latest.answers(true)) {
				record(answer);
			}
			return answer;
		}
		if (latest != null && now - latest.atNanos() <= this.intervalNanos) {
			return latest;
		}
		return null;
	}

	private Answer fresh(Duration wait, long now) {
		CompletableFuture<Answer> future;
		synchronized (this) {
			if (this.inFlight == null || this.inFlight.isDone()) {
				this.inFlight = CompletableFuture.supplyAsync(this::ask, executor);
			}
			future = this.inFlight;
		}
		long millis = Math.max(1, Math.min(wait.toMillis(), this.timeout.toMillis()));
		try {
			return future.get(millis, TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			return new Answer(State.DOWN, "no answer within " + millis + " ms", null, this.product, null,
					Source.NO_ANSWER_YET, now);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new Answer(State.UNKNOWN, "interrupted", null, this.product, null, Source.NO_ANSWER_YET, now);
		}
		catch (ExecutionException ex) {
			return new Answer(State.DOWN, String.valueOf(ex.getCause()), null, this.product, null,
					Source.NO_ANSWER_YET, now);
		}
	}

	private Answer ask() {
		Answer answer = askAnIdleConnection();
		if (answer == null) {
			answer = askOutsideThePool();
		}
		this.checks.get(answer.source()).increment();
		record(answer);
		return answer;
	}

	private synchronized void record(Answer answer) {
		if (this.latest != null && answer.atNanos() - this.latest.atNanos() < 0) {
			return;
		}
		this.latest = answer;
		Long awaySince = this.awaySince;
		if (answer.state() == State.DOWN && awaySince == null) {
			this.awaySince = answer.atNanos();
			Long lastTold = this.lastToldNanos;
			this.awayTold = lastTold == null || answer.atNanos() - lastTold > OUTAGE_LINES_APART_NANOS;
			if (this.awayTold) {
				this.lastToldNanos = answer.atNanos();
				logger.warn(describePool() + " does not answer" + describeError(answer.error())
						+ ": new connections fail, and callers fail once they have waited spring.datasource.hikari."
						+ "connection-timeout (" + this.pool.getConnectionTimeout() + " ms). PoolWarden logs one "
						+ "line when it answers again.");
			}
		}
		else if (answer.state() != State.DOWN && answer.state() != State.UNKNOWN && awaySince != null) {
			this.awaySince = null;
			if (this.awayTold) {
				logger.info(describePool() + " answers again, after "
						+ describeDuration(Duration.ofNanos(Math.max(0, answer.atNanos() - awaySince))) + " away");
			}
		}
	}

	private String describePool() {
		String name = this.pool.getPoolName();
		String url = this.pool.getJdbcUrl();
		return ((name != null) ? name : "HikariPool") + " - the database"
				+ ((url != null) ? " at " + JdbcTarget.parse(url).describe() : "");
	}

	private static String describeError(@Nullable ConnectionError error) {
		if (error == null) {
			return "";
		}
		return " (" + ((error.sqlState() != null) ? "SQLState " + error.sqlState() + ": " : "") + error.message()
				+ ")";
	}

	private static String describeDuration(Duration duration) {
		long millis = duration.toMillis();
		return (millis < 1000) ? millis + " ms" : (millis < 600_000) ? duration.toSeconds() + " s"
				: duration.toMinutes() + " min";
	}

	/**
	 * While the database is known not to answer, look for evidence that it answers
	 * again (the pool's traffic, or a check at most once per probe interval), so that its
	 * return is told without waiting for a health request. Does nothing otherwise.
	 */
	public void recheckWhileAway() {
		if (isAway()) {
			long now = this.clock.getAsLong();
			if (known(now, false) == null) {
				fresh(this.timeout, now);
			}
		}
	}

	/**
	 * Return whether the database is known not to answer: the latest evidence said so.
	 * @return whether an outage is in progress
	 */
	public synchronized boolean isAway() {
		return this.awaySince != null;
	}

	/**
	 * An idle connection of the pool, validated: no new session. Only when the pool had
	 * one idle when asked, so a busy pool is never waited on nor made to grow.
	 */
	private @Nullable Answer askAnIdleConnection() {
		TimedConnectionSource pooled = this.pooled;
		if (pooled == null || !pooled.isStarted() || this.counts.snapshot().idle() <= 0) {
			return null;
		}
		try (Connection connection = pooled.getConnection(IDLE_WAIT_MILLIS)) {
			Answer answer = validate(connection, Source.IDLE_CONNECTION);
			return (answer.state() == State.UP) ? answer : null;
		}
		catch (SQLException | RuntimeException ex) {
			// taken meanwhile, or broken: a connection outside the pool says which
			return null;
		}
	}

	private Answer askOutsideThePool() {
		DirectConnector connector = this.connector;
		if (connector == null) {
			return new Answer(State.UNKNOWN, "the pool's configuration cannot be reproduced outside it", null,
					this.product, null, Source.NO_ANSWER_YET, this.clock.getAsLong());
		}
		try (Connection connection = connector.connect()) {
			return validate(connection, Source.NEW_CONNECTION);
		}
		catch (SQLException | RuntimeException ex) {
			ConnectionError error = ConnectionError.of(ex, this.pool.getPassword());
			this.errors.accept(error);
			long now = this.clock.getAsLong();
			if (ConnectionFailure.of(ex).kind() == ConnectionFailure.Kind.FULL) {
				return new Answer(State.FULL, "answers, but refuses new connections: " + error.message(), error,
						this.product, null, Source.NEW_CONNECTION, now);
			}
			return new Answer(State.DOWN, "does not answer", error, this.product, null, Source.NEW_CONNECTION, now);
		}
	}

	private Answer validate(Connection connection, Source source) throws SQLException {
		int seconds = (int) Math.max(1, (this.timeout.toMillis() + 999) / 1000);
		String product = connection.getMetaData().getDatabaseProductName();
		this.product = product;
		String query = this.pool.getConnectionTestQuery();
		if (StringUtils.hasText(query)) {
			try (Statement statement = connection.createStatement()) {
				statement.setQueryTimeout(seconds);
				try (ResultSet result = statement.executeQuery(query)) {
					Object value = result.next() ? result.getObject(1) : null;
					this.validationResult = value;
					return new Answer(State.UP, "answers", null, product, value, source, this.clock.getAsLong());
				}
			}
		}
		if (connection.isValid(seconds)) {
			return new Answer(State.UP, "answers", null, product, null, source, this.clock.getAsLong());
		}
		return new Answer(State.DOWN, "a connection failed validation", null, product, null, source,
				this.clock.getAsLong());
	}

	/**
	 * What the database said.
	 */
	public enum State {

		/**
		 * The database answers.
		 */
		UP,

		/**
		 * The database answered that it has no connection slot left for this role,
		 * database or server (or a proxy in front of it is full).
		 */
		FULL,

		/**
		 * No valid connection could be made in time.
		 */
		DOWN,

		/**
		 * The database could not be asked.
		 */
		UNKNOWN

	}

	/**
	 * Where an answer comes from, and what it cost the database.
	 */
	public enum Source {

		/**
		 * A connection the pool lent was returned in working order: nothing was asked.
		 */
		POOL_TRAFFIC("pool-traffic"),

		/**
		 * An idle connection of the pool was validated: one query, no new session.
		 */
		IDLE_CONNECTION("idle-connection"),

		/**
		 * A connection was opened outside the pool: one new session.
		 */
		NEW_CONNECTION("new-connection"),

		/**
		 * A caller failed to get a connection: nothing was asked.
		 */
		FAILED_BORROW("failed-borrow"),

		/**
		 * The check did not end within the time it was given, or could not be made.
		 */
		NO_ANSWER_YET("no-answer-yet");

		private final String tagValue;

		Source(String tagValue) {
			this.tagValue = tagValue;
		}

		/**
		 * Return the source as a metric tag and in health details.
		 * @return the tag value
		 */
		public String tagValue() {
			return this.tagValue;
		}

	}

	/**
	 * The answer of one check.
	 *
	 * @param state what the database said
	 * @param description a short description
	 * @param error the failure, if any
	 * @param product the database product name, when the database ever answered
	 * @param validationResult the result of the pool's {@code connectionTestQuery}, when it
	 * has one and it ran
	 * @param source where the answer comes from
	 * @param atNanos when it was true, as {@link System#nanoTime()} gives it
	 */
	public record Answer(State state, String description, @Nullable ConnectionError error, @Nullable String product,
			@Nullable Object validationResult, Source source, long atNanos) {

		/**
		 * Whether the database answers: up, or refusing new sessions only.
		 * @param poolHoldsConnections whether the pool holds connections (a full
		 * server still serves them)
		 * @return whether the database answers
		 */
		public boolean answers(boolean poolHoldsConnections) {
			return switch (this.state) {
				case UP, UNKNOWN -> true;
				case FULL -> poolHoldsConnections;
				case DOWN -> false;
			};
		}

	}

}
