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

package io.github.poolwarden.advice;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import io.github.poolwarden.pool.DirectConnector;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Reads from {@code pg_stat_activity} how many of the pool's sessions wait on a lock.
 * The pool's sessions are those of its role, on its database, with its
 * {@code application_name} (pgjdbc's default unless the pool sets one): every
 * connection opened as the pool opens them, so the other instances of the same
 * application count too. While the pool is saturated it has no idle connection to ask
 * with, so one session is opened outside the pool when the first sample is due and
 * kept until the pool is no longer saturated.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class PostgresLockWaits implements LockWaits {

	private static final Log logger = LogFactory.getLog(PostgresLockWaits.class);

	static final String QUERY = "SELECT count(*), count(*) FILTER (WHERE wait_event_type = 'Lock') "
			+ "FROM pg_stat_activity WHERE datname = current_database() AND usename = current_user "
			+ "AND application_name = current_setting('application_name') AND pid <> pg_backend_pid() "
			+ "AND backend_type = 'client backend' AND state IS DISTINCT FROM 'idle'";

	private final DirectConnector connector;

	private final int timeoutSeconds;

	private @Nullable Connection connection;

	private long sessionsOpened;

	/**
	 * Create a sampler.
	 * @param connector opens the session outside the pool
	 * @param timeoutSeconds how long the query may take
	 */
	public PostgresLockWaits(DirectConnector connector, int timeoutSeconds) {
		this.connector = connector;
		this.timeoutSeconds = Math.max(1, timeoutSeconds);
	}

	@Override
	public synchronized @Nullable Sessions sample() {
		try {
			Connection connection = this.connection;
			if (connection == null) {
				connection = this.connector.connect();
				this.connection = connection;
				this.sessionsOpened++;
			}
			try (Statement statement = connection.createStatement()) {
				statement.setQueryTimeout(this.timeoutSeconds);
				try (ResultSet result = statement.executeQuery(QUERY)) {
					result.next();
					return new Sessions(result.getInt(1), result.getInt(2));
				}
			}
		}
		catch (SQLException ex) {
			logger.debug("Could not read the pool's sessions from pg_stat_activity", ex);
			close();
			return null;
		}
	}

	/**
	 * Return how many sessions the sampling opened.
	 * @return the count
	 */
	public synchronized long sessionsOpened() {
		return this.sessionsOpened;
	}

	@Override
	public synchronized void close() {
		Connection connection = this.connection;
		this.connection = null;
		if (connection != null) {
			try {
				connection.close();
			}
			catch (SQLException ex) {
				logger.debug("Could not close the session that read pg_stat_activity", ex);
			}
		}
	}

}
