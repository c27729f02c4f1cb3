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

import io.github.poolwarden.support.ConnectionFailure;
import org.jspecify.annotations.Nullable;

/**
 * What to do about a failure to connect, for the failure analyzers' reports.
 *
 * @author PoolWarden authors
 */
final class FailureActions {

	private FailureActions() {
	}

	static String forFailure(ConnectionFailure failure, String target, boolean timedOut) {
		String state = (failure.sqlState() != null) ? failure.sqlState() : "";
		if (failure.vendorCode() == 1045 || state.startsWith("28")) {
			return "Check spring.datasource.username and spring.datasource.password: the role must exist, "
					+ "be allowed to log in, and the password must match.";
		}
		if (failure.vendorCode() == 1049 || state.equals("3D000")) {
			return "Create the database, or fix the database name in spring.datasource.url (" + target + ").";
		}
		if (failure.vendorCode() == 1044) {
			return "Check the database name in spring.datasource.url (" + target + "): it may be mistyped. If it "
					+ "is right, grant the account access to it (GRANT ALL ON <database>.* TO <account>).";
		}
		if (state.equals("08004") && failure.kind() == ConnectionFailure.Kind.CONFIGURATION) {
			return "The server requires something the connection does not give it (" + failure.meaning()
					+ "): set spring.datasource.password, or fix the SSL settings in spring.datasource.url.";
		}
		if (state.equals("22023")) {
			return "Fix the driver property named in the cause, in spring.datasource.url or "
					+ "spring.datasource.hikari.data-source-properties.";
		}
		if (failure.kind() == ConnectionFailure.Kind.FULL) {
			return "The server, the database, the role or a proxy has no connection slot left (" + failure.meaning()
					+ "): close other clients, raise the limit, or lower spring.datasource.hikari.maximum-pool-size.";
		}
		if (failure.kind() == ConnectionFailure.Kind.CONFIGURATION) {
			return "Fix the configuration the cause names (" + failure.meaning() + ").";
		}
		if (timedOut || failure.kind() == ConnectionFailure.Kind.NOT_READY) {
			return "Make sure the database at " + target + " is running and reachable from this host. To wait "
					+ "longer for it at startup, raise poolwarden.startup.timeout; to skip verification, set "
					+ "poolwarden.startup.verify=false.";
		}
		return "Fix the cause above. To skip verification, set poolwarden.startup.verify=false.";
	}

	static String orUnknown(@Nullable Object value) {
		return (value != null) ? value.toString() : "(unknown)";
	}

}
