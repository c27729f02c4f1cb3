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

package io.github.poolwarden.support;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Locale;

import javax.net.ssl.SSLException;

import org.jspecify.annotations.Nullable;

/**
 * What a failure to get a connection means, decided on the real cause: the SQLState,
 * the vendor's error code (MySQL and MariaDB put their meaning there, and derive the
 * SQLState from it), the exceptions underneath, and for a few known messages the words
 * (PgBouncer reports all its own refusals as {@code 08P01}).
 * <ul>
 * <li>{@link Kind#NOT_READY}: the database cannot be reached yet, is starting or
 * recovering: waiting may help.</li>
 * <li>{@link Kind#FULL}: the server, the database, the role or a proxy has no connection
 * slot left: waiting may help, retrying as exhaustion of the pool never does.</li>
 * <li>{@link Kind#CONFIGURATION}: credentials, an unknown database, a bad driver
 * property, a missing password, TLS: waiting never helps.</li>
 * <li>{@link Kind#OTHER}: anything else.</li>
 * </ul>
 *
 * @param kind what kind of failure it is
 * @param sqlState the SQLState found, or {@code null}
 * @param vendorCode the vendor's error code found, or 0
 * @param meaning a few words saying what it means: "bad credentials", "the server is
 * full", "PgBouncer's max_client_conn is reached"
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record ConnectionFailure(Kind kind, @Nullable String sqlState, int vendorCode, String meaning) {

	private static final int MAX_DEPTH = 16;

	/**
	 * Classify a failure.
	 * @param failure the exception, with its causes and chained exceptions
	 * @return what it means
	 */
	public static ConnectionFailure of(Throwable failure) {
		String sqlState = SqlStates.find(failure);
		int vendorCode = vendorCode(failure);
		String message = sqlMessage(failure).toLowerCase(Locale.ROOT);
		ConnectionFailure byVendorCode = byVendorCode(failure, sqlState, vendorCode);
		if (byVendorCode != null) {
			return byVendorCode;
		}
		if ("08P01".equals(sqlState)) {
			return byProxyMessage(sqlState, vendorCode, message);
		}
		if (sqlState != null) {
			ConnectionFailure bySqlState = bySqlState(failure, sqlState, vendorCode, message);
			if (bySqlState != null) {
				return bySqlState;
			}
		}
		return byCause(failure, sqlState, vendorCode);
	}

	/**
	 * Whether waiting may make this failure go away.
	 * @return whether it is worth waiting for
	 */
	public boolean isWorthWaitingFor() {
		return this.kind == Kind.NOT_READY || this.kind == Kind.FULL;
	}

	private static @Nullable ConnectionFailure byVendorCode(Throwable failure, @Nullable String sqlState,
			int vendorCode) {
		if (vendorCode == 0 || !isMySqlFamily(failure)) {
			return null;
		}
		return switch (vendorCode) {
			case 1040 -> new ConnectionFailure(Kind.FULL, sqlState, vendorCode,
					"the server is full (max_connections, error 1040)");
			case 1203 -> new ConnectionFailure(Kind.FULL, sqlState, vendorCode,
					"the account is full (max_user_connections, error 1203)");
			case 1226 -> new ConnectionFailure(Kind.FULL, sqlState, vendorCode,
					"the account has reached a connection or resource limit of its own (MAX_USER_CONNECTIONS, "
							+ "error 1226)");
			case 1045 -> new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode,
					"bad credentials: access denied (error 1045)");
			case 1044 -> new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode,
					"the account may not use this database, or no database of that name exists: MariaDB and MySQL do "
							+ "not tell an account without rights on it which (error 1044)");
			case 1049 -> new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode,
					"unknown database (error 1049)");
			case 1130 -> new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode,
					"this host may not connect to the server (error 1130)");
			case 1251 -> new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode,
					"the driver does not support the server's authentication method (error 1251)");
			default -> null;
		};
	}

	private static ConnectionFailure byProxyMessage(String sqlState, int vendorCode, String message) {
		if (message.contains("no more connections allowed") || message.contains("max_client_conn")
				|| message.contains("client connections exceeded")) {
			return new ConnectionFailure(Kind.FULL, sqlState, vendorCode,
					"PgBouncer is full: max_client_conn or a client connection limit is reached");
		}
		if (message.contains("query_wait_timeout")) {
			return new ConnectionFailure(Kind.FULL, sqlState, vendorCode,
					"PgBouncer waited query_wait_timeout for a server connection: the server side of its pool is "
							+ "full or the server does not answer");
		}
		if (message.contains("server login has been failing") || message.contains("cannot connect to server")
				|| message.contains("server_login_retry")) {
			return new ConnectionFailure(Kind.NOT_READY, sqlState, vendorCode,
					"PgBouncer cannot log in to the server behind it");
		}
		if (message.contains("no such database") || message.contains("no such user")
				|| message.contains("ssl required") || message.contains("password authentication failed")) {
			return new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode,
					"PgBouncer refused the login: " + message);
		}
		return new ConnectionFailure(Kind.OTHER, sqlState, vendorCode, "a protocol violation (08P01)");
	}

	private static @Nullable ConnectionFailure bySqlState(Throwable failure, String sqlState, int vendorCode,
			String message) {
		if (sqlState.startsWith("28")) {
			return new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode,
					"bad credentials, an unknown role, or a role that may not log in");
		}
		switch (sqlState) {
			case "3D000":
				return new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode, "unknown database");
			case "22023":
				return new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode, "a bad driver property");
			case "42501":
				return new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode,
						"the role may not connect to this database");
			case SqlStates.TOO_MANY_CONNECTIONS:
				return new ConnectionFailure(Kind.FULL, sqlState, vendorCode,
						"the server, the database or the role is full");
			case SqlStates.CANNOT_CONNECT_NOW, "57P01", "57P02":
				return new ConnectionFailure(Kind.NOT_READY, sqlState, vendorCode,
						"the server is starting, recovering or shutting down");
			case "08004":
				// pgjdbc uses 08004 only for setups the server or the driver rejects: no
				// password for a password method, TLS or channel binding unsupported.
				return new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode,
						message.contains("no password") || message.contains("empty string")
								? "no password was provided, and the server requires one"
								: "the server rejected the connection setup (authentication or TLS settings)");
			default:
				break;
		}
		if (sqlState.startsWith("08")) {
			if (has(failure, SSLException.class)) {
				return new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode, "TLS could not be set up");
			}
			return new ConnectionFailure(Kind.NOT_READY, sqlState, vendorCode, "the database cannot be reached");
		}
		if (sqlState.startsWith("53")) {
			return new ConnectionFailure(Kind.NOT_READY, sqlState, vendorCode, "the server is short of resources");
		}
		return null;
	}

	private static ConnectionFailure byCause(Throwable failure, @Nullable String sqlState, int vendorCode) {
		if (has(failure, SSLException.class)) {
			return new ConnectionFailure(Kind.CONFIGURATION, sqlState, vendorCode, "TLS could not be set up");
		}
		if (has(failure, ConnectException.class) || has(failure, NoRouteToHostException.class)
				|| has(failure, UnknownHostException.class) || has(failure, SocketTimeoutException.class)) {
			return new ConnectionFailure(Kind.NOT_READY, sqlState, vendorCode, "the database cannot be reached");
		}
		if (sqlState == null && failure instanceof SQLException) {
			return new ConnectionFailure(Kind.NOT_READY, null, vendorCode, "no answer in time");
		}
		return new ConnectionFailure(Kind.OTHER, sqlState, vendorCode, "an error that waiting cannot fix");
	}

	/**
	 * Whether a failure comes from MariaDB's or MySQL's driver, whose vendor codes are
	 * the server's error numbers.
	 */
	static boolean isMySqlFamily(Throwable failure) {
		int depth = 0;
		for (Throwable each = failure; each != null && depth < MAX_DEPTH; each = each.getCause(), depth++) {
			String name = each.getClass().getName();
			if (name.startsWith("org.mariadb.") || name.startsWith("com.mysql.")) {
				return true;
			}
			StackTraceElement[] stack = each.getStackTrace();
			if (stack.length > 0 && (stack[0].getClassName().startsWith("org.mariadb.")
					|| stack[0].getClassName().startsWith("com.mysql."))) {
				return true;
			}
		}
		return false;
	}

	private static int vendorCode(Throwable failure) {
		int depth = 0;
		for (Throwable each = failure; each != null && depth < MAX_DEPTH; each = each.getCause(), depth++) {
			if (each instanceof SQLException sql && sql.getErrorCode() != 0) {
				return sql.getErrorCode();
			}
		}
		return 0;
	}

	private static String sqlMessage(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		int depth = 0;
		for (Throwable each = failure; each != null && depth < MAX_DEPTH; each = each.getCause(), depth++) {
			if (each.getMessage() != null) {
				messages.append(each.getMessage()).append('\n');
			}
		}
		return messages.toString();
	}

	private static boolean has(Throwable failure, Class<? extends Throwable> type) {
		int depth = 0;
		for (Throwable each = failure; each != null && depth < MAX_DEPTH; each = each.getCause(), depth++) {
			if (type.isInstance(each)) {
				return true;
			}
			if (each instanceof SQLException sql && sql.getNextException() != null
					&& sql.getNextException() != each && type.isInstance(sql.getNextException().getCause())) {
				return true;
			}
		}
		return false;
	}

	/**
	 * What kind of failure it is.
	 */
	public enum Kind {

		/**
		 * The database cannot be reached yet, or is starting, recovering or shutting
		 * down.
		 */
		NOT_READY,

		/**
		 * The server, the database, the role or a proxy has no connection slot left.
		 */
		FULL,

		/**
		 * A configuration error that waiting never fixes.
		 */
		CONFIGURATION,

		/**
		 * Anything else.
		 */
		OTHER

	}

}
