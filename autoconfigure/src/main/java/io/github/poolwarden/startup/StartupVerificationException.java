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

package io.github.poolwarden.startup;

import java.time.Duration;

import io.github.poolwarden.support.ConnectionFailure;
import io.github.poolwarden.support.JdbcTarget;
import org.jspecify.annotations.Nullable;

/**
 * Thrown when a guarded pool cannot be verified at startup. The message never contains
 * a password.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class StartupVerificationException extends RuntimeException {

	private final String poolName;

	private final JdbcTarget target;

	private final ConnectionFailure failure;

	private final String reason;

	private final Duration waited;

	private final int attempts;

	private final boolean timedOut;

	StartupVerificationException(String poolName, JdbcTarget target, ConnectionFailure failure, String reason,
			Duration waited, int attempts, boolean timedOut, @Nullable Throwable cause) {
		super(describe(poolName, target, failure.sqlState(), reason, waited, attempts, timedOut), cause);
		this.poolName = poolName;
		this.target = target;
		this.failure = failure;
		this.reason = reason;
		this.waited = waited;
		this.attempts = attempts;
		this.timedOut = timedOut;
	}

	private static String describe(String poolName, JdbcTarget target, @Nullable String sqlState, String reason,
			Duration waited, int attempts, boolean timedOut) {
		return poolName + " - could not verify the pool for " + target.describe() + ((sqlState != null)
				? " (SQLState " + sqlState + ")" : "") + ": " + reason + "; " + (timedOut ? "gave up" : "failed")
				+ " after " + attempts + ((attempts == 1) ? " attempt" : " attempts") + " in " + waited.toMillis()
				+ " ms";
	}

	/**
	 * Return the name of the pool that failed.
	 * @return the pool name
	 */
	public String getPoolName() {
		return this.poolName;
	}

	/**
	 * Return where the pool connects.
	 * @return the target, without credentials
	 */
	public JdbcTarget getTarget() {
		return this.target;
	}

	/**
	 * Return the SQLState of the last failure.
	 * @return the SQLState, or {@code null} when the failure had none
	 */
	public @Nullable String getSqlState() {
		return this.failure.sqlState();
	}

	/**
	 * Return what the last failure means.
	 * @return the classified failure
	 */
	public ConnectionFailure getFailure() {
		return this.failure;
	}

	/**
	 * Return the reason of the last failure, with credentials masked.
	 * @return the reason
	 */
	public String getReason() {
		return this.reason;
	}

	/**
	 * Return how long verification waited before giving up.
	 * @return the time waited
	 */
	public Duration getWaited() {
		return this.waited;
	}

	/**
	 * Return how many times verification tried.
	 * @return the number of attempts
	 */
	public int getAttempts() {
		return this.attempts;
	}

	/**
	 * Return whether verification gave up because the startup timeout ran out, rather
	 * than failing at once on an error that waiting cannot fix.
	 * @return whether the timeout ran out
	 */
	public boolean isTimedOut() {
		return this.timedOut;
	}

}
