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
package io.github.poolwarden.capacity;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import io.github.poolwarden.support.JdbcTarget;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Reads PgBouncer's limits on its admin console ({@code SHOW VERSION}, {@code SHOW CONFIG},
 * {@code SHOW DATABASES}, {@code SHOW LISTS}). The account must be one of PgBouncer's
 * {@code admin_users} or {@code stats_users}.
 * <p>
 * The console speaks a small part of PostgreSQL's protocol: the simple query protocol,
 * no {@code SET}. pgjdbc 42.7.5 and later always send {@code SET extra_float_digits} to
 * a server that reports a version below 12, which the console of PgBouncer before its
 * fix for pgbouncer issue 1509 refuses ("SET failed"), so pgjdbc cannot open it. This
 * class therefore talks to the console itself, on a short-lived socket of its own:
 * startup, authentication (trust, cleartext, MD5 or SCRAM-SHA-256, as PgBouncer asks),
 * simple queries, text rows. Nothing it reads is logged but the numbers; the password is
 * never sent in the clear unless PgBouncer asks for it so.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class PgBouncerConsole {

	private static final int PROTOCOL_3_0 = 196608;

	private static final SecureRandom random = new SecureRandom();

	private PgBouncerConsole() {
	}

	/**
	 * Read PgBouncer's view for a pool.
	 * @param target where the pool connects (PgBouncer's host and port, and the database
	 * name the pool asks PgBouncer for)
	 * @param adminDatabase the console's database name ({@code pgbouncer})
	 * @param user the console account
	 * @param password its password, or {@code null}
	 * @param timeout how long connecting and each answer may take
	 * @return what PgBouncer says
	 * @throws SQLException if the console cannot be reached, refuses the account, or
	 * cannot be read
	 */
	public static View read(JdbcTarget target, String adminDatabase, @Nullable String user, @Nullable String password,
			Duration timeout) throws SQLException {
		Assert.notNull(target.host(), "'target' must name a host");
		Assert.hasText(user, "'user' must not be empty");
		int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
		int port = (target.port() != null) ? target.port() : 5432;
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(target.host(), port), millis);
			socket.setSoTimeout(millis);
			Session session = new Session(new DataInputStream(new BufferedInputStream(socket.getInputStream())),
					new DataOutputStream(new BufferedOutputStream(socket.getOutputStream())));
			session.start(user, (password != null) ? password : "", adminDatabase);
			String version = session.query("SHOW VERSION").stream().findFirst().map((row) -> row.get("version"))
				.orElse("PgBouncer");
			Map<String, String> config = keyValues(session.query("SHOW CONFIG"), "key", "value");
			Map<String, String> lists = keyValues(session.query("SHOW LISTS"), "list", "items");
			int poolSize = intOf(config.get("default_pool_size"), -1);
			String poolMode = config.get("pool_mode");
			for (Map<String, String> row : session.query("SHOW DATABASES")) {
				if (row.getOrDefault("name", "").equals(target.database())) {
					poolSize = intOf(row.get("pool_size"), poolSize);
					String mode = row.get("pool_mode");
					if (mode != null && !mode.isBlank()) {
						poolMode = mode;
					}
				}
			}
			session.terminate();
			// this console connection is one of the used clients
			int usedClients = Math.max(0, intOf(lists.get("used_clients"), 1) - 1);
			return new View(version, intOf(config.get("max_client_conn"), -1), usedClients,
					(poolMode != null) ? poolMode.toLowerCase(Locale.ROOT) : null,
					intOf(config.get("max_prepared_statements"), 0), poolSize);
		}
		catch (IOException ex) {
			throw new SQLException("PgBouncer's admin console at " + target.host() + ":" + port + " could not be read: "
					+ ex.getMessage(), "08001", ex);
		}
	}

	private static Map<String, String> keyValues(List<Map<String, String>> rows, String key, String value) {
		Map<String, String> values = new HashMap<>();
		for (Map<String, String> row : rows) {
			values.put(row.get(key), row.get(value));
		}
		return values;
	}

	private static int intOf(@Nullable String value, int fallback) {
		if (value == null) {
			return fallback;
		}
		try {
			return Integer.parseInt(value.trim());
		}
		catch (NumberFormatException ex) {
			return fallback;
		}
	}

	/**
	 * One console session in PostgreSQL's frontend/backend protocol 3.0.
	 */
	private static final class Session {

		private final DataInputStream in;

		private final DataOutputStream out;

		Session(DataInputStream in, DataOutputStream out) {
			this.in = in;
			this.out = out;
		}

		void start(String user, String password, String database) throws IOException, SQLException {
			ByteArrayOutputStream body = new ByteArrayOutputStream();
			DataOutputStream startup = new DataOutputStream(body);
			startup.writeInt(PROTOCOL_3_0);
			for (String value : new String[] { "user", user, "database", database, "application_name",
					"poolwarden" }) {
				cstring(startup, value);
			}
			startup.writeByte(0);
			this.out.writeInt(body.size() + 4);
			body.writeTo(this.out);
			this.out.flush();
			authenticate(user, password);
			while (true) {
				Message message = read();
				if (message.type == 'Z') {
					return;
				}
			}
		}

		private void authenticate(String user, String password) throws IOException, SQLException {
			Scram scram = null;
			while (true) {
				Message message = read();
				if (message.type != 'R') {
					throw new SQLException("PgBouncer's admin console answered the login with '" + (char) message.type
							+ "'", "08P01");
				}
				DataInputStream body = message.body();
				int code = body.readInt();
				switch (code) {
					case 0 -> {
						return;
					}
					case 3 -> send('p', cstringBytes(password));
					case 5 -> {
						byte[] salt = body.readNBytes(4);
						String inner = md5Hex((password + user).getBytes(StandardCharsets.UTF_8));
						byte[] outer = concat(inner.getBytes(StandardCharsets.US_ASCII), salt);
						send('p', cstringBytes("md5" + md5Hex(outer)));
					}
					case 10 -> {
						List<String> mechanisms = new ArrayList<>();
						for (String mechanism = cstring(body); !mechanism.isEmpty(); mechanism = cstring(body)) {
							mechanisms.add(mechanism);
						}
						if (!mechanisms.contains("SCRAM-SHA-256")) {
							throw new SQLException("PgBouncer's admin console asks for " + mechanisms
									+ ", which PoolWarden does not speak", "28000");
						}
						scram = new Scram(password);
						byte[] first = scram.clientFirst().getBytes(StandardCharsets.UTF_8);
						ByteArrayOutputStream initial = new ByteArrayOutputStream();
						DataOutputStream data = new DataOutputStream(initial);
						cstring(data, "SCRAM-SHA-256");
						data.writeInt(first.length);
						data.write(first);
						send('p', initial.toByteArray());
					}
					case 11 -> {
						Assert.state(scram != null, "SASL continue before SASL");
						String serverFirst = new String(body.readAllBytes(), StandardCharsets.UTF_8);
						send('p', scram.clientFinal(serverFirst).getBytes(StandardCharsets.UTF_8));
					}
					case 12 -> {
						Assert.state(scram != null, "SASL final before SASL");
						scram.verify(new String(body.readAllBytes(), StandardCharsets.UTF_8));
					}
					default -> throw new SQLException("PgBouncer's admin console asks for authentication method "
							+ code + ", which PoolWarden does not speak", "28000");
				}
			}
		}

		/**
		 * Run a simple query and return its rows, each column by name, as text.
		 */
		List<Map<String, String>> query(String sql) throws IOException, SQLException {
			send('Q', cstringBytes(sql));
			List<String> columns = List.of();
			List<Map<String, String>> rows = new ArrayList<>();
			SQLException error = null;
			while (true) {
				Message message = read(true);
				DataInputStream body = message.body();
				switch (message.type) {
					case 'T' -> {
						int count = body.readUnsignedShort();
						List<String> names = new ArrayList<>(count);
						for (int i = 0; i < count; i++) {
							names.add(cstring(body));
							body.skipNBytes(18);
						}
						columns = names;
					}
					case 'D' -> {
						int count = body.readUnsignedShort();
						Map<String, String> row = new LinkedHashMap<>();
						for (int i = 0; i < count; i++) {
							int length = body.readInt();
							String value = (length < 0) ? null
									: new String(body.readNBytes(length), StandardCharsets.UTF_8);
							row.put((i < columns.size()) ? columns.get(i) : String.valueOf(i), value);
						}
						rows.add(row);
					}
					case 'E' -> error = error(body);
					case 'Z' -> {
						if (error != null) {
							throw error;
						}
						return rows;
					}
					default -> {
						// CommandComplete, notices, parameter changes
					}
				}
			}
		}

		void terminate() throws IOException {
			send('X', new byte[0]);
		}

		private void send(char type, byte[] body) throws IOException {
			this.out.writeByte(type);
			this.out.writeInt(body.length + 4);
			this.out.write(body);
			this.out.flush();
		}

		private Message read() throws IOException, SQLException {
			return read(false);
		}

		private Message read(boolean errorsInline) throws IOException, SQLException {
			int type = this.in.readUnsignedByte();
			int length = this.in.readInt();
			if (length < 4 || length > 16 * 1024 * 1024) {
				throw new SQLException("PgBouncer's admin console sent a message of " + length + " bytes", "08P01");
			}
			byte[] body = this.in.readNBytes(length - 4);
			Message message = new Message(type, body);
			if (type == 'E' && !errorsInline) {
				throw error(message.body());
			}
			return message;
		}

		private static SQLException error(DataInputStream body) throws IOException {
			String sqlState = null;
			String text = null;
			for (int field = body.readUnsignedByte(); field != 0; field = body.readUnsignedByte()) {
				String value = cstring(body);
				if (field == 'C') {
					sqlState = value;
				}
				else if (field == 'M') {
					text = value;
				}
			}
			return new SQLException("PgBouncer's admin console: " + text, sqlState);
		}

	}

	private record Message(int type, byte[] bytes) {

		DataInputStream body() {
			return new DataInputStream(new java.io.ByteArrayInputStream(this.bytes));
		}

	}

	/**
	 * The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677), without channel binding, as
	 * PostgreSQL and PgBouncer use it: the user name in the exchange is empty, the one in
	 * the startup message counts.
	 */
	static final class Scram {

		private static final String GS2_HEADER = "n,,";

		private final String password;

		private final String user;

		private final String clientNonce;

		private @Nullable String clientFirstBare;

		private byte @Nullable [] serverKey;

		private @Nullable String authMessage;

		Scram(String password) {
			this(password, "", nonce());
		}

		Scram(String password, String user, String clientNonce) {
			this.password = password;
			this.user = user;
			this.clientNonce = clientNonce;
		}

		private static String nonce() {
			byte[] bytes = new byte[18];
			random.nextBytes(bytes);
			return Base64.getEncoder().encodeToString(bytes);
		}

		String clientFirst() {
			this.clientFirstBare = "n=" + this.user + ",r=" + this.clientNonce;
			return GS2_HEADER + this.clientFirstBare;
		}

		String clientFinal(String serverFirst) throws SQLException {
			Map<Character, String> attributes = attributes(serverFirst);
			String nonce = attributes.get('r');
			if (nonce == null || !nonce.startsWith(this.clientNonce) || attributes.get('s') == null
					|| attributes.get('i') == null) {
				throw new SQLException("PgBouncer's admin console sent an invalid SCRAM challenge", "28000");
			}
			try {
				byte[] salt = Base64.getDecoder().decode(attributes.get('s'));
				int iterations = Integer.parseInt(attributes.get('i'));
				byte[] salted = pbkdf2(this.password, salt, iterations);
				byte[] clientKey = hmac(salted, "Client Key");
				byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
				String withoutProof = "c=" + Base64.getEncoder()
					.encodeToString(GS2_HEADER.getBytes(StandardCharsets.US_ASCII)) + ",r=" + nonce;
				this.authMessage = this.clientFirstBare + "," + serverFirst + "," + withoutProof;
				byte[] signature = hmac(storedKey, this.authMessage);
				byte[] proof = new byte[clientKey.length];
				for (int i = 0; i < proof.length; i++) {
					proof[i] = (byte) (clientKey[i] ^ signature[i]);
				}
				this.serverKey = hmac(salted, "Server Key");
				return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
			}
			catch (GeneralSecurityException | IllegalArgumentException ex) {
				throw new SQLException("SCRAM-SHA-256 failed: " + ex.getMessage(), "28000", ex);
			}
		}

		void verify(String serverFinal) throws SQLException {
			String signature = attributes(serverFinal).get('v');
			byte[] key = this.serverKey;
			String message = this.authMessage;
			if (key == null || message == null) {
				throw new SQLException("PgBouncer's admin console ended SCRAM before it began", "28000");
			}
			try {
				String expected = Base64.getEncoder().encodeToString(hmac(key, message));
				if (signature == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
						signature.getBytes(StandardCharsets.US_ASCII))) {
					throw new SQLException("PgBouncer's admin console could not prove it knows the password", "28000");
				}
			}
			catch (GeneralSecurityException ex) {
				throw new SQLException("SCRAM-SHA-256 failed: " + ex.getMessage(), "28000", ex);
			}
		}

		private static Map<Character, String> attributes(String message) {
			Map<Character, String> attributes = new HashMap<>();
			for (String part : message.split(",")) {
				if (part.length() > 1 && part.charAt(1) == '=') {
					attributes.put(part.charAt(0), part.substring(2));
				}
			}
			return attributes;
		}

		private static byte[] pbkdf2(String password, byte[] salt, int iterations) throws GeneralSecurityException {
			PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
			return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
		}

		private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
		}

	}

	private static String md5Hex(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = new byte[first.length + second.length];
		System.arraycopy(first, 0, both, 0, first.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

	private static void cstring(DataOutputStream out, String value) throws IOException {
		out.write(value.getBytes(StandardCharsets.UTF_8));
		out.writeByte(0);
	}

	private static byte[] cstringBytes(String value) {
		return concat(value.getBytes(StandardCharsets.UTF_8), new byte[] { 0 });
	}

	private static String cstring(DataInputStream in) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		for (int b = in.readUnsignedByte(); b != 0; b = in.readUnsignedByte()) {
			bytes.write(b);
		}
		return bytes.toString(StandardCharsets.UTF_8);
	}

	/**
	 * What PgBouncer said.
	 *
	 * @param version its version, as {@code PgBouncer 1.18.0}
	 * @param maxClientConn its {@code max_client_conn}
	 * @param usedClients the client connections it serves, but the console's own
	 * @param poolMode the pool mode of the pool's database ({@code session},
	 * {@code transaction}, {@code statement}), or {@code null} when unknown
	 * @param maxPreparedStatements its {@code max_prepared_statements} (1.21 and later;
	 * 0 when off or older)
	 * @param poolSize the server connections it keeps for the pool's database and user
	 */
	public record View(String version, int maxClientConn, int usedClients, @Nullable String poolMode,
			int maxPreparedStatements, int poolSize) {

		/**
		 * Whether pgjdbc's named prepared statements break behind this PgBouncer: a
		 * statement prepared on one server connection is executed on another.
		 * @return whether {@code prepareThreshold=0} is needed
		 */
		public boolean needsPrepareThresholdZero() {
			return !"session".equals(this.poolMode) && this.maxPreparedStatements <= 0;
		}

		/**
		 * Return PgBouncer's client limit as a capacity.
		 * @return the capacity
		 */
		public ServerCapacity capacity() {
			return ServerCapacity.of(ServerCapacity.Source.PGBOUNCER, this.maxClientConn, this.usedClients);
		}

	}

}
