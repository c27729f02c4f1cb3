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
 * How exhausted acquisitions are retried: an exponential backoff with jitter, served in
 * the pool's queue, bounded by a number of retries and by the total time one
 * {@code getConnection()} may take. The names follow Spring Framework's
 * {@code RetryPolicy.Builder}; each value is checked on its own, as Spring checks them,
 * so no value makes another invalid.
 * <p>
 * The first attempt waits {@code delay} in the pool's queue; each retry waits
 * {@code multiplier} times longer than the one before (up to {@code maxDelay}, spread
 * by {@code jitter}); the last retry waits whatever is left of {@code timeout}. A caller
 * therefore never waits longer than {@code timeout}, and one that will fail uses all
 * of it.
 *
 * @param maxRetries retries after the first attempt, zero or more
 * @param delay how long the first attempt waits in the pool's queue, zero or more
 * @param multiplier how each wait grows, at least 1
 * @param maxDelay the longest wait of any attempt but the last, positive
 * @param jitter the random spread of each retry's wait (scaled with the multiplier,
 * as Spring's {@code ExponentialBackOff} does), zero or more
 * @param timeout the total time one {@code getConnection()} may take, positive
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record RetrySettings(long maxRetries, Duration delay, double multiplier, Duration maxDelay, Duration jitter,
		Duration timeout) {

	/**
	 * The longest first attempt chosen when {@code delay} is not set: the operator hears
	 * about an exhausted pool within this time.
	 */
	public static final Duration LONGEST_DEFAULT_DELAY = Duration.ofSeconds(2);

	/**
	 * The shortest first attempt chosen when {@code delay} is not set (HikariCP's own
	 * shortest {@code connectionTimeout}), unless the timeout is shorter still.
	 */
	public static final Duration SHORTEST_DEFAULT_DELAY = Duration.ofMillis(250);

	/**
	 * Check the settings.
	 * @throws IllegalArgumentException if a value is out of its range
	 */
	public RetrySettings {
		Assert.isTrue(maxRetries >= 0, () -> "Invalid maxRetries (" + maxRetries + "): must be zero or positive");
		Assert.isTrue(delay != null && !delay.isNegative(), () -> "Invalid delay (" + delay + "): must be zero or positive");
		Assert.isTrue(multiplier >= 1 && !Double.isInfinite(multiplier),
				() -> "Invalid multiplier (" + multiplier + "): must be at least 1");
		Assert.isTrue(maxDelay != null && !maxDelay.isNegative() && !maxDelay.isZero(),
				() -> "Invalid maxDelay (" + maxDelay + "): must be positive");
		Assert.isTrue(jitter != null && !jitter.isNegative(), () -> "Invalid jitter (" + jitter + "): must be zero or positive");
		Assert.isTrue(timeout != null && !timeout.isNegative() && !timeout.isZero(),
				() -> "Invalid timeout (" + timeout + "): must be positive");
	}

	/**
	 * Return the delay chosen when none is set: the first attempt and {@code maxRetries}
	 * retries, each {@code multiplier} times longer, exactly fill {@code timeout};
	 * kept between {@link #SHORTEST_DEFAULT_DELAY} (or the timeout, when shorter) and
	 * {@link #LONGEST_DEFAULT_DELAY}. With Spring Boot's 30 s {@code connection-timeout},
	 * 3 retries and a multiplier of 2, that is 2 s: attempts of 2, 4, 8 and 16 s.
	 * @param timeout the total time one acquisition may take
	 * @param maxRetries retries after the first attempt
	 * @param multiplier how each wait grows
	 * @return the delay
	 */
	public static Duration defaultDelay(Duration timeout, long maxRetries, double multiplier) {
		long budget = timeout.toMillis();
		double attempts = 1 + (double) maxRetries;
		double share = (multiplier <= 1.0) ? 1 / attempts
				: (multiplier - 1) / (Math.pow(multiplier, attempts) - 1);
		long delay = Double.isFinite(share) ? (long) (budget * share) : 0;
		delay = Math.max(delay, Math.min(budget, SHORTEST_DEFAULT_DELAY.toMillis()));
		return Duration.ofMillis(Math.min(delay, LONGEST_DEFAULT_DELAY.toMillis()));
	}

	/**
	 * Return the jitter chosen when none is set: a tenth of the delay.
	 * @param delay the delay
	 * @return the jitter
	 */
	public static Duration defaultJitter(Duration delay) {
		return delay.dividedBy(10);
	}

	/**
	 * Return how long the first attempt waits in the pool's queue: the whole timeout when
	 * no retry is allowed, else {@code delay} (at most the timeout).
	 * @return the first attempt's wait
	 */
	public Duration firstAttempt() {
		if (this.maxRetries == 0 || this.delay.compareTo(this.timeout) > 0) {
			return this.timeout;
		}
		return this.delay;
	}

}
