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

/**
 * What a database server, or the connection pooler in front of it, can give one account
 * in one database, read at one moment.
 * <ul>
 * <li>PostgreSQL: {@code max_connections} less the reserved slots, the role's and the
 * database's {@code CONNECTION LIMIT}, and the client backends using each.</li>
 * <li>MariaDB and MySQL: {@code max_connections}, the account's limit (the smaller of the
 * global {@code max_user_connections} and the account's own {@code MAX_USER_CONNECTIONS}),
 * {@code Threads_connected} and the account's own threads; there is no database
 * limit.</li>
 * <li>PgBouncer: its {@code max_client_conn} and the client connections it serves, read on
 * its admin console. The server behind it is not seen: PgBouncer shares a few server
 * connections among many clients, so the server's {@code max_connections} does not bound
 * a pool that connects through it.</li>
 * </ul>
 *
 * @param source what the numbers were read from
 * @param maxConnections the server's {@code max_connections}, or PgBouncer's
 * {@code max_client_conn}
 * @param reserved slots the account cannot use: PostgreSQL's
 * {@code superuser_reserved_connections} and {@code reserved_connections}, or zero
 * @param serverInUse client connections open on the server (or PgBouncer)
 * @param role the role (PostgreSQL) or account ({@code 'user'@'host'}, MariaDB)
 * @param roleLimit the role's or account's connection limit, or -1 for none
 * @param roleInUse client connections open by the role or account
 * @param database the database
 * @param databaseLimit the database's {@code CONNECTION LIMIT}, or -1 for none
 * @param databaseInUse client connections open to the database
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record ServerCapacity(Source source, int maxConnections, int reserved, int serverInUse, String role,
		int roleLimit, int roleInUse, String database, int databaseLimit, int databaseInUse) {

	/**
	 * A capacity with no role or database limit, as PgBouncer gives it.
	 * @param source what the numbers were read from
	 * @param maxConnections the limit
	 * @param inUse the connections open against it
	 * @return the capacity
	 */
	public static ServerCapacity of(Source source, int maxConnections, int inUse) {
		return new ServerCapacity(source, maxConnections, 0, inUse, "", -1, 0, "", -1, 0);
	}

	/**
	 * Return the connections the server lets this role open, whoever holds them.
	 * @return the usable server slots
	 */
	public int serverUsable() {
		return Math.max(0, this.maxConnections - this.reserved);
	}

	/**
	 * Return the binding limit: the smallest of the server's usable slots, the role's
	 * limit and the database's limit.
	 * @return the limit
	 */
	public int limit() {
		int limit = serverUsable();
		if (this.roleLimit >= 0) {
			limit = Math.min(limit, this.roleLimit);
		}
		if (this.databaseLimit >= 0) {
			limit = Math.min(limit, this.databaseLimit);
		}
		return limit;
	}

	/**
	 * Return the connections in use against the binding limit.
	 * @return the connections in use
	 */
	public int used() {
		int limit = limit();
		if (this.roleLimit >= 0 && this.roleLimit == limit) {
			return this.roleInUse;
		}
		if (this.databaseLimit >= 0 && this.databaseLimit == limit) {
			return this.databaseInUse;
		}
		return this.serverInUse;
	}

	/**
	 * Return how many connections a pool holding {@code own} of them could have in all:
	 * its own plus what every limit still leaves.
	 * @param own the connections the pool holds now
	 * @return the connections the pool can have
	 */
	public int headroomFor(int own) {
		int headroom = serverUsable() - (this.serverInUse - own);
		if (this.roleLimit >= 0) {
			headroom = Math.min(headroom, this.roleLimit - (this.roleInUse - own));
		}
		if (this.databaseLimit >= 0) {
			headroom = Math.min(headroom, this.databaseLimit - (this.databaseInUse - own));
		}
		return Math.max(0, headroom);
	}

	/**
	 * Describe the limits and their use for a pool holding {@code own} connections.
	 * @param own the connections the pool holds now
	 * @return the description
	 */
	public String describe(int own) {
		return switch (this.source) {
			case PGBOUNCER -> "PgBouncer max_client_conn " + this.maxConnections + ", " + (this.serverInUse - own)
					+ " in use by other clients";
			case MARIADB -> "server max_connections " + this.maxConnections + ", " + (this.serverInUse - own)
					+ " in use by others; account " + this.role + " "
					+ ((this.roleLimit >= 0) ? "max_user_connections " + this.roleLimit + ", "
							+ (this.roleInUse - own) + " in use by others" : "no limit");
			case POSTGRESQL -> "server max_connections " + this.maxConnections + " - " + this.reserved
					+ " reserved, " + (this.serverInUse - own) + " in use by others; role '" + this.role + "' "
					+ ((this.roleLimit >= 0) ? "CONNECTION LIMIT " + this.roleLimit + ", " + (this.roleInUse - own)
							+ " in use by others" : "no limit")
					+ "; database '" + this.database + "' " + ((this.databaseLimit >= 0) ? "CONNECTION LIMIT "
							+ this.databaseLimit + ", " + (this.databaseInUse - own) + " in use by others" : "no limit");
		};
	}

	/**
	 * Describe the limit the whole fleet of the application's instances shares: the
	 * server's usable slots, or the role's, account's or database's limit when smaller.
	 * @return the description, as {@code role 'app' CONNECTION LIMIT 40}
	 */
	public String describeLimit() {
		int limit = limit();
		if (this.roleLimit >= 0 && this.roleLimit == limit) {
			return (this.source == Source.MARIADB) ? "account " + this.role + " max_user_connections " + limit
					: "role '" + this.role + "' CONNECTION LIMIT " + limit;
		}
		if (this.databaseLimit >= 0 && this.databaseLimit == limit) {
			return "database '" + this.database + "' CONNECTION LIMIT " + limit;
		}
		return switch (this.source) {
			case PGBOUNCER -> "PgBouncer max_client_conn " + limit;
			case MARIADB -> "server max_connections " + limit;
			case POSTGRESQL -> "server max_connections " + this.maxConnections + " - " + this.reserved + " reserved";
		};
	}

	/**
	 * What the numbers of a {@link ServerCapacity} were read from.
	 */
	public enum Source {

		/**
		 * A PostgreSQL server, directly.
		 */
		POSTGRESQL,

		/**
		 * A MariaDB or MySQL server.
		 */
		MARIADB,

		/**
		 * PgBouncer's admin console: the pooler, not the server behind it.
		 */
		PGBOUNCER

	}

}
