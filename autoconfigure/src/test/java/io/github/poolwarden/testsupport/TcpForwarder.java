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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP forwarder for tests: listens on a port of its own and pipes every
 * accepted connection to a target. A port can be reserved before anything listens on
 * it, so that clients first see "connection refused" and later a working server.
 */
public final class TcpForwarder implements AutoCloseable {

	private final int port;

	private final String targetHost;

	private final int targetPort;

	private final ExecutorService executor = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "tcp-forwarder");
		thread.setDaemon(true);
		return thread;
	});

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

	private volatile ServerSocket server;

	private volatile boolean blackHole;

	private volatile long latencyMillis;

	private volatile boolean repliesFrozen;

	/**
	 * A forwarder to a port on the loopback interface (a private cluster).
	 */
	public TcpForwarder(int targetPort) {
		this(InetAddress.getLoopbackAddress().getHostAddress(), targetPort);
	}

	/**
	 * A forwarder to a host and port.
	 */
	public TcpForwarder(String targetHost, int targetPort) {
		this.port = freePort();
		this.targetHost = targetHost;
		this.targetPort = targetPort;
	}

	/**
	 * A forwarder to the shared test server, wherever {@link TestPostgres} found it
	 * ({@code localhost}, {@code 127.0.0.1}, a container's mapped port, another host).
	 * Point a URL at it with {@link TestPostgres.TestDatabase#jdbcUrlVia(int)}.
	 */
	public static TcpForwarder toTestServer() {
		return new TcpForwarder(TestPostgres.serverHost(), TestPostgres.serverPort());
	}

	/**
	 * Return a port that nothing listens on right now.
	 */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public int port() {
		return this.port;
	}

	/**
	 * Return how many connections clients have opened through this forwarder.
	 */
	public int accepted() {
		return this.accepted.get();
	}

	/**
	 * Start listening and forwarding.
	 */
	public synchronized void open() throws IOException {
		ServerSocket socket = new ServerSocket();
		socket.setReuseAddress(true);
		for (int attempt = 1;; attempt++) {
			try {
				socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port));
				break;
			}
			catch (java.net.BindException ex) {
				// the port was just released by cut(): the kernel may need a moment
				if (attempt == 50) {
					throw ex;
				}
				java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
			}
		}
		this.server = socket;
		this.executor.execute(this::acceptLoop);
	}

	private void acceptLoop() {
		ServerSocket socket = this.server;
		while (!socket.isClosed()) {
			try {
				Socket client = socket.accept();
				this.accepted.incrementAndGet();
				this.sockets.add(client);
				if (socket.isClosed()) {
					// cut() ran while this connection was being accepted: it is cut too
					closeQuietly(client);
					continue;
				}
				if (this.blackHole) {
					continue;
				}
				Socket upstream = new Socket(this.targetHost, this.targetPort);
				this.sockets.add(upstream);
				if (socket.isClosed()) {
					closeQuietly(client);
					closeQuietly(upstream);
					continue;
				}
				this.executor.execute(() -> pipe(client, upstream, false));
				this.executor.execute(() -> pipe(upstream, client, true));
			}
			catch (IOException ex) {
				// closed, or upstream refused: the client sees its socket closed
			}
		}
	}

	private void pipe(Socket from, Socket to, boolean replies) {
		byte[] buffer = new byte[16384];
		try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
			int read;
			while ((read = in.read(buffer)) >= 0) {
				long latency = this.latencyMillis;
				if (latency > 0) {
					Thread.sleep(latency);
				}
				if (replies && this.repliesFrozen) {
					// The server's reply is swallowed: the client waits, the server has acted.
					continue;
				}
				out.write(buffer, 0, read);
				out.flush();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (IOException ex) {
			// one side closed
		}
		finally {
			closeQuietly(from);
			closeQuietly(to);
		}
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// ignore
		}
	}

	/**
	 * Accept new connections but never answer on them (or forward again, when false).
	 */
	public void blackHole(boolean blackHole) {
		this.blackHole = blackHole;
	}

	/**
	 * Delay every chunk forwarded in either direction.
	 */
	public void latency(long millis) {
		this.latencyMillis = millis;
	}

	/**
	 * Stop forwarding what the server sends, on every connection, while still
	 * forwarding what clients send (a reply lost on the way back).
	 */
	public void freezeReplies(boolean frozen) {
		this.repliesFrozen = frozen;
	}

	/**
	 * Stop accepting: new connections are refused, established ones keep working.
	 */
	public synchronized void refuseNew() throws IOException {
		ServerSocket socket = this.server;
		if (socket != null) {
			socket.close();
		}
	}

	/**
	 * Reset every connection (TCP RST) and keep listening.
	 */
	public void reset() {
		for (Socket socket : this.sockets) {
			try {
				socket.setSoLinger(true, 0);
			}
			catch (IOException ex) {
				// already closed
			}
			closeQuietly(socket);
		}
		this.sockets.clear();
	}

	/**
	 * Stop listening and close every connection: clients see their connections cut and
	 * new ones refused, until {@link #open()} is called again.
	 */
	public synchronized void cut() throws IOException {
		ServerSocket socket = this.server;
		if (socket != null) {
			socket.close();
		}
		this.sockets.forEach(TcpForwarder::closeQuietly);
		this.sockets.clear();
	}

	@Override
	public void close() throws Exception {
		ServerSocket socket = this.server;
		if (socket != null) {
			socket.close();
		}
		this.sockets.forEach(TcpForwarder::closeQuietly);
		this.executor.shutdownNow();
		this.executor.awaitTermination(5, TimeUnit.SECONDS);
	}

}
