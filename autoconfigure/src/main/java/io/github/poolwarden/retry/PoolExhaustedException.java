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

package io.github.poolwarden.retry;

import java.sql.SQLTransientConnectionException;

/**
 * Thrown when a pool stayed exhausted through every retry PoolWarden was allowed. The
 * message names the pool, the attempts, the time waited and the pool's counts at the
 * end; the cause is HikariCP's last timeout, earlier ones are suppressed.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class PoolExhaustedException extends SQLTransientConnectionException {

	private final String poolName;

	private final int attempts;

	private final long waitedMillis;

	/**
	 * Create an exception.
	 * @param message the full message
	 * @param poolName the pool
	 * @param attempts the attempts made, the first included
	 * @param waitedMillis the total time waited
	 * @param cause HikariCP's last exception
	 */
	public PoolExhaustedException(String message, String poolName, int attempts, long waitedMillis,
			SQLTransientConnectionException cause) {
		super(message, null, cause);
		this.poolName = poolName;
		this.attempts = attempts;
		this.waitedMillis = waitedMillis;
	}

	/**
	 * Return the pool's name.
	 * @return the pool name
	 */
	public String getPoolName() {
		return this.poolName;
	}

	/**
	 * Return the attempts made, the first included.
	 * @return the attempts
	 */
	public int getAttempts() {
		return this.attempts;
	}

	/**
	 * Return the total time waited, in milliseconds.
	 * @return the time waited
	 */
	public long getWaitedMillis() {
		return this.waitedMillis;
	}

}
