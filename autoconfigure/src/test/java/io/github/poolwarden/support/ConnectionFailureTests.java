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
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientConnectionException;

import javax.net.ssl.SSLHandshakeException;

import io.github.poolwarden.support.ConnectionFailure.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ConnectionFailure}: classification on the real cause, whatever
 * SQLState class the driver chose.
 */
class ConnectionFailureTests {

	@ParameterizedTest(name = "{0} {1}")
	@CsvSource(delimiter = '|', textBlock = """
			28P01 | password authentication failed for user "app" | CONFIGURATION
			28000 | role "app" is not permitted to log in          | CONFIGURATION
			3D000 | database "orders" does not exist              | CONFIGURATION
			22023 | invalid value for parameter                    | CONFIGURATION
			42501 | permission denied for database orders          | CONFIGURATION
			53300 | sorry, too many clients already                | FULL
			57P03 | the database system is starting up             | NOT_READY
			57P01 | terminating connection due to administrator command | NOT_READY
			08001 | Connection to 127.0.0.1:5432 refused            | NOT_READY
			08006 | An I/O error occurred while sending to the backend | NOT_READY
			53200 | out of memory                                  | NOT_READY
			42P01 | relation "x" does not exist                   | OTHER
			""")
	void classifiesPostgresFailuresBySqlState(String sqlState, String message, Kind kind) {
		assertThat(ConnectionFailure.of(new SQLException(message, sqlState)).kind()).isEqualTo(kind);
	}

	@Test
	void aMissingPasswordIsConfigurationThoughItsSqlStateIsClass08() {
		PSQLException noPassword = new PSQLException(
				"The server requested SCRAM-based authentication, but no password was provided.",
				PSQLState.CONNECTION_REJECTED);

		ConnectionFailure failure = ConnectionFailure.of(noPassword);

		assertThat(failure.sqlState()).isEqualTo("08004");
		assertThat(failure.kind()).isEqualTo(Kind.CONFIGURATION);
		assertThat(failure.isWorthWaitingFor()).isFalse();
		assertThat(failure.meaning()).isEqualTo("no password was provided, and the server requires one");
	}

	@Test
	void tlsThatCannotBeSetUpIsConfiguration() {
		PSQLException ssl = new PSQLException("SSL error: PKIX path building failed", PSQLState.CONNECTION_FAILURE,
				new SSLHandshakeException("PKIX path building failed"));

		assertThat(ConnectionFailure.of(ssl).kind()).isEqualTo(Kind.CONFIGURATION);
		assertThat(ConnectionFailure.of(new PSQLException("The server does not support SSL.",
				PSQLState.CONNECTION_REJECTED)).kind()).isEqualTo(Kind.CONFIGURATION);
	}

	@Test
	void hikarisTimeoutIsClassifiedOnTheFailureItCarries() {
		SQLException refused = new PSQLException("Connection to 127.0.0.1:1 refused", PSQLState.CONNECTION_UNABLE_TO_CONNECT,
				new ConnectException("Connection refused"));
		SQLTransientConnectionException timeout = new SQLTransientConnectionException(
				"pool - Connection is not available", "08001", refused);
		SQLTransientConnectionException noPassword = new SQLTransientConnectionException(
				"pool - Connection is not available", "08004",
				new PSQLException("The server requested SCRAM-based authentication, but no password was provided.",
						PSQLState.CONNECTION_REJECTED));

		assertThat(ConnectionFailure.of(timeout).kind()).isEqualTo(Kind.NOT_READY);
		assertThat(ConnectionFailure.of(noPassword).kind()).isEqualTo(Kind.CONFIGURATION);
		assertThat(ConnectionFailure.of(new SQLTransientConnectionException("timed out")).kind())
			.isEqualTo(Kind.NOT_READY);
	}

	@Test
	void causesWithoutASqlStateDecide() {
		assertThat(ConnectionFailure.of(new SQLException("failed", null, new UnknownHostException("db"))).kind())
			.isEqualTo(Kind.NOT_READY);
		assertThat(ConnectionFailure.of(new SQLException("failed", null, new SSLHandshakeException("x"))).kind())
			.isEqualTo(Kind.CONFIGURATION);
		assertThat(ConnectionFailure.of(new IllegalArgumentException("jdbcUrl is required")).kind())
			.isEqualTo(Kind.OTHER);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			1040 | 08004 | Too many connections                                     | FULL
			1203 | 42000 | User app already has more than 'max_user_connections' active connections | FULL
			1045 | 28000 | Access denied for user 'app'@'localhost' (using password: YES) | CONFIGURATION
			1049 | 42000 | Unknown database 'orders'                                | CONFIGURATION
			""")
	void classifiesMariaDbFailuresByVendorCode(int code, String sqlState, String message, Kind kind) {
		SQLException failure = (sqlState.startsWith("42")) ? new SQLSyntaxErrorException(message, sqlState, code)
				: new SQLNonTransientConnectionException(message, sqlState, code);
		failure.setStackTrace(new StackTraceElement[] {
				new StackTraceElement("org.mariadb.jdbc.message.server.ErrorPacket", "<init>", "ErrorPacket.java", 1) });

		ConnectionFailure classified = ConnectionFailure.of(failure);

		assertThat(classified.kind()).isEqualTo(kind);
		assertThat(classified.vendorCode()).isEqualTo(code);
	}

	@Test
	void vendorCodesOfOtherDriversAreNotReadAsMariaDbs() {
		SQLException postgres = new SQLException("sorry", "08004", 1040);

		assertThat(ConnectionFailure.of(postgres).kind()).isEqualTo(Kind.CONFIGURATION);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			no more connections allowed (max_client_conn)                  | FULL
			query_wait_timeout                                             | FULL
			server login has been failing, try again later (server_login_retry) | NOT_READY
			no such database: orders                                       | CONFIGURATION
			unexpected message                                             | OTHER
			""")
	void classifiesPgBouncersOwnRefusals(String message, Kind kind) {
		PSQLException failure = new PSQLException("FATAL: " + message, PSQLState.PROTOCOL_VIOLATION);

		assertThat(failure.getSQLState()).isEqualTo("08P01");
		assertThat(ConnectionFailure.of(failure).kind()).isEqualTo(kind);
	}

}
