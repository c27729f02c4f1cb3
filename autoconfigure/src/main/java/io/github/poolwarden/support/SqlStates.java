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
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What PoolWarden knows about SQLStates: where to find one in an exception, and which
 * ones say that the database is not ready yet rather than misconfigured.
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

	private static final Set<String> NOT_READY = Set.of(TOO_MANY_CONNECTIONS, CANNOT_CONNECT_NOW, "57P01", "57P02");

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

	/**
	 * Whether a failure with this SQLState can go away by waiting: the database is not
	 * reachable yet (class {@code 08}), is starting or recovering ({@code 57P0x}) or has
	 * no connection slot free ({@code 53300}). Credentials ({@code 28xxx}), an unknown
	 * database ({@code 3D000}) or a bad driver property ({@code 22023}) do not.
	 * @param sqlState the SQLState, may be {@code null} (a failure without one, such as
	 * a timeout, is taken as worth waiting for)
	 * @return whether waiting may help
	 */
	public static boolean isWorthWaitingFor(@Nullable String sqlState) {
		return sqlState == null || sqlState.startsWith("08") || NOT_READY.contains(sqlState);
	}

}
