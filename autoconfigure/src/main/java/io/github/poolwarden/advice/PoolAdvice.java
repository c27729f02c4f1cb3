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

import org.jspecify.annotations.Nullable;

/**
 * What size a pool should have, and why.
 *
 * @param pool the pool's name
 * @param verdict what to do
 * @param currentMaximumPoolSize the pool's {@code maximumPoolSize} now
 * @param recommendedMaximumPoolSize the size to set: the current size when the verdict is
 * {@code keep}, {@code fix-code}, {@code database-bound} or {@code not-enough-data}
 * @param confidence how much evidence it stands on
 * @param message one sentence with the evidence and the number
 * @param callSite the call site to fix, for {@code fix-code}
 * @param evidence the numbers
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record PoolAdvice(String pool, Verdict verdict, int currentMaximumPoolSize, int recommendedMaximumPoolSize,
		Confidence confidence, String message, @Nullable String callSite, Evidence evidence) {

	/**
	 * Whether this advice says the same as another: the same verdict and size.
	 * @param other the other advice, or {@code null}
	 * @return whether nothing changed
	 */
	public boolean sameAs(@Nullable PoolAdvice other) {
		return other != null && other.verdict == this.verdict
				&& other.recommendedMaximumPoolSize == this.recommendedMaximumPoolSize;
	}

}
