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

import org.jspecify.annotations.Nullable;

/**
 * Where to find a SQLState in an exception, and the few PoolWarden names; what a failure
 * means is {@link ConnectionFailure}'s to decide.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class SqlStates {

	/**
	 * Refused because the server, the database or the role has no connection slot left.
	 */
	public static final String TOO_MANY_CONNECTIONS = "53300";

	/**
	 * The server is starting up, shutting down or recovering ("cannot connect now").
	 */
	public static final String CANNOT_CONNECT_NOW = "57P03";

	private SqlStates() {
	}

	/**
	 * Find the first SQLState in an exception, its causes and its chained exceptions.
	 * @param throwable the exception, may be {@code null}
	 * @return the SQLState, or {@code null} when none is set anywhere
	 */
	public static @Nullable String find(@Nullable Throwable throwable) {
		int depth = 0;
		for (Throwable current = throwable; current != null && depth < 16; current = current.getCause(), depth++) {
			if (current instanceof SQLException sqlException) {
				if (sqlException.getSQLState() != null) {
					return sqlException.getSQLState();
				}
				SQLException next = sqlException.getNextException();
				if (next != null && next != current && next.getSQLState() != null) {
					return next.getSQLState();
				}
			}
		}
		return null;
	}

}
