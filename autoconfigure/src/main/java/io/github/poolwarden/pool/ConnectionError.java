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

package io.github.poolwarden.pool;

import java.sql.SQLException;
import java.time.Instant;

import io.github.poolwarden.support.CredentialMasker;
import io.github.poolwarden.support.SqlStates;
import org.jspecify.annotations.Nullable;

/**
 * A failure to get a connection, as health details show it: the SQLState and a message
 * with credentials masked.
 *
 * @param sqlState the SQLState, or {@code null}
 * @param message the message, credentials masked
 * @param at when it happened
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record ConnectionError(@Nullable String sqlState, String message, Instant at) {

	private static final int MAX_MESSAGE_LENGTH = 300;

	/**
	 * Describe an exception.
	 * @param ex the exception
	 * @param password the pool's password, to mask
	 * @return the error
	 */
	public static ConnectionError of(Throwable ex, @Nullable String password) {
		// The server's own words: the innermost exception with a SQLState (HikariCP wraps
		// the driver's in a timeout of its own), else the first with a message.
		Throwable described = ex;
		while (described.getMessage() == null && described.getCause() != null && described.getCause() != described) {
			described = described.getCause();
		}
		int depth = 0;
		for (Throwable each = ex; each != null && depth < 16; each = each.getCause(), depth++) {
			if (each instanceof SQLException sql && sql.getSQLState() != null && sql.getMessage() != null) {
				described = each;
			}
		}
		String message = (described.getMessage() != null) ? described.getMessage() : described.getClass().getName();
		message = CredentialMasker.mask(message, password);
		if (message.length() > MAX_MESSAGE_LENGTH) {
			message = message.substring(0, MAX_MESSAGE_LENGTH) + "…";
		}
		String sqlState = (ex instanceof SQLException) ? SqlStates.find(ex) : null;
		return new ConnectionError(sqlState, message, Instant.now());
	}

}
