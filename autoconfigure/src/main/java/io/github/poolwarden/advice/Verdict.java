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

package io.github.poolwarden.advice;

import java.util.Locale;

/**
 * What to do about a pool's size.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public enum Verdict {

	/**
	 * The size fits the demand.
	 */
	KEEP,

	/**
	 * Callers waited for connections the server can give: set the recommended size.
	 */
	GROW,

	/**
	 * Demand stayed well under the size for the whole window: the connections can go to
	 * other instances or clients of the server.
	 */
	SHRINK,

	/**
	 * The code, not the size: a leak, one call site holding most of the connection-time
	 * far longer than the rest, or nested acquisitions that can deadlock the pool.
	 */
	FIX_CODE,

	/**
	 * Demand needs more connections than the server can give this instance.
	 */
	SERVER_LIMITED,

	/**
	 * Connections are held waiting inside the database (locks), or hold times rise with
	 * the number of active connections: more connections would only wait longer.
	 */
	DATABASE_BOUND,

	/**
	 * Too little traffic, or too short a time, to judge.
	 */
	NOT_ENOUGH_DATA;

	/**
	 * Return the verdict as it is shown: lower case, words joined by a hyphen.
	 * @return the value, for example {@code fix-code}
	 */
	public String value() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
