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
			client connections exceeded (max_user_client_connections)      | FULL
			client connections exceeded (max_db_client_connections)        | FULL
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

	/**
	 * Wrap {@code deepest} in {@code wrappers} plain exceptions: it ends up at that depth.
	 */
	private static Throwable atDepth(int wrappers, Throwable deepest) {
		Throwable chain = deepest;
		for (int i = 0; i < wrappers; i++) {
			chain = new RuntimeException("wrapper " + i, chain);
		}
		return chain;
	}

	@Test
	void aCauseIsLookedForSixteenDeepAndNoDeeper() {
		assertThat(ConnectionFailure.of(atDepth(15, new ConnectException("refused"))).kind()).isEqualTo(Kind.NOT_READY);
		assertThat(ConnectionFailure.of(atDepth(16, new ConnectException("refused"))).kind()).isEqualTo(Kind.OTHER);
	}

	@Test
	void aVendorCodeIsLookedForSixteenDeepAndNoDeeper() {
		Throwable shallow = atDepth(15, new SQLException("too many", null, 1040));
		Throwable deep = atDepth(16, new SQLException("too many", null, 1040));
		fromMariaDb(shallow);
		fromMariaDb(deep);
		assertThat(ConnectionFailure.of(shallow).kind()).isEqualTo(Kind.FULL);
		assertThat(ConnectionFailure.of(deep).kind()).isEqualTo(Kind.OTHER);
	}

	@Test
	void theDriverIsRecognizedSixteenDeepAndNoDeeper() {
		SQLException shallowMarker = new SQLException("inner");
		SQLException deepMarker = new SQLException("inner");
		fromMariaDb(shallowMarker);
		fromMariaDb(deepMarker);
		SQLException shallow = new SQLException("too many", null, 1040, atDepth(14, shallowMarker));
		SQLException deep = new SQLException("too many", null, 1040, atDepth(15, deepMarker));
		assertThat(ConnectionFailure.of(shallow).kind()).isEqualTo(Kind.FULL);
		// not recognized: a vendor code of another driver, and no SQLState: no answer in time
		assertThat(ConnectionFailure.of(deep).meaning()).isEqualTo("no answer in time");
	}

	@Test
	void anExceptionWithoutAStackIsNoDriversAndFailsNothing() {
		SQLException bare = new SQLException("too many", null, 1040);
		bare.setStackTrace(new StackTraceElement[0]);
		assertThat(ConnectionFailure.of(bare).meaning()).isEqualTo("no answer in time");
	}

	@Test
	void aMariaDbDriverClassIsRecognizedByItsName() {
		Throwable driverException = new org.mariadb.jdbc.export.MaxAllowedPacketException("too large", false);
		driverException.setStackTrace(new StackTraceElement[0]);
		assertThat(ConnectionFailure.isMySqlFamily(driverException)).isTrue();
		assertThat(ConnectionFailure.isMySqlFamily(new SQLException("plain"))).isFalse();
	}

	@Test
	void aMessageIsReadSixteenDeepAndNoDeeper() {
		assertThat(ConnectionFailure.of(new SQLException("setup", "08004", atDepth(14, new SQLException("no password"))))
			.meaning()).isEqualTo("no password was provided, and the server requires one");
		assertThat(ConnectionFailure.of(new SQLException("setup", "08004", atDepth(15, new SQLException("no password"))))
			.meaning()).isEqualTo("the server rejected the connection setup (authentication or TLS settings)");
	}

	@Test
	void anEmptyPasswordIsNamedAsNoPassword() {
		assertThat(ConnectionFailure.of(new SQLException("The server requested password-based authentication, but "
				+ "the password is an empty string", "08004")).meaning())
			.isEqualTo("no password was provided, and the server requires one");
	}

	@Test
	void aTlsFailureBehindAChainedExceptionIsFound() {
		SQLException failure = new SQLException("could not connect", "08001");
		failure.setNextException(new SQLException("handshake", null, new SSLHandshakeException("no cipher")));
		assertThat(ConnectionFailure.of(failure).meaning()).isEqualTo("TLS could not be set up");
		assertThat(ConnectionFailure.of(failure).kind()).isEqualTo(Kind.CONFIGURATION);
	}

	@Test
	void aSqlStateIsFoundSixteenDeepAndNoDeeperAndInAChainedException() {
		assertThat(SqlStates.find(atDepth(15, new SQLException("refused", "08001")))).isEqualTo("08001");
		assertThat(SqlStates.find(atDepth(16, new SQLException("refused", "08001")))).isNull();
		SQLException batch = new SQLException("batch failed");
		batch.setNextException(new SQLException("duplicate key", "23505"));
		assertThat(SqlStates.find(batch)).isEqualTo("23505");
		SQLException stateless = new SQLException("batch failed");
		stateless.setNextException(new SQLException("no state either"));
		assertThat(SqlStates.find(stateless)).isNull();
	}

	/**
	 * Make {@code throwable} look thrown by MariaDB's driver (its top frame).
	 */
	private static void fromMariaDb(Throwable throwable) {
		throwable.setStackTrace(new StackTraceElement[] {
				new StackTraceElement("org.mariadb.jdbc.client.impl.StandardClient", "readPacket", "StandardClient.java", 1) });
	}

}
