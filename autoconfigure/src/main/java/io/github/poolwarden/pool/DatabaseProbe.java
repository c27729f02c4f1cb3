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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.support.ConnectionFailure;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Asks the database whether it answers, without going through the pool: opens one
 * connection with the pool's settings, validates it (with the pool's
 * {@code connectionTestQuery} when it has one, else {@code isValid}) and closes it,
 * within a time bound. A saturated pool therefore never delays the answer, and the pool
 * is never touched.
 * <p>
 * One probe serves every question about a pool's database (Boot's {@code db} health,
 * the {@code poolwarden} health, the retry's "is it the pool or the database?"): at most
 * one check is in flight, and a caller that finds one running waits for it (within its
 * own bound) rather than starting another, so a database that hangs costs one thread,
 * not one per request. A check that has ended is never given again: every answer is
 * fresh.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class DatabaseProbe {

	private static final ExecutorService executor = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "poolwarden-database-probe");
		thread.setDaemon(true);
		return thread;
	});

	private final HikariDataSource pool;

	private final Duration timeout;

	private final Consumer<ConnectionError> errors;

	private final @Nullable DirectConnector connector;

	private @Nullable CompletableFuture<Answer> inFlight;

	/**
	 * Create a probe.
	 * @param pool the pool whose database to ask
	 * @param timeout how long one check may take at most
	 * @param errors told about every failure to connect
	 */
	public DatabaseProbe(HikariDataSource pool, Duration timeout, Consumer<ConnectionError> errors) {
		Assert.notNull(pool, "'pool' must not be null");
		Assert.isTrue(timeout != null && timeout.toMillis() > 0, "'timeout' must be at least 1 ms");
		Assert.notNull(errors, "'errors' must not be null");
		this.pool = pool;
		this.timeout = timeout;
		this.errors = errors;
		this.connector = DirectConnector.of(pool, timeout);
	}

	/**
	 * Return whether the database can be asked at all: a pool configured with a
	 * {@code dataSourceClassName} or a credentials provider cannot be reproduced outside
	 * HikariCP.
	 * @return whether {@link #check()} can ask the database
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
	 * Ask the database, waiting at most the probe's timeout.
	 * @return the answer
	 */
	public Answer check() {
		return check(this.timeout);
	}

	/**
	 * Ask the database, waiting at most the given time (and never longer than the
	 * probe's timeout).
	 * @param wait how long to wait for the answer
	 * @return the answer
	 */
	public Answer check(Duration wait) {
		if (this.connector == null) {
			return new Answer(State.UNKNOWN, "the pool's configuration cannot be reproduced outside it", null, null,
					null);
		}
		CompletableFuture<Answer> future;
		synchronized (this) {
			if (this.inFlight == null || this.inFlight.isDone()) {
				this.inFlight = CompletableFuture.supplyAsync(this::connect, executor);
			}
			future = this.inFlight;
		}
		long millis = Math.max(1, Math.min(wait.toMillis(), this.timeout.toMillis()));
		try {
			return future.get(millis, TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			return new Answer(State.DOWN, "no answer within " + millis + " ms", null, null, null);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new Answer(State.UNKNOWN, "interrupted", null, null, null);
		}
		catch (ExecutionException ex) {
			return new Answer(State.DOWN, String.valueOf(ex.getCause()), null, null, null);
		}
	}

	private Answer connect() {
		int seconds = (int) Math.max(1, (this.timeout.toMillis() + 999) / 1000);
		try (Connection connection = this.connector.connect()) {
			String product = connection.getMetaData().getDatabaseProductName();
			String query = this.pool.getConnectionTestQuery();
			if (StringUtils.hasText(query)) {
				try (Statement statement = connection.createStatement()) {
					statement.setQueryTimeout(seconds);
					try (ResultSet result = statement.executeQuery(query)) {
						Object value = result.next() ? result.getObject(1) : null;
						return new Answer(State.UP, "answers", null, product, value);
					}
				}
			}
			if (connection.isValid(seconds)) {
				return new Answer(State.UP, "answers", null, product, null);
			}
			return new Answer(State.DOWN, "a new connection failed validation", null, product, null);
		}
		catch (SQLException | RuntimeException ex) {
			ConnectionError error = ConnectionError.of(ex, this.pool.getPassword());
			this.errors.accept(error);
			if (ConnectionFailure.of(ex).kind() == ConnectionFailure.Kind.FULL) {
				return new Answer(State.FULL, "answers, but refuses new connections: " + error.message(), error, null,
						null);
			}
			return new Answer(State.DOWN, "does not answer", error, null, null);
		}
	}

	/**
	 * What the database said.
	 */
	public enum State {

		/**
		 * A new connection was opened and validated.
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
	 * The answer of one check.
	 *
	 * @param state what the database said
	 * @param description a short description
	 * @param error the failure, if any
	 * @param product the database product name, when a connection was opened
	 * @param validationResult the result of the pool's {@code connectionTestQuery}, when it
	 * has one and it ran
	 */
	public record Answer(State state, String description, @Nullable ConnectionError error, @Nullable String product,
			@Nullable Object validationResult) {
	}

}
