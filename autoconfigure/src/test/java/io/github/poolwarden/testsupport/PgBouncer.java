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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real PgBouncer (the machine's {@code pgbouncer}, Debian's package) for one test
 * class: started on a port found free at run time, in front of a PostgreSQL server, in
 * transaction pooling unless told otherwise; run as {@code postgres} when the JVM is
 * root (PgBouncer refuses root); always stopped and its directory removed by
 * {@link #close()}. Every database name a client asks for is passed through to the same
 * name on the server. Clients log in with the users and passwords given
 * ({@code scram-sha-256}); PgBouncer logs in to the server with the same, so it works in
 * front of a server that requires passwords and a trust-auth one alike.
 */
public final class PgBouncer implements AutoCloseable {

	private static final Path BINARY = Path.of("/usr/sbin/pgbouncer");

	private final Path directory;

	private final int port;

	private final Process process;

	private PgBouncer(Path directory, int port, Process process) {
		this.directory = directory;
		this.port = port;
		this.process = process;
	}

	/**
	 * Start PgBouncer in front of a server.
	 * @param serverHost the server's host
	 * @param serverPort the server's port
	 * @param users the users clients log in as, with their passwords; the first is also
	 * an admin of the console
	 * @param settings settings for the {@code [pgbouncer]} section, over the defaults
	 * ({@code pool_mode = transaction}, {@code default_pool_size = 2},
	 * {@code max_client_conn = 100})
	 * @return the running PgBouncer
	 */
	public static PgBouncer start(String serverHost, int serverPort, Map<String, String> users,
			Map<String, String> settings) {
		if (!Files.isExecutable(BINARY)) {
			throw new IllegalStateException("These tests start a real PgBouncer and need " + BINARY
					+ ": install Debian's pgbouncer package (apt-get install pgbouncer); scripts/test.sh does.");
		}
		try {
			Path directory = Files.createTempDirectory("pw-pgbouncer-");
			int port = TcpForwarder.freePort();
			StringBuilder userlist = new StringBuilder();
			users.forEach((user, password) -> userlist.append('"').append(user).append("\" \"").append(password)
				.append("\"\n"));
			Files.writeString(directory.resolve("userlist.txt"), userlist, StandardCharsets.UTF_8);
			Map<String, String> all = new LinkedHashMap<>();
			all.put("listen_addr", "127.0.0.1");
			all.put("listen_port", String.valueOf(port));
			all.put("unix_socket_dir", "");
			all.put("auth_type", "scram-sha-256");
			all.put("auth_file", directory.resolve("userlist.txt").toString());
			all.put("admin_users", users.keySet().iterator().next());
			all.put("pool_mode", "transaction");
			all.put("default_pool_size", "2");
			all.put("max_client_conn", "100");
			// pgjdbc sends extra_float_digits at startup; PgBouncer must be told to let it be
			all.put("ignore_startup_parameters", "extra_float_digits");
			all.put("server_login_retry", "1");
			all.put("logfile", directory.resolve("pgbouncer.log").toString());
			all.put("pidfile", directory.resolve("pgbouncer.pid").toString());
			all.putAll(settings);
			StringBuilder ini = new StringBuilder("[databases]\n* = host=" + serverHost + " port=" + serverPort + "\n\n"
					+ "[pgbouncer]\n");
			all.forEach((key, value) -> ini.append(key).append(" = ").append(value).append('\n'));
			Path config = directory.resolve("pgbouncer.ini");
			Files.writeString(config, ini, StandardCharsets.UTF_8);
			List<String> command = new ArrayList<>();
			if (isRoot()) {
				run(List.of("chown", "-R", "postgres", directory.toString()));
				command.addAll(List.of("runuser", "-u", "postgres", "--"));
			}
			command.addAll(List.of(BINARY.toString(), config.toString()));
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(directory.resolve("stdout.log").toFile())
				.start();
			PgBouncer bouncer = new PgBouncer(directory, port, process);
			bouncer.awaitListening();
			return bouncer;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start PgBouncer", ex);
		}
	}

	/**
	 * Start PgBouncer in front of the shared test server.
	 */
	public static PgBouncer inFrontOfTestServer(Map<String, String> users, Map<String, String> settings) {
		return start(TestPostgres.serverHost(), TestPostgres.serverPort(), users, settings);
	}

	private void awaitListening() {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("PgBouncer exited at startup:\n" + log());
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
				return;
			}
			catch (IOException ex) {
				try {
					this.process.waitFor(50, TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException(interrupted);
				}
			}
		}
		throw new IllegalStateException("PgBouncer did not listen within 20 s:\n" + log());
	}

	public int port() {
		return this.port;
	}

	/**
	 * A JDBC URL of a database through PgBouncer, without credentials.
	 * @param database the database name
	 * @param parameters URL parameters, as {@code prepareThreshold=0}, or empty
	 */
	public String jdbcUrl(String database, String parameters) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database
				+ (parameters.isEmpty() ? "" : "?" + parameters);
	}

	/**
	 * PgBouncer's log, for failure messages.
	 */
	public String log() {
		try {
			Path log = this.directory.resolve("pgbouncer.log");
			String text = Files.exists(log) ? Files.readString(log) : "";
			Path stdout = this.directory.resolve("stdout.log");
			return text + (Files.exists(stdout) ? Files.readString(stdout) : "");
		}
		catch (IOException ex) {
			return "(log unreadable: " + ex + ")";
		}
	}

	@Override
	public void close() {
		try {
			Path pid = this.directory.resolve("pgbouncer.pid");
			if (Files.exists(pid)) {
				run(List.of("kill", "-TERM", Files.readString(pid).trim()));
			}
			this.process.destroy();
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (IOException ex) {
			this.process.destroyForcibly();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
		finally {
			run(List.of("rm", "-rf", this.directory.toString()));
		}
	}

	private static boolean isRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

	private static void run(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			process.getInputStream().readAllBytes();
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
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

}
