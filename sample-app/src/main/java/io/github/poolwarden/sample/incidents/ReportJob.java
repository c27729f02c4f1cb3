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

package io.github.poolwarden.sample.incidents;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

/**
 * Application code with incident 002's bugs: an error path that forgets to close its
 * connection, and a report job that holds one for a long time.
 *
 * @author PoolWarden authors
 */
public class ReportJob {

	/**
	 * Classify one document; a bad one fails after the connection was taken and never
	 * returns it. The connection is handed to {@code leaked} so the replay can clean up
	 * what the application lost.
	 */
	public void classify(DataSource dataSource, boolean bad, java.util.List<Connection> leaked) throws SQLException {
		Connection connection = dataSource.getConnection();
		leaked.add(connection);
		try (Statement statement = connection.createStatement()) {
			statement.execute("SELECT 1");
		}
		if (bad) {
			throw new IllegalArgumentException("unreadable document");
		}
		leaked.remove(connection);
		connection.close();
	}

	/**
	 * Export a report, holding one connection for the given time.
	 */
	public void export(DataSource dataSource, long holdMillis) throws SQLException {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("SELECT pg_sleep(" + (holdMillis / 1000.0) + ")");
		}
	}

}
