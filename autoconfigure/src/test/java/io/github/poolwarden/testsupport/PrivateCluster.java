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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * A private PostgreSQL cluster for one test class, for faults the shared server must not
 * suffer: restarts, crashes, stops, a low {@code max_connections}. Made with the
 * machine's {@code initdb} and {@code pg_ctl} (through {@code runuser -u postgres} when
 * the JVM runs as root, since PostgreSQL refuses root), in a temporary directory, on a
 * port found free at run time; always stopped and removed by {@link #close()}.
 */
public final class PrivateCluster implements AutoCloseable {

	private static final Path INSTALL_ROOT = Path.of("/usr/lib/postgresql");

	private final Path bin;

	private final Path directory;

	private final Path data;

	private final int port;

	private final @Nullable String password;

	private PrivateCluster(Path bin, Path directory, int port, @Nullable String password) {
		this.bin = bin;
		this.directory = directory;
		this.data = directory.resolve("data");
		this.port = port;
		this.password = password;
	}

	/**
	 * Create and start a cluster with the given settings added to its configuration.
	 */
	public static PrivateCluster start(Map<String, String> settings) {
		PrivateCluster cluster = create(settings, false);
		cluster.start();
		return cluster;
	}

	/**
	 * Create and start a cluster that requires a password ({@code scram-sha-256}) on TCP,
	 * as a default Debian install or the official image does; {@link #jdbcUrl()} carries
	 * the superuser's password.
	 */
	public static PrivateCluster startRequiringPasswords(Map<String, String> settings) {
		PrivateCluster cluster = create(settings, true);
		cluster.start();
		return cluster;
	}

	/**
	 * Create a cluster without starting it, for a database that comes up late.
	 * @param settings added to its configuration
	 * @param passwords whether TCP connections need a password ({@code scram-sha-256})
	 */
	public static PrivateCluster create(Map<String, String> settings, boolean passwords) {
		Path bin = findBinaries();
		try {
			Path directory = Files.createTempDirectory("pw-cluster-");
			String password = passwords ? "Pw" + UUID.randomUUID().toString().replace("-", "").substring(0, 18) : null;
			PrivateCluster cluster = new PrivateCluster(bin, directory, TcpForwarder.freePort(), password);
			List<String> initdb = new ArrayList<>(List.of(bin.resolve("initdb").toString(), "-D",
					cluster.data.toString(), "-U", "postgres", "--no-sync", "-E", "UTF8", "--auth-local=trust"));
			if (password != null) {
				Path passwordFile = directory.resolve("superuser-password");
				Files.writeString(passwordFile, password, StandardCharsets.UTF_8);
				initdb.addAll(List.of("--auth-host=scram-sha-256", "--pwfile=" + passwordFile));
			}
			else {
				initdb.add("--auth-host=trust");
			}
			if (isRoot()) {
				run(List.of("chown", "-R", "postgres", directory.toString()), false);
			}
			cluster.pg(initdb);
			Files.deleteIfExists(directory.resolve("superuser-password"));
			StringBuilder configuration = new StringBuilder("\nport = " + cluster.port
					+ "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '" + directory
					+ "'\nfsync = off\nshared_buffers = 16MB\n");
			settings.forEach((key, value) -> configuration.append(key).append(" = ").append(value).append('\n'));
			Path conf = cluster.data.resolve("postgresql.conf");
			if (isRoot()) {
				Path staged = directory.resolve("extra.conf");
				Files.writeString(staged, configuration, StandardCharsets.UTF_8);
				run(List.of("sh", "-c", "cat " + staged + " >> " + conf), false);
			}
			else {
				Files.writeString(conf, configuration, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
			}
			return cluster;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not create a private PostgreSQL cluster", ex);
		}
	}

	private static Path findBinaries() {
		if (Files.isDirectory(INSTALL_ROOT)) {
			try (Stream<Path> versions = Files.list(INSTALL_ROOT)) {
				Path bin = versions.map((version) -> version.resolve("bin"))
					.filter((each) -> Files.isExecutable(each.resolve("initdb")) && Files.isExecutable(each.resolve("pg_ctl")))
					.max(Comparator.naturalOrder())
					.orElse(null);
				if (bin != null) {
					return bin;
				}
			}
			catch (IOException ex) {
				// fall through to the message below
			}
		}
		throw new IllegalStateException("These tests start a private PostgreSQL cluster and need initdb and pg_ctl "
				+ "under " + INSTALL_ROOT + "/<version>/bin: install PostgreSQL's server package (on Debian: "
				+ "apt-get install postgresql).");
	}

	private static boolean isRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

	public int port() {
		return this.port;
	}

	/**
	 * A JDBC URL of the cluster's {@code postgres} database as its superuser, with the
	 * superuser's password when the cluster requires one.
	 */
	public String jdbcUrl() {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/postgres?user=postgres"
				+ ((this.password != null) ? "&password=" + this.password : "");
	}

	/**
	 * The superuser's password.
	 * @return the password, or {@code null} when the cluster trusts every connection
	 */
	public @Nullable String password() {
		return this.password;
	}

	/**
	 * A JDBC URL of the cluster's {@code postgres} database without a user, for a pool
	 * that sets its own username.
	 */
	public String jdbcUrlWithoutUser() {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/postgres";
	}

	public void start() {
		pg(List.of(this.bin.resolve("pg_ctl").toString(), "-D", this.data.toString(), "-l",
				this.directory.resolve("server.log").toString(), "-w", "-t", "60", "start"));
	}

	/**
	 * Stop the server: {@code fast} (sessions terminated, 57P01) or {@code immediate}
	 * (no clean shutdown, 08006).
	 */
	public void stop(String mode) {
		pg(List.of(this.bin.resolve("pg_ctl").toString(), "-D", this.data.toString(), "-m", mode, "-w", "-t", "60",
				"stop"));
	}

	public void restart(String mode) {
		pg(List.of(this.bin.resolve("pg_ctl").toString(), "-D", this.data.toString(), "-l",
				this.directory.resolve("server.log").toString(), "-m", mode, "-w", "-t", "60", "restart"));
	}

	/**
	 * Kill one backend with SIGKILL: the postmaster then resets every session and
	 * recovers.
	 */
	public void killBackend(int pid) {
		run(List.of("kill", "-9", String.valueOf(pid)), false);
	}

	/**
	 * Run statements as the superuser.
	 */
	public void execute(String... sql) {
		TestPostgres.execute(jdbcUrl(), sql);
	}

	/**
	 * The pids of the client backends of a role.
	 */
	public List<Integer> backends(String role) {
		List<Integer> pids = new ArrayList<>();
		try (Connection connection = DriverManager.getConnection(jdbcUrl());
				Statement statement = connection.createStatement();
				var rows = statement.executeQuery("SELECT pid FROM pg_stat_activity WHERE usename = '" + role
						+ "' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
			while (rows.next()) {
				pids.add(rows.getInt(1));
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
		return pids;
	}

	private void pg(List<String> command) {
		List<String> full = new ArrayList<>();
		if (isRoot()) {
			full.addAll(List.of("runuser", "-u", "postgres", "--"));
		}
		full.addAll(command);
		run(full, true);
	}

	private static void run(List<String> command, boolean check) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(90, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("Timed out: " + command);
			}
			if (check && process.exitValue() != 0) {
				throw new IllegalStateException("Failed (" + process.exitValue() + "): " + command + "\n" + output);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		try {
			pg(List.of(this.bin.resolve("pg_ctl").toString(), "-D", this.data.toString(), "-m", "immediate", "-w",
					"stop"));
		}
		catch (IllegalStateException ex) {
			// already stopped
		}
		run(List.of("rm", "-rf", this.directory.toString()), false);
	}

}
