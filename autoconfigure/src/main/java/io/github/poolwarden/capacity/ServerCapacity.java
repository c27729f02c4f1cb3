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
 * What a PostgreSQL server can give one role in one database, read at one moment.
 *
 * @param maxConnections the server's {@code max_connections}
 * @param reserved slots the role cannot use: {@code superuser_reserved_connections} and
 * {@code reserved_connections}, or zero for a superuser
 * @param serverInUse client connections open on the server
 * @param role the role
 * @param roleLimit the role's {@code CONNECTION LIMIT}, or -1 for none
 * @param roleInUse client connections open by the role
 * @param database the database
 * @param databaseLimit the database's {@code CONNECTION LIMIT}, or -1 for none
 * @param databaseInUse client connections open to the database
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record ServerCapacity(int maxConnections, int reserved, int serverInUse, String role, int roleLimit,
		int roleInUse, String database, int databaseLimit, int databaseInUse) {

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
		return "server max_connections " + this.maxConnections + " - " + this.reserved + " reserved, "
				+ (this.serverInUse - own) + " in use by others; role '" + this.role + "' "
				+ ((this.roleLimit >= 0) ? "CONNECTION LIMIT " + this.roleLimit + ", " + (this.roleInUse - own)
						+ " in use by others" : "no limit")
				+ "; database '" + this.database + "' " + ((this.databaseLimit >= 0) ? "CONNECTION LIMIT "
						+ this.databaseLimit + ", " + (this.databaseInUse - own) + " in use by others" : "no limit");
	}

}
