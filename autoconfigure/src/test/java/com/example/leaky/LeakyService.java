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

package com.example.leaky;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

/**
 * Application code with incident 002's bug: its error path forgets to close the
 * connection. It lives outside PoolWarden's packages, as a user's code would.
 */
public class LeakyService {

	private final DataSource dataSource;

	public LeakyService(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	/**
	 * Classify one document; a bad document fails after the connection was taken, and
	 * the connection is never returned.
	 */
	public void classify(boolean badDocument) throws SQLException {
		Connection connection = this.dataSource.getConnection();
		Statement statement = connection.createStatement();
		statement.execute("SELECT 1");
		if (badDocument) {
			throw new IllegalArgumentException("unreadable document");
		}
		statement.close();
		connection.close();
	}

	/**
	 * A report job that holds one connection for the given time.
	 */
	public void exportReport(long holdMillis) throws SQLException {
		try (Connection connection = this.dataSource.getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("SELECT pg_sleep(" + (holdMillis / 1000.0) + ")");
		}
	}

}
