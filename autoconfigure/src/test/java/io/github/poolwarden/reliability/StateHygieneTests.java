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

package io.github.poolwarden.reliability;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.support.SqlStates;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Connection state across borrowers, on a pool of one so the next borrower gets the same
 * connection: aborted transactions, savepoints, read-only and isolation changes, session
 * state that only the opt-in reset clears, and a connection that turned read-only.
 */
class StateHygieneTests {

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("hygiene");
		database.execute("CREATE TABLE items (id int)");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@BeforeEach
	void empty() {
		database.execute("DELETE FROM items");
	}

	private static ApplicationContextRunner runner(String... properties) {
		return Faults.runner(database.jdbcUrl(), "spring.datasource.hikari.maximum-pool-size=1",
				"spring.datasource.hikari.minimum-idle=1")
			.withPropertyValues(properties);
	}

	private static String query(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
			row.next();
			return row.getString(1);
		}
	}

	/**
	 * HikariCP alone rolls back a connection returned in an aborted transaction; the
	 * control (PoolWarden off) shows it, and the run with PoolWarden that it stays so.
	 */
	@ParameterizedTest(name = "poolwarden.enabled={0}")
	@ValueSource(booleans = { true, false })
	void nextBorrowerGetsACleanConnectionAfterAnAbortedTransaction(boolean enabled) {
		runner("poolwarden.enabled=" + enabled).run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			try (Connection connection = dataSource.getConnection()) {
				connection.setAutoCommit(false);
				connection.createStatement().executeUpdate("INSERT INTO items VALUES (1)");
				assertThat(SqlStates.find(catchThrowable(() -> connection.createStatement().execute("SELECT 1/0"))))
					.isEqualTo("22012");
				assertThat(SqlStates.find(catchThrowable(() -> connection.createStatement().execute("SELECT 1"))))
					.isEqualTo("25P02");
			}
			try (Connection next = dataSource.getConnection()) {
				assertThat(next.getAutoCommit()).isTrue();
				assertThat(query(next, "SELECT 'clean'")).isEqualTo("clean");
			}
			assertThat(database.queryForLong("SELECT count(*) FROM items")).isZero();
			assertNothingLeakedWhenGuarded(context);
		});
	}

	/**
	 * Savepoints and the rollback of what was left uncommitted at close are the driver's
	 * and HikariCP's; the control shows HikariCP alone gives the same counts.
	 */
	@ParameterizedTest(name = "poolwarden.enabled={0}")
	@ValueSource(booleans = { true, false })
	void savepointRollbackKeepsOnlyWhatWasCommitted(boolean enabled) {
		runner("poolwarden.enabled=" + enabled).run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			try (Connection connection = dataSource.getConnection()) {
				connection.setAutoCommit(false);
				connection.createStatement().executeUpdate("INSERT INTO items VALUES (1)");
				Savepoint savepoint = connection.setSavepoint();
				connection.createStatement().executeUpdate("INSERT INTO items VALUES (2)");
				connection.rollback(savepoint);
				connection.commit();
				connection.createStatement().executeUpdate("INSERT INTO items VALUES (3)");
			}
			assertThat(database.queryForLong("SELECT count(*) FROM items")).isOne();
			assertThat(database.queryForLong("SELECT max(id) FROM items")).isOne();
			assertNothingLeakedWhenGuarded(context);
		});
	}

	private static void assertNothingLeakedWhenGuarded(org.springframework.context.ApplicationContext context) {
		if (context.getBean(DataSource.class) instanceof GuardedDataSource guarded) {
			Faults.assertNothingLeaked(guarded);
		}
	}

	@Test
	void readOnlyAndIsolationChangedMidTransactionAreResetForTheNextBorrower() {
		runner().run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			try (Connection connection = dataSource.getConnection()) {
				connection.setAutoCommit(false);
				connection.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
				connection.createStatement().executeUpdate("INSERT INTO items VALUES (1)");
				connection.commit();
				connection.setReadOnly(true);
			}
			try (Connection next = dataSource.getConnection()) {
				assertThat(next.isReadOnly()).isFalse();
				assertThat(next.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
				assertThat(query(next, "SHOW transaction_isolation")).isEqualTo("read committed");
				next.createStatement().executeUpdate("INSERT INTO items VALUES (2)");
			}
			assertThat(database.queryForLong("SELECT count(*) FROM items")).isEqualTo(2);
		});
	}

	@Test
	void sessionStateLeaksToTheNextBorrowerUnlessTheResetIsOn() {
		for (boolean reset : new boolean[] { false, true }) {
			runner("poolwarden.reset-session-on-return=" + reset).run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
					statement.execute("SET search_path TO pg_catalog");
					statement.execute("CREATE TEMP TABLE scratch (v int)");
					statement.execute("SELECT pg_advisory_lock(4242)");
				}
				try (Connection next = dataSource.getConnection()) {
					assertThat(query(next, "SHOW search_path").contains("public")).isEqualTo(reset);
					assertThat(query(next, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = "
							+ "pg_backend_pid()")).isEqualTo(reset ? "0" : "1");
					assertThat(query(next, "SELECT to_regclass('pg_temp.scratch') IS NULL")).isEqualTo(reset ? "t" : "f");
				}
			});
		}
	}

	@Test
	void connectionThatTurnedReadOnlyIsEvictedNotKeptForever() {
		for (boolean evict : new boolean[] { true, false }) {
			runner("poolwarden.evict-read-only-connections=" + evict).run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				String firstBackend;
				try (Connection connection = dataSource.getConnection();
						Statement statement = connection.createStatement()) {
					firstBackend = query(connection, "SELECT pg_backend_pid()");
					// What a connection to a former primary answers after a failover.
					statement.execute("SET SESSION default_transaction_read_only = on");
					assertThat(SqlStates.find(catchThrowable(() -> statement.executeUpdate("INSERT INTO items VALUES (1)"))))
						.isEqualTo("25006");
				}
				try (Connection next = dataSource.getConnection()) {
					String nextBackend = query(next, "SELECT pg_backend_pid()");
					if (evict) {
						assertThat(nextBackend).isNotEqualTo(firstBackend);
						next.createStatement().executeUpdate("INSERT INTO items VALUES (2)");
					}
					else {
						assertThat(nextBackend).as("HikariCP alone keeps it").isEqualTo(firstBackend);
					}
				}
				assertThat(context.getBean(GuardedDataSource.class).getTracker().holders()).isEmpty();
			});
		}
	}

}
