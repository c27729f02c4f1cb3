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

	private final int targetPort;

	private final ExecutorService executor = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "tcp-forwarder");
		thread.setDaemon(true);
		return thread;
	});

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private volatile ServerSocket server;

	private volatile boolean blackHole;

	public TcpForwarder(int targetPort) {
		this.port = freePort();
		this.targetPort = targetPort;
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
	 * Start listening and forwarding.
	 */
	public synchronized void open() throws IOException {
		ServerSocket socket = new ServerSocket();
		socket.setReuseAddress(true);
		socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port));
		this.server = socket;
		this.executor.execute(this::acceptLoop);
	}

	private void acceptLoop() {
		ServerSocket socket = this.server;
		while (!socket.isClosed()) {
			try {
				Socket client = socket.accept();
				this.sockets.add(client);
				if (this.blackHole) {
					continue;
				}
				Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
				this.sockets.add(upstream);
				this.executor.execute(() -> pipe(client, upstream));
				this.executor.execute(() -> pipe(upstream, client));
			}
			catch (IOException ex) {
				// closed, or upstream refused: the client sees its socket closed
			}
		}
	}

	private static void pipe(Socket from, Socket to) {
		byte[] buffer = new byte[16384];
		try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
			int read;
			while ((read = in.read(buffer)) >= 0) {
				out.write(buffer, 0, read);
				out.flush();
			}
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
