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
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import com.zaxxer.hikari.SQLExceptionOverride;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Names PgBouncer's prepared-statement trap the first time a pool falls into it, whatever
 * the settings: pgjdbc prepares a statement under a name ({@code S_1}, …) on the server
 * connection it has after {@code prepareThreshold} (5) executions, and a transaction
 * pooler (PgBouncer in transaction or statement mode) runs the next execution on another
 * server connection, where the name is unknown ({@code 26000}), already taken
 * ({@code 42P05}) or bound to another statement ({@code 08P01}, "bind message
 * supplies…"). Such an error on a connection pgjdbc believes is its own is how PgBouncer
 * is recognised: nothing on the wire says a client talks to PgBouncer rather than to
 * PostgreSQL. One WARN per pool names the fix for either side of PgBouncer 1.21; every
 * decision about eviction is the delegate's (or HikariCP's).
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class PreparedStatementTrapOverride implements SQLExceptionOverride {

	private static final Log logger = LogFactory.getLog(PreparedStatementTrapOverride.class);

	private final String poolName;

	private final @Nullable SQLExceptionOverride delegate;

	private final AtomicBoolean warned = new AtomicBoolean();

	/**
	 * Create an override.
	 * @param poolName the pool's name, for the WARN line
	 * @param delegate what decides about eviction, or {@code null} for HikariCP's own rules
	 */
	public PreparedStatementTrapOverride(String poolName, @Nullable SQLExceptionOverride delegate) {
		this.poolName = poolName;
		this.delegate = delegate;
	}

	@java.lang.Override
	public SQLExceptionOverride.Override adjudicate(SQLException ex) {
		if (!this.warned.get() && isTrap(ex) && this.warned.compareAndSet(false, true)) {
			logger.warn(this.poolName + " - a statement failed as pgjdbc's prepared statements fail behind a "
					+ "transaction pooler such as PgBouncer (SQLState " + ex.getSQLState() + ": " + ex.getMessage()
					+ "): pgjdbc prepared it on one server connection and the pooler ran it on another. Add "
					+ "prepareThreshold=0 to spring.datasource.url (PgBouncer before 1.21), or, with PgBouncer 1.21 "
					+ "or later, set max_prepared_statements in pgbouncer.ini. This is said once per pool.");
		}
		return (this.delegate != null) ? this.delegate.adjudicate(ex) : SQLExceptionOverride.Override.CONTINUE_EVICT;
	}

	/**
	 * Whether an error is the prepared-statement trap of a transaction pooler.
	 * @param ex the error
	 * @return whether it names one of pgjdbc's server-prepared statements as unknown,
	 * already taken, or bound with the wrong parameters
	 */
	static boolean isTrap(SQLException ex) {
		String state = ex.getSQLState();
		String message = (ex.getMessage() != null) ? ex.getMessage().toLowerCase(Locale.ROOT) : "";
		if ("26000".equals(state) || "42P05".equals(state)) {
			return message.contains("prepared statement \"s_");
		}
		return "08P01".equals(state) && message.contains("bind message supplies")
				&& message.contains("prepared statement \"s_");
	}

	/**
	 * Return whether the trap was seen on this pool.
	 * @return whether the WARN was logged
	 */
	public boolean isSeen() {
		return this.warned.get();
	}

}
