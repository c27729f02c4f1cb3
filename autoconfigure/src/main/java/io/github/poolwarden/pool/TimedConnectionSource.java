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
import java.sql.SQLException;

/**
 * Borrows a connection from a pool, waiting at most a given time in the pool's queue.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
@FunctionalInterface
public interface TimedConnectionSource {

	/**
	 * Borrow a connection, waiting in the pool's queue at most {@code timeoutMillis}.
	 * @param timeoutMillis how long to wait
	 * @return the connection
	 * @throws SQLException as the pool throws it, a
	 * {@link java.sql.SQLTransientConnectionException} when the wait ran out
	 */
	Connection getConnection(long timeoutMillis) throws SQLException;

	/**
	 * Whether the pool has started, so that {@link #getConnection(long)} waits only in
	 * the pool's queue; a pool that has not started may first have to open its
	 * connections.
	 * @return whether the pool has started
	 */
	default boolean isStarted() {
		return true;
	}

}
