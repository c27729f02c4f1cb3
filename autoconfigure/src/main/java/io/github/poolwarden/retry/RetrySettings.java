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

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * How exhausted acquisitions are retried: an exponential backoff with jitter, bounded by
 * a number of retries and by the total time one {@code getConnection()} may take. The
 * names follow Spring Framework's {@code RetryPolicy.Builder}.
 *
 * @param maxRetries retries after the first attempt, zero or more
 * @param delay the first backoff, zero or more
 * @param multiplier how each backoff grows, at least 1
 * @param maxDelay the longest backoff, at least {@code delay}
 * @param jitter the random spread applied to each backoff, from zero to {@code delay}
 * @param timeout the total time one {@code getConnection()} may take, HikariCP's own
 * waits included
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record RetrySettings(long maxRetries, Duration delay, double multiplier, Duration maxDelay, Duration jitter,
		Duration timeout) {

	/**
	 * Check the settings.
	 * @throws IllegalArgumentException if a value is out of its range
	 */
	public RetrySettings {
		Assert.isTrue(maxRetries >= 0, () -> "Invalid maxRetries (" + maxRetries + "): must be zero or positive");
		Assert.isTrue(delay != null && !delay.isNegative(), () -> "Invalid delay (" + delay + "): must be zero or positive");
		Assert.isTrue(multiplier >= 1, () -> "Invalid multiplier (" + multiplier + "): must be at least 1");
		Assert.isTrue(maxDelay != null && maxDelay.compareTo(delay) >= 0,
				() -> "Invalid maxDelay (" + maxDelay + "): must be at least delay (" + delay + ")");
		Assert.isTrue(jitter != null && !jitter.isNegative() && jitter.compareTo(delay) <= 0,
				() -> "Invalid jitter (" + jitter + "): must be between zero and delay (" + delay + ")");
		Assert.isTrue(timeout != null && !timeout.isNegative() && !timeout.isZero(),
				() -> "Invalid timeout (" + timeout + "): must be positive");
	}

}
