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

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Turns a {@link StartupVerificationException} into a report that names the pool, the
 * database, the SQLState, the cause, how long PoolWarden waited, and what to do.
 *
 * @author PoolWarden authors
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class StartupVerificationFailureAnalyzer extends AbstractFailureAnalyzer<StartupVerificationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, StartupVerificationException cause) {
		String description = String.format("PoolWarden could not verify the connection pool '%s' before anything "
				+ "could borrow from it.%n%n" + "    Pool:      %s%n" + "    Database:  %s%n" + "    SQLState:  %s%n"
				+ "    Meaning:   %s%n" + "    Cause:     %s%n" + "    Waited:    %d ms, %d attempt%s%s%n",
				cause.getPoolName(), cause.getPoolName(), cause.getTarget().describe(),
				FailureActions.orUnknown(cause.getSqlState()), cause.getFailure().meaning(), cause.getReason(),
				cause.getWaited().toMillis(), cause.getAttempts(), (cause.getAttempts() == 1) ? "" : "s",
				cause.isTimedOut() ? " (poolwarden.startup.timeout ran out)" : " (an error that waiting cannot fix)");
		return new FailureAnalysis(description, action(cause), cause);
	}

	private static String action(StartupVerificationException cause) {
		return FailureActions.forFailure(cause.getFailure(), cause.getTarget().describe(), cause.isTimedOut());
	}

}
