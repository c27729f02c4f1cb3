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

import java.sql.SQLException;

import com.zaxxer.hikari.SQLExceptionOverride;

/**
 * Makes HikariCP evict a connection that answers that the database is read-only: after a
 * failover, pooled connections to the old primary, now a replica, would otherwise stay
 * in the pool and fail every write for as long as they live (HikariCP #2185). Recognized:
 * SQLState {@code 25006} (PostgreSQL, and MariaDB's and MySQL's error 1792, a write in a
 * read-only transaction), and from MariaDB and MySQL error 1836 (read-only mode) and 1290
 * when it names the {@code read-only} option. Every other decision is left to HikariCP.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class ReadOnlyEvictingExceptionOverride implements SQLExceptionOverride {

	/**
	 * The SQLState of a write in a read-only transaction.
	 */
	public static final String READ_ONLY_SQL_TRANSACTION = "25006";

	@java.lang.Override
	public SQLExceptionOverride.Override adjudicate(SQLException ex) {
		return isReadOnly(ex) ? SQLExceptionOverride.Override.MUST_EVICT : SQLExceptionOverride.Override.CONTINUE_EVICT;
	}

	static boolean isReadOnly(SQLException ex) {
		if (READ_ONLY_SQL_TRANSACTION.equals(ex.getSQLState())) {
			return true;
		}
		int code = ex.getErrorCode();
		if ((code == 1836 || code == 1290 || code == 1792) && ConnectionFailure.isMySqlFamily(ex)) {
			String message = (ex.getMessage() != null) ? ex.getMessage().toLowerCase(java.util.Locale.ROOT) : "";
			return code != 1290 || message.contains("read-only") || message.contains("read_only");
		}
		return false;
	}

}
