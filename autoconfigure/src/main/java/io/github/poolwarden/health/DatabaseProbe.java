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

package io.github.poolwarden.health;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.poolwarden.ConnectionError;
import io.github.poolwarden.DirectConnector;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.support.SqlStates;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Asks the database whether it answers, without going through the pool: opens one
 * connection with the pool's settings, validates it and closes it, within a time bound.
 * A saturated pool therefore never delays the answer, and the pool is never touched.
 * <p>
 * At most one check per pool is in flight: a caller that finds one running waits for it
 * (within its own bound) rather than starting another, so a database that hangs costs
 * one thread, not one per health request.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class DatabaseProbe {

	private static final ExecutorService executor = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "poolwarden-health");
		thread.setDaemon(true);
		return thread;
	});

	private final GuardedDataSource dataSource;

	private final Duration timeout;

	private final @Nullable DirectConnector connector;

	private @Nullable CompletableFuture<Answer> inFlight;

	/**
	 * Create a probe.
	 * @param dataSource the guarded pool whose database to ask
	 * @param timeout how long one check may take
	 */
	public DatabaseProbe(GuardedDataSource dataSource, Duration timeout) {
		Assert.notNull(dataSource, "'dataSource' must not be null");
		Assert.isTrue(timeout != null && timeout.toMillis() > 0, "'timeout' must be at least 1 ms");
		this.dataSource = dataSource;
		this.timeout = timeout;
		this.connector = DirectConnector.of(dataSource.getPool(), timeout);
	}

	/**
	 * Ask the database, waiting at most the timeout.
	 * @return the answer
	 */
	public Answer check() {
		if (this.connector == null) {
			return new Answer(State.UNKNOWN, "the pool's configuration cannot be reproduced outside it", null);
		}
		CompletableFuture<Answer> future;
		synchronized (this) {
			if (this.inFlight == null || this.inFlight.isDone()) {
				this.inFlight = CompletableFuture.supplyAsync(this::connect, executor);
			}
			future = this.inFlight;
		}
		try {
			return future.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			return new Answer(State.DOWN, "no answer within " + this.timeout.toMillis() + " ms", null);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new Answer(State.UNKNOWN, "interrupted", null);
		}
		catch (ExecutionException ex) {
			return new Answer(State.DOWN, String.valueOf(ex.getCause()), null);
		}
	}

	private Answer connect() {
		int seconds = (int) Math.max(1, (this.timeout.toMillis() + 999) / 1000);
		try (Connection connection = this.connector.connect()) {
			if (connection.isValid(seconds)) {
				return new Answer(State.UP, "answers", null);
			}
			return new Answer(State.DOWN, "a new connection failed validation", null);
		}
		catch (SQLException | RuntimeException ex) {
			ConnectionError error = ConnectionError.of(ex, this.dataSource.getPool().getPassword());
			this.dataSource.recordError(error);
			if (SqlStates.TOO_MANY_CONNECTIONS.equals(error.sqlState())) {
				return new Answer(State.FULL, "answers, but refuses new connections (53300)", error);
			}
			return new Answer(State.DOWN, "does not answer", error);
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
		 * database or server.
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
	 */
	public record Answer(State state, String description, @Nullable ConnectionError error) {
	}

}
