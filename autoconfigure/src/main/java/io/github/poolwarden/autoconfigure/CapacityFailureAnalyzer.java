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

import io.github.poolwarden.capacity.CapacityException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a pool that cannot fit in what the server can still give, when
 * {@code poolwarden.capacity.enforce=true}.
 *
 * @author PoolWarden authors
 */
class CapacityFailureAnalyzer extends AbstractFailureAnalyzer<CapacityException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, CapacityException cause) {
		return new FailureAnalysis("PoolWarden found a pool that cannot fit on its database server:\n\n    "
				+ cause.getMessage(),
				"Lower spring.datasource.hikari.maximum-pool-size, raise the server's max_connections or the role's "
						+ "or database's CONNECTION LIMIT, or set poolwarden.capacity.enforce=false to only warn.",
				cause);
	}

}
