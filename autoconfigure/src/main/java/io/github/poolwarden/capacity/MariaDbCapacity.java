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
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@link ServerCapacity} from MariaDB or MySQL: {@code max_connections},
 * {@code Threads_connected}, and the account's limit, the smaller of the account's own
 * {@code MAX_USER_CONNECTIONS} (from {@code SHOW GRANTS}, which every account may run
 * for itself) and the global {@code max_user_connections}. The account's connections are
 * counted in {@code information_schema.PROCESSLIST}, where an account without the
 * {@code PROCESS} privilege sees its own threads only, which is exactly what is counted.
 * Nothing read here is ever logged but the numbers: {@code SHOW GRANTS} also shows the
 * account's password hash.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class MariaDbCapacity {

	private static final String QUERY = """
			SELECT @@max_connections, @@max_user_connections, CURRENT_USER(), DATABASE(),
			       (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
			         WHERE VARIABLE_NAME = 'THREADS_CONNECTED'),
			       (SELECT COUNT(*) FROM information_schema.PROCESSLIST
			         WHERE USER = SUBSTRING_INDEX(CURRENT_USER(), '@', 1))""";

	private static final Pattern ACCOUNT_LIMIT = Pattern.compile("MAX_USER_CONNECTIONS\\s+(-?\\d+)");

	private MariaDbCapacity() {
	}

	/**
	 * Whether a connection is to MariaDB or MySQL.
	 * @param connection the connection
	 * @return whether its database is MariaDB or MySQL
	 * @throws SQLException if the metadata cannot be read
	 */
	public static boolean isMariaDb(Connection connection) throws SQLException {
		String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
		return product.contains("mariadb") || product.contains("mysql");
	}

	/**
	 * Read what the server can give the connection's account.
	 * @param connection a connection to MariaDB or MySQL
	 * @return the capacity
	 * @throws SQLException if a query fails
	 */
	public static ServerCapacity read(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			int accountLimit = -1;
			try (ResultSet grants = statement.executeQuery("SHOW GRANTS FOR CURRENT_USER()")) {
				while (grants.next()) {
					Matcher matcher = ACCOUNT_LIMIT.matcher(grants.getString(1));
					if (matcher.find()) {
						accountLimit = Integer.parseInt(matcher.group(1));
					}
				}
			}
			try (ResultSet row = statement.executeQuery(QUERY)) {
				if (!row.next()) {
					throw new SQLException("No capacity row for the current account");
				}
				int maxConnections = row.getInt(1);
				int globalAccountLimit = row.getInt(2);
				return new ServerCapacity(ServerCapacity.Source.MARIADB, maxConnections, 0, row.getInt(5),
						account(row.getString(3)), effectiveAccountLimit(accountLimit, globalAccountLimit),
						row.getInt(6), (row.getString(4) != null) ? row.getString(4) : "", -1, 0);
			}
		}
	}

	/**
	 * The account's limit in effect: its own {@code MAX_USER_CONNECTIONS} when set (not
	 * zero), else the global {@code max_user_connections} when set, else none.
	 * @param account the account's own limit, 0 or -1 when none was found
	 * @param global the global {@code max_user_connections}, 0 for none
	 * @return the limit, or -1 for none
	 */
	static int effectiveAccountLimit(int account, int global) {
		if (account > 0) {
			return account;
		}
		return (global > 0) ? global : -1;
	}

	/**
	 * Quote an account as MariaDB names it in messages: {@code 'app'@'%'}.
	 */
	static String account(String currentUser) {
		int at = currentUser.lastIndexOf('@');
		if (at < 0) {
			return "'" + currentUser + "'";
		}
		return "'" + currentUser.substring(0, at) + "'@'" + currentUser.substring(at + 1) + "'";
	}

}
