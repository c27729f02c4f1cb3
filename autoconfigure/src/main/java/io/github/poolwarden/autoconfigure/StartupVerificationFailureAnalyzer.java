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

package io.github.poolwarden.autoconfigure;

import io.github.poolwarden.startup.StartupVerificationException;
import io.github.poolwarden.support.JdbcTarget;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link StartupVerificationException} into a report that names the pool, the
 * database, the SQLState, the cause, how long PoolWarden waited, and what to do.
 *
 * @author PoolWarden authors
 */
class StartupVerificationFailureAnalyzer extends AbstractFailureAnalyzer<StartupVerificationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, StartupVerificationException cause) {
		JdbcTarget target = cause.getTarget();
		String description = String.format("PoolWarden could not verify the connection pool '%s' before the "
				+ "application takes traffic.%n%n" + "    Pool:      %s%n" + "    Host:      %s%n"
				+ "    Port:      %s%n" + "    Database:  %s%n" + "    SQLState:  %s%n" + "    Cause:     %s%n"
				+ "    Waited:    %d ms, %d attempt%s%s%n", cause.getPoolName(), cause.getPoolName(),
				orUnknown(target.host()), orUnknown(target.port()), orUnknown(target.database()),
				orUnknown(cause.getSqlState()), cause.getReason(), cause.getWaited().toMillis(), cause.getAttempts(),
				(cause.getAttempts() == 1) ? "" : "s",
				cause.isTimedOut() ? " (poolwarden.startup.timeout ran out)" : " (an error that waiting cannot fix)");
		return new FailureAnalysis(description, action(cause), cause);
	}

	private static String action(StartupVerificationException cause) {
		String state = (cause.getSqlState() != null) ? cause.getSqlState() : "";
		String target = cause.getTarget().describe();
		if (state.startsWith("28")) {
			return "Check spring.datasource.username and spring.datasource.password: the role must exist, "
					+ "be allowed to log in, and the password must match.";
		}
		if (state.equals("3D000")) {
			return "Create the database, or fix the database name in spring.datasource.url (" + target + ").";
		}
		if (state.equals("22023")) {
			return "Fix the driver property named in the cause, in spring.datasource.url or "
					+ "spring.datasource.hikari.data-source-properties.";
		}
		if (state.equals("53300")) {
			return "The server or the role has no connection slot left: close other clients, raise "
					+ "max_connections or the role's CONNECTION LIMIT, or lower spring.datasource.hikari.maximum-pool-size.";
		}
		if (cause.isTimedOut() || state.startsWith("08") || state.startsWith("57")) {
			return "Make sure the database at " + target + " is running and reachable from this host. To wait "
					+ "longer for it at startup, raise poolwarden.startup.timeout; to skip verification, set "
					+ "poolwarden.startup.verify=false.";
		}
		return "Fix the cause above. To skip verification, set poolwarden.startup.verify=false.";
	}

	private static String orUnknown(Object value) {
		return (value != null) ? value.toString() : "(unknown)";
	}

}
