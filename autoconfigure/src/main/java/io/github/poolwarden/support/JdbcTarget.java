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

import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Where a JDBC URL points, without credentials or parameters: host, port and database
 * for the usual {@code jdbc:vendor://host:port/database} form, or the vendor and its
 * location for other forms ({@code jdbc:h2:mem:testdb} is "H2 mem:testdb"). Parsing is
 * best effort and never fails: parts that cannot be found are {@code null}.
 *
 * @param vendor the vendor's name as the URL spells it ({@code postgresql},
 * {@code h2}), or {@code null}
 * @param host the host, or {@code null}
 * @param port the port, or {@code null} when the URL names none
 * @param database the database, or {@code null}
 * @param location what the URL names when it has no host: {@code mem:testdb}, a file
 * path, a service descriptor; {@code null} otherwise
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record JdbcTarget(@Nullable String vendor, @Nullable String host, @Nullable Integer port,
		@Nullable String database, @Nullable String location) {

	/**
	 * An unknown target.
	 */
	public static final JdbcTarget UNKNOWN = new JdbcTarget(null, null, null, null, null);

	private static final Map<String, String> VENDOR_NAMES = Map.ofEntries(Map.entry("postgresql", "PostgreSQL"),
			Map.entry("mariadb", "MariaDB"), Map.entry("mysql", "MySQL"), Map.entry("h2", "H2"),
			Map.entry("hsqldb", "HSQLDB"), Map.entry("derby", "Derby"), Map.entry("sqlserver", "SQL Server"),
			Map.entry("oracle", "Oracle"), Map.entry("sqlite", "SQLite"), Map.entry("db2", "DB2"),
			Map.entry("tc", "Testcontainers"));

	/**
	 * Parse a JDBC URL.
	 * @param jdbcUrl the URL, may be {@code null}
	 * @return the target, {@link #UNKNOWN} when the URL is {@code null} or not a JDBC URL
	 */
	public static JdbcTarget parse(@Nullable String jdbcUrl) {
		if (jdbcUrl == null || !jdbcUrl.regionMatches(true, 0, "jdbc:", 0, 5)) {
			return UNKNOWN;
		}
		String rest = jdbcUrl.substring(5);
		int colon = rest.indexOf(':');
		String vendor = (colon > 0) ? rest.substring(0, colon).toLowerCase(Locale.ROOT) : null;
		String afterVendor = (colon > 0) ? rest.substring(colon + 1) : rest;
		int authorityStart = afterVendor.indexOf("//");
		if (authorityStart < 0 || afterVendor.substring(0, authorityStart).contains("@")) {
			return new JdbcTarget(vendor, null, null, null, location(afterVendor));
		}
		return parseAuthority(vendor, afterVendor.substring(authorityStart + 2));
	}

	private static JdbcTarget parseAuthority(@Nullable String vendor, String rest) {
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
		else if (end >= 0 && rest.charAt(end) == ';') {
			database = parameter(rest.substring(end + 1), "databasename", "database");
		}
		return new JdbcTarget(vendor, host.isEmpty() ? null : host, port,
				(database == null || database.isEmpty()) ? null : database, null);
	}

	/**
	 * What a URL without a host names, without parameters and without credentials (the
	 * {@code user/password@} of an Oracle thin URL).
	 */
	private static @Nullable String location(String afterVendor) {
		String location = afterVendor;
		int params = indexOfAny(location, "?;");
		if (params >= 0) {
			location = location.substring(0, params);
		}
		int at = location.lastIndexOf('@');
		if (at >= 0) {
			int credentialsStart = location.lastIndexOf(':', at);
			location = location.substring(0, credentialsStart + 1) + location.substring(at);
		}
		return location.isEmpty() ? null : location;
	}

	private static @Nullable String parameter(String parameters, String... names) {
		for (String parameter : parameters.split(";")) {
			int equals = parameter.indexOf('=');
			if (equals > 0) {
				String key = parameter.substring(0, equals).trim().toLowerCase(Locale.ROOT);
				for (String name : names) {
					if (key.equals(name)) {
						return parameter.substring(equals + 1).trim();
					}
				}
			}
		}
		return null;
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
	 * Return the vendor's display name: {@code PostgreSQL}, {@code H2}.
	 * @return the name, or {@code null} when the URL named no vendor
	 */
	public @Nullable String vendorName() {
		if (this.vendor == null) {
			return null;
		}
		return VENDOR_NAMES.getOrDefault(this.vendor, this.vendor);
	}

	/**
	 * Describe the target: {@code host:port/database} when the URL names a host,
	 * {@code H2 mem:testdb} when it names a location, {@code an unknown database} when
	 * neither could be found.
	 * @return the description
	 */
	public String describe() {
		if (this.host != null) {
			return this.host + ((this.port != null) ? ":" + this.port : "")
					+ ((this.database != null) ? "/" + this.database : "");
		}
		String vendorName = vendorName();
		if (this.location != null) {
			return (vendorName != null) ? vendorName + " " + this.location : this.location;
		}
		if (this.database != null) {
			return (vendorName != null) ? vendorName + " " + this.database : this.database;
		}
		return (vendorName != null) ? vendorName + " (no host in the URL)" : "an unknown database";
	}

	/**
	 * Return the server this target names, {@code host:port}, to tell which pools share
	 * a server.
	 * @return the server, or {@code null} when the URL names no host
	 */
	public @Nullable String server() {
		return (this.host != null) ? this.host + ":" + ((this.port != null) ? this.port : "default") : null;
	}

}
