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
package io.github.poolwarden.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.testcontainers.mariadb.MariaDBContainer;

/**
 * The MariaDB (or MySQL) server the MariaDB tests run against, and the throwaway
 * databases and accounts each test class makes on it.
 * <p>
 * The server is named by the {@value #ENV} environment variable: a JDBC URL of an account
 * that may create databases and users, for example
 * {@code jdbc:mariadb://127.0.0.1:3306/?user=root}. Where it is unset and a Docker engine
 * answers, Testcontainers starts one. Where neither, every MariaDB test fails with a
 * message saying how to provide one: these tests are never skipped.
 */
public final class TestMariaDb {

	public static final String ENV = "POOLWARDEN_TEST_MARIADB_URL";

	private static volatile String adminUrl;

	private TestMariaDb() {
	}

	/**
	 * Return the JDBC URL of the administrative connection, starting a container first
	 * where needed.
	 */
	public static synchronized String adminUrl() {
		if (adminUrl == null) {
			adminUrl = resolveAdminUrl();
		}
		return adminUrl;
	}

	private static String resolveAdminUrl() {
		String url = System.getenv(ENV);
		if (url != null && !url.isBlank()) {
			return url;
		}
		if (TestPostgres.dockerAvailable()) {
			MariaDBContainer container = new MariaDBContainer("mariadb:10.11");
			container.start();
			return TestPostgres.withDatabase(container.getJdbcUrl(), "") + "?user=root&password="
					+ container.getPassword();
		}
		throw new IllegalStateException("PoolWarden's MariaDB tests need MariaDB or MySQL. Set " + ENV
				+ " to the JDBC URL of an account that may create databases and users, for example "
				+ "jdbc:mariadb://127.0.0.1:3306/?user=root, or make a Docker engine available so that "
				+ "Testcontainers can start one.");
	}

	/**
	 * Create a new database for one test class; close it to drop it, and every account
	 * made through it.
	 */
	public static Database createDatabase(String label) {
		String name = TestPostgres.uniqueName("pw_" + label);
		TestPostgres.execute(adminUrl(), "CREATE DATABASE " + name);
		return new Database(name);
	}

	/**
	 * A throwaway database on the MariaDB test server.
	 */
	public static final class Database implements AutoCloseable {

		private final String name;

		private final List<String> users = new ArrayList<>();

		private final Map<String, String> passwords = new ConcurrentHashMap<>();

		Database(String name) {
			this.name = name;
		}

		public String name() {
			return this.name;
		}

		/**
		 * The JDBC URL of this database, connecting as the administrative account.
		 */
		public String jdbcUrl() {
			return TestPostgres.withDatabase(adminUrl(), this.name);
		}

		/**
		 * The JDBC URL of this database without any user or password parameter.
		 */
		public String jdbcUrlWithoutCredentials() {
			return TestPostgres.withoutCredentials(jdbcUrl());
		}

		/**
		 * Create an account {@code 'name'@'%'} with a random password and every privilege
		 * on this database, dropped with it.
		 * @param label a label for its name
		 * @param limits resource limits, as {@code WITH MAX_USER_CONNECTIONS 3}, or empty
		 */
		public String createUser(String label, String limits) {
			// MySQL allows 32 characters in a user name
			String user = TestPostgres.uniqueName("pw_" + ((label.length() > 12) ? label.substring(0, 12) : label));
			String password = "Pw-" + UUID.randomUUID();
			execute("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "' " + limits);
			this.users.add(user);
			this.passwords.put(user, password);
			execute("GRANT ALL ON " + this.name + ".* TO '" + user + "'@'%'");
			return user;
		}

		public String passwordOf(String user) {
			return this.passwords.get(user);
		}

		/**
		 * Spring properties for a pool on this database as an account made by
		 * {@link #createUser(String, String)}.
		 */
		public String[] credentialsOf(String user) {
			return new String[] { "spring.datasource.url=" + jdbcUrlWithoutCredentials(),
					"spring.datasource.username=" + user, "spring.datasource.password=" + passwordOf(user) };
		}

		/**
		 * Run statements on this database as the administrative account.
		 */
		public void execute(String... sql) {
			TestPostgres.execute(jdbcUrl(), sql);
		}

		/**
		 * Run a query returning one long on this database as the administrative account.
		 */
		public long queryForLong(String sql) {
			try (Connection connection = DriverManager.getConnection(jdbcUrl());
					Statement statement = connection.createStatement();
					ResultSet resultSet = statement.executeQuery(sql)) {
				resultSet.next();
				return resultSet.getLong(1);
			}
			catch (SQLException ex) {
				throw new IllegalStateException("Failed on " + this.name + ": " + sql, ex);
			}
		}

		/**
		 * Kill every connection of an account.
		 */
		public long killConnectionsOf(String user) {
			List<Long> ids = new ArrayList<>();
			try (Connection connection = DriverManager.getConnection(jdbcUrl());
					Statement statement = connection.createStatement();
					ResultSet rows = statement
						.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '" + user + "'")) {
				while (rows.next()) {
					ids.add(rows.getLong(1));
				}
				for (Long id : ids) {
					statement.execute("KILL " + id);
				}
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
			return ids.size();
		}

		@Override
		public void close() {
			List<String> sql = new ArrayList<>();
			sql.add("DROP DATABASE IF EXISTS " + this.name);
			for (String user : this.users) {
				sql.add("DROP USER IF EXISTS '" + user + "'@'%'");
			}
			TestPostgres.execute(adminUrl(), sql.toArray(String[]::new));
		}

	}

}
