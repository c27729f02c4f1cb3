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

package io.github.poolwarden.support;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RateLimiter}.
 */
class RateLimiterTests {

	@Test
	void letsTheFirstEventThroughAndCountsWhatItHoldsBack() {
		RateLimiter limiter = new RateLimiter(Duration.ofHours(1));

		assertThat(limiter.tryPass()).isZero();
		for (int i = 0; i < 100; i++) {
			assertThat(limiter.tryPass()).isEqualTo(-1);
		}
	}

	@Test
	void passesOncePerIntervalOnItsClock() {
		AtomicLong clock = new AtomicLong(5_000);
		RateLimiter limiter = new RateLimiter(Duration.ofNanos(100), clock::get);

		assertThat(limiter.tryPass()).isZero();
		clock.addAndGet(99);
		assertThat(limiter.tryPass()).isEqualTo(-1);
		assertThat(limiter.tryPass()).isEqualTo(-1);
		clock.addAndGet(1);
		assertThat(limiter.tryPass()).isEqualTo(2);
		assertThat(limiter.tryPass()).isEqualTo(-1);
		clock.addAndGet(100);
		assertThat(limiter.tryPass()).isEqualTo(1);
	}

	@Test
	void reportsHowManyWereHeldBackWhenTheNextOnePasses() {
		RateLimiter limiter = new RateLimiter(Duration.ofMillis(50));
		assertThat(limiter.tryPass()).isZero();
		for (int i = 0; i < 3; i++) {
			assertThat(limiter.tryPass()).isEqualTo(-1);
		}

		long[] passed = { -1 };
		await().atMost(Duration.ofSeconds(5)).until(() -> (passed[0] = limiter.tryPass()) >= 0);

		assertThat(passed[0]).isGreaterThanOrEqualTo(3);
		assertThat(limiter.tryPass()).isEqualTo(-1);
	}

}
