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

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the defaults {@link RetrySettings} derives from the budget.
 */
class RetrySettingsTests {

	@Test
	void defaultDelayMakesFourAttemptsFillBootsThirtySeconds() {
		assertThat(RetrySettings.defaultDelay(Duration.ofSeconds(30), 3, 2.0)).isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void defaultDelayIsNeverLongerThanTwoSeconds() {
		assertThat(RetrySettings.defaultDelay(Duration.ofMinutes(5), 3, 2.0)).isEqualTo(Duration.ofSeconds(2));
		assertThat(RetrySettings.defaultDelay(Duration.ofMillis(Integer.MAX_VALUE), 3, 2.0))
			.isEqualTo(Duration.ofSeconds(2));
		assertThat(RetrySettings.defaultDelay(Duration.ofSeconds(30), 0, 2.0)).isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void defaultDelayIsNeverShorterThanHikarisShortestWaitUnlessTheBudgetIs() {
		assertThat(RetrySettings.defaultDelay(Duration.ofSeconds(2), 3, 2.0)).isEqualTo(Duration.ofMillis(250));
		assertThat(RetrySettings.defaultDelay(Duration.ofSeconds(30), 20, 2.0)).isEqualTo(Duration.ofMillis(250));
		assertThat(RetrySettings.defaultDelay(Duration.ofMillis(100), 3, 2.0)).isEqualTo(Duration.ofMillis(100));
	}

	@Test
	void defaultDelayWithoutGrowthSharesTheBudgetEqually() {
		assertThat(RetrySettings.defaultDelay(Duration.ofSeconds(4), 3, 1.0)).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void defaultJitterIsATenthOfTheDelay() {
		assertThat(RetrySettings.defaultJitter(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(200));
	}

	@Test
	void firstAttemptIsTheDelayOrTheWholeBudget() {
		Duration delay = Duration.ofSeconds(2);
		Duration timeout = Duration.ofSeconds(30);
		assertThat(new RetrySettings(3, delay, 2.0, timeout, Duration.ZERO, timeout).firstAttempt()).isEqualTo(delay);
		assertThat(new RetrySettings(0, delay, 2.0, timeout, Duration.ZERO, timeout).firstAttempt()).isEqualTo(timeout);
		assertThat(new RetrySettings(3, Duration.ofMinutes(1), 2.0, timeout, Duration.ZERO, timeout).firstAttempt())
			.isEqualTo(timeout);
	}

}
