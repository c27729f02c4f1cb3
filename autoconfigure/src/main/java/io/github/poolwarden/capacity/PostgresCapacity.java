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

package io.github.poolwarden.capacity;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Reads {@link ServerCapacity} from PostgreSQL with one query over {@code pg_settings},
 * {@code pg_roles}, {@code pg_database} and {@code pg_stat_activity}.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class PostgresCapacity {

	private static final String QUERY = """
			SELECT current_setting('max_connections')::int,
			       CASE WHEN r.rolsuper THEN 0 ELSE current_setting('superuser_reserved_connections')::int
			            + coalesce(current_setting('reserved_connections', true), '0')::int END,
			       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int,
			       current_user, r.rolconnlimit,
			       (SELECT count(*) FROM pg_stat_activity
			         WHERE backend_type = 'client backend' AND usename = current_user)::int,
			       current_database(), d.datconnlimit,
			       (SELECT count(*) FROM pg_stat_activity
			         WHERE backend_type = 'client backend' AND datname = current_database())::int
			  FROM pg_roles r, pg_database d
			 WHERE r.rolname = current_user AND d.datname = current_database()""";

	private PostgresCapacity() {
	}

	/**
	 * Whether a connection is to PostgreSQL.
	 * @param connection the connection
	 * @return whether its database is PostgreSQL
	 * @throws SQLException if the metadata cannot be read
	 */
	public static boolean isPostgres(Connection connection) throws SQLException {
		return "PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName());
	}

	/**
	 * Read what the server can give the connection's role in its database.
	 * @param connection a connection to PostgreSQL
	 * @return the capacity
	 * @throws SQLException if the query fails
	 */
	public static ServerCapacity read(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(QUERY)) {
			if (!row.next()) {
				throw new SQLException("No capacity row for the current role and database");
			}
			return new ServerCapacity(ServerCapacity.Source.POSTGRESQL, row.getInt(1), row.getInt(2), row.getInt(3), row.getString(4), row.getInt(5),
					row.getInt(6), row.getString(7), row.getInt(8), row.getInt(9));
		}
	}

}
