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

import java.net.InetAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.poolwarden.support.JdbcTarget;
import org.awaitility.Awaitility;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL server the tests run against, and the throwaway databases and roles
 * each test class makes on it.
 * <p>
 * The server is named by the {@value #ENV} environment variable: a JDBC URL of a role
 * that may create databases and roles. Where it is unset and a Docker engine answers,
 * Testcontainers starts one. Where neither, every database test fails with a message
 * saying how to provide one: these tests are never skipped.
 */
public final class TestPostgres {

	public static final String ENV = "POOLWARDEN_TEST_JDBC_URL";

	private static volatile String adminUrl;

	private TestPostgres() {
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
		if (dockerAvailable()) {
			PostgreSQLContainer container = new PostgreSQLContainer("postgres:15-alpine");
			container.start();
			return container.getJdbcUrl() + "&user=" + container.getUsername() + "&password="
					+ container.getPassword();
		}
		throw new IllegalStateException("PoolWarden's database tests need PostgreSQL. Set " + ENV
				+ " to the JDBC URL of a role that may create databases and roles, for example "
				+ "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres, or make a Docker engine available "
				+ "so that Testcontainers can start one.");
	}

	/**
	 * Whether a Docker engine answers, so that Testcontainers can start a server.
	 */
	static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (Throwable ex) {
			return false;
		}
	}

	/**
	 * Return the host of the test server, as its URL names it.
	 */
	public static String serverHost() {
		String host = JdbcTarget.parse(adminUrl()).host();
		return (host != null) ? host : "localhost";
	}

	/**
	 * Return the port of the test server.
	 */
	public static int serverPort() {
		Integer port = JdbcTarget.parse(adminUrl()).port();
		return (port != null) ? port : 5432;
	}

	/**
	 * Return the user name of the administrative connection.
	 */
	public static String adminUser() {
		String url = adminUrl();
		for (String parameter : url.substring(url.indexOf('?') + 1).split("&")) {
			if (parameter.startsWith("user=")) {
				return parameter.substring(5);
			}
		}
		return System.getProperty("user.name");
	}

	/**
	 * Run statements, in order, on one connection to the given URL.
	 */
	public static void execute(String url, String... sql) {
		try (Connection connection = DriverManager.getConnection(url);
				Statement statement = connection.createStatement()) {
			for (String each : sql) {
				statement.execute(each);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Failed: " + String.join("; ", sql), ex);
		}
	}

	/**
	 * Create a new database for one test class; close it to drop it, and every role made
	 * through it.
	 */
	public static TestDatabase createDatabase(String label) {
		String name = uniqueName("pw_" + label);
		try (Connection connection = DriverManager.getConnection(adminUrl());
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create test database " + name + " through " + ENV, ex);
		}
		return new TestDatabase(name);
	}

	static String uniqueName(String label) {
		String clean = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
		if (clean.length() > 40) {
			clean = clean.substring(0, 40);
		}
		return clean + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
	}

	/**
	 * Remove the {@code user} and {@code password} parameters of a JDBC URL, keeping the
	 * others.
	 */
	static String withoutCredentials(String url) {
		int params = url.indexOf('?');
		if (params < 0) {
			return url;
		}
		StringBuilder kept = new StringBuilder();
		for (String parameter : url.substring(params + 1).split("&")) {
			String key = parameter.split("=", 2)[0].toLowerCase(Locale.ROOT);
			if (!key.equals("user") && !key.equals("password")) {
				kept.append(kept.isEmpty() ? "?" : "&").append(parameter);
			}
		}
		return url.substring(0, params) + kept;
	}

	/**
	 * Replace the database of a JDBC URL, keeping host, port and parameters.
	 */
	public static String withDatabase(String url, String database) {
		int authority = url.indexOf("//") + 2;
		int pathStart = url.indexOf('/', authority);
		int params = url.indexOf('?', authority);
		String base = url.substring(0, (pathStart >= 0) ? pathStart : ((params >= 0) ? params : url.length()));
		String query = (params >= 0) ? url.substring(params) : "";
		return base + "/" + database + query;
	}

	/**
	 * Replace the host and port of a JDBC URL, keeping the database and the parameters:
	 * {@code jdbc:postgresql://localhost/app?ssl=false} through port 40000 of the loopback
	 * interface is {@code jdbc:postgresql://127.0.0.1:40000/app?ssl=false}.
	 */
	static String withHostAndPort(String url, String host, int port) {
		int authority = url.indexOf("//");
		if (authority < 0) {
			throw new IllegalArgumentException("Not a URL with a host: " + url);
		}
		authority += 2;
		int end = authority;
		while (end < url.length() && "/?;".indexOf(url.charAt(end)) < 0) {
			end++;
		}
		String hostPart = (host.indexOf(':') >= 0 && !host.startsWith("[")) ? "[" + host + "]" : host;
		return url.substring(0, authority) + hostPart + ":" + port + url.substring(end);
	}

	/**
	 * A throwaway database on the test server.
	 */
	public static final class TestDatabase implements AutoCloseable {

		private final String name;

		private final List<String> roles = new ArrayList<>();

		private final Map<String, String> passwords = new ConcurrentHashMap<>();

		TestDatabase(String name) {
			this.name = name;
		}

		public String name() {
			return this.name;
		}

		/**
		 * The JDBC URL of this database, connecting as the administrative role.
		 */
		public String jdbcUrl() {
			return withDatabase(adminUrl(), this.name);
		}

		/**
		 * The JDBC URL of this database without any user or password parameter.
		 */
		public String jdbcUrlWithoutCredentials() {
			return withoutCredentials(jdbcUrl());
		}

		/**
		 * Create a role that is dropped with this database. Every role gets a random
		 * password, unless the options give one, so that the tests pass against a
		 * server that requires passwords as well as a trust-auth one: log in with
		 * {@link #jdbcUrlAs(String)} or {@link #credentialsOf(String)}.
		 */
		public String createRole(String label, String options) {
			String role = uniqueName("pw_" + label);
			String upper = options.toUpperCase(Locale.ROOT);
			String withPassword = options;
			if (!upper.contains("PASSWORD")) {
				String password = "pw-" + UUID.randomUUID();
				this.passwords.put(role, password);
				withPassword = options + " PASSWORD '" + password + "'";
			}
			else {
				Matcher given = Pattern.compile("PASSWORD\\s+'([^']*)'", Pattern.CASE_INSENSITIVE).matcher(options);
				if (given.find()) {
					this.passwords.put(role, given.group(1));
				}
			}
			execute("CREATE ROLE " + role + " " + withPassword);
			this.roles.add(role);
			execute("GRANT ALL ON DATABASE " + this.name + " TO " + role);
			return role;
		}

		/**
		 * Return the password of a role made by {@link #createRole(String, String)}.
		 */
		public String passwordOf(String role) {
			String password = this.passwords.get(role);
			if (password == null) {
				throw new IllegalArgumentException("No password known for role " + role);
			}
			return password;
		}

		/**
		 * The JDBC URL of this database, connecting as a role made by
		 * {@link #createRole(String, String)}, with its password.
		 */
		public String jdbcUrlAs(String role) {
			String url = jdbcUrlWithoutCredentials();
			return url + ((url.indexOf('?') >= 0) ? "&" : "?") + "user=" + role + "&password=" + passwordOf(role);
		}

		/**
		 * Spring properties for a pool on this database as a role made by
		 * {@link #createRole(String, String)}: URL, username and password.
		 */
		public String[] credentialsOf(String role) {
			return new String[] { "spring.datasource.url=" + jdbcUrlWithoutCredentials(),
					"spring.datasource.username=" + role, "spring.datasource.password=" + passwordOf(role) };
		}

		/**
		 * The JDBC URL of this database through a port on the loopback interface (a
		 * {@link TcpForwarder} to the test server), connecting as the administrative role.
		 */
		public String jdbcUrlVia(int port) {
			return withHostAndPort(jdbcUrl(), InetAddress.getLoopbackAddress().getHostAddress(), port);
		}

		/**
		 * Run statements on this database as the administrative role.
		 */
		public void execute(String... sql) {
			TestPostgres.execute(jdbcUrl(), sql);
		}

		/**
		 * Run a query returning one long on this database as the administrative role.
		 */
		public long queryForLong(String sql) {
			try (Connection connection = DriverManager.getConnection(jdbcUrl());
					Statement statement = connection.createStatement();
					var resultSet = statement.executeQuery(sql)) {
				resultSet.next();
				return resultSet.getLong(1);
			}
			catch (SQLException ex) {
				throw new IllegalStateException("Failed on " + this.name + ": " + sql, ex);
			}
		}

		/**
		 * Return how many sessions were ever established to this database, read through
		 * the server's own statistics ({@code pg_stat_database.sessions}) over a
		 * connection to another database, so reading it opens none here.
		 * @return the sessions
		 */
		public long sessionsOpened() {
			return readAsAdmin("SELECT sessions FROM pg_stat_database WHERE datname = ?", "sessions");
		}

		/**
		 * The sessions opened so far once the server's statistics have settled: a
		 * backend counts its session when it first reports and a closed one when it
		 * exits, a moment after its client has moved on. Settled means the count and
		 * the backends connected to this database read the same twice, 500 ms apart.
		 * @return the sessions
		 */
		public long settledSessionsOpened() {
			long[] seen = { sessionsOpened(), backends() };
			Awaitility.await("the sessions of " + this.name + " to settle")
				.atMost(Duration.ofSeconds(15))
				.pollDelay(Duration.ofMillis(500))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> {
					long sessions = sessionsOpened();
					long backends = backends();
					boolean settled = sessions == seen[0] && backends == seen[1];
					seen[0] = sessions;
					seen[1] = backends;
					return settled;
				});
			return seen[0];
		}

		private long backends() {
			return readAsAdmin("SELECT count(*) FROM pg_stat_activity WHERE datname = ?", "backends");
		}

		/**
		 * Read one number about this database over a connection to another one, so that
		 * reading it opens no session here; {@code sql} takes the database's name.
		 */
		private long readAsAdmin(String sql, String what) {
			try (Connection connection = DriverManager.getConnection(adminUrl());
					var statement = connection.prepareStatement(sql)) {
				statement.setString(1, this.name);
				try (var resultSet = statement.executeQuery()) {
					resultSet.next();
					return resultSet.getLong(1);
				}
			}
			catch (SQLException ex) {
				throw new IllegalStateException("Could not read the " + what + " of " + this.name, ex);
			}
		}

		/**
		 * Terminate every backend connected to this database, but the caller's.
		 * @return how many were terminated
		 */
		public long terminateBackends() {
			return queryForLong("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '"
					+ this.name + "' AND pid <> pg_backend_pid()");
		}

		@Override
		public void close() {
			try (Connection connection = DriverManager.getConnection(adminUrl());
					Statement statement = connection.createStatement()) {
				statement.execute("DROP DATABASE IF EXISTS " + this.name + " WITH (FORCE)");
				for (String role : this.roles) {
					statement.execute("DROP ROLE IF EXISTS " + role);
				}
			}
			catch (SQLException ex) {
				throw new IllegalStateException("Could not drop test database " + this.name, ex);
			}
		}

	}

}
