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

import org.jspecify.annotations.Nullable;

/**
 * Where a JDBC URL points: host, port and database, without credentials or parameters.
 * Parsing is best effort and never fails: parts that cannot be found are {@code null}.
 *
 * @param host the host, or {@code null}
 * @param port the port, or {@code null} when the URL names none
 * @param database the database, or {@code null}
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record JdbcTarget(@Nullable String host, @Nullable Integer port, @Nullable String database) {

	/**
	 * An unknown target.
	 */
	public static final JdbcTarget UNKNOWN = new JdbcTarget(null, null, null);

	/**
	 * Parse a JDBC URL of the usual {@code jdbc:vendor://[user[:password]@]host[:port][/database][?params]}
	 * form.
	 * @param jdbcUrl the URL, may be {@code null}
	 * @return the target, {@link #UNKNOWN} when the URL is of another form
	 */
	public static JdbcTarget parse(@Nullable String jdbcUrl) {
		if (jdbcUrl == null) {
			return UNKNOWN;
		}
		int authorityStart = jdbcUrl.indexOf("//");
		if (authorityStart < 0) {
			return UNKNOWN;
		}
		String rest = jdbcUrl.substring(authorityStart + 2);
		int end = indexOfAny(rest, "/?;");
		String authority = (end < 0) ? rest : rest.substring(0, end);
		int at = authority.lastIndexOf('@');
		if (at >= 0) {
			authority = authority.substring(at + 1);
		}
		String host = authority;
		Integer port = null;
		int colon = authority.lastIndexOf(':');
		if (colon > 0 && authority.indexOf(',') < 0 && !authority.endsWith("]")) {
			host = authority.substring(0, colon);
			port = parsePort(authority.substring(colon + 1));
		}
		String database = null;
		if (end >= 0 && rest.charAt(end) == '/') {
			String path = rest.substring(end + 1);
			int paramStart = indexOfAny(path, "?;");
			database = (paramStart < 0) ? path : path.substring(0, paramStart);
		}
		return new JdbcTarget(host.isEmpty() ? null : host, port,
				(database == null || database.isEmpty()) ? null : database);
	}

	private static @Nullable Integer parsePort(String text) {
		try {
			return Integer.valueOf(text);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static int indexOfAny(String text, String characters) {
		for (int i = 0; i < text.length(); i++) {
			if (characters.indexOf(text.charAt(i)) >= 0) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * Describe the target as {@code host:port/database}, with {@code ?} for unknown parts.
	 * @return the description
	 */
	public String describe() {
		return ((this.host != null) ? this.host : "?") + ((this.port != null) ? ":" + this.port : "") + "/"
				+ ((this.database != null) ? this.database : "?");
	}

}
