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

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DurationsTests {

	@ParameterizedTest
	@ValueSource(longs = { 0, 1_500, 7_000, 50_000, 99_000, 100_000, 1_234_567, 70_000_000, 3_600_000_000_000L })
	void aDurationReadBackIsWithinAnEighthOfWhatWasRecorded(long nanos) {
		long back = Durations.middleNanos(Durations.bucket(nanos));
		assertThat((double) Math.abs(back - nanos)).isLessThanOrEqualTo(Math.max(1000, nanos / 8.0));
	}

	@Test
	void bucketsGrowWithTheDuration() {
		int previous = -1;
		for (long micros = 1; micros < TimeUnit.HOURS.toMicros(1); micros = micros * 5 / 4 + 1) {
			int bucket = Durations.bucket(micros * 1000);
			assertThat(bucket).isGreaterThanOrEqualTo(previous);
			previous = bucket;
		}
		assertThat(Durations.bucket(Long.MAX_VALUE)).isEqualTo(Durations.BUCKETS - 1);
	}

	@Test
	void bucketsStartAtFourMicroseconds() {
		assertThat(Durations.bucket(3_999)).isEqualTo(3);
		assertThat(Durations.bucket(4_000)).isEqualTo(4);
		assertThat(Durations.bucket(7_999)).isEqualTo(7);
		assertThat(Durations.bucket(8_000)).isEqualTo(8);
		assertThat(Durations.bucket(-5)).isZero();
		assertThat(Durations.middleNanos(3)).isEqualTo(3_500);
		assertThat(Durations.middleNanos(4)).isEqualTo(4_500);
		assertThat(Durations.middleNanos(8)).isEqualTo(9_000);
	}

	@Test
	void aQuantileIsTheBucketWhereItsRankFalls() {
		long[] counts = new long[Durations.BUCKETS];
		counts[Durations.bucket(1_000_000)] = 1;
		counts[Durations.bucket(100_000_000)] = 1;
		assertThat(Durations.quantile(counts, 0, 0.5)).isBetween(875_000L, 1_125_000L);
		assertThat(Durations.quantile(counts, 0, 0.51)).isBetween(87_500_000L, 112_500_000L);
		assertThat(Durations.quantile(counts, 2, 0.5)).isZero();
		assertThat(Durations.quantile(counts, 2, 0.51)).isBetween(875_000L, 1_125_000L);
		assertThat(Durations.total(counts)).isEqualTo(2);
	}

	@Test
	void quantilesCountTheExtraZerosFirst() {
		Durations durations = new Durations();
		for (int i = 0; i < 10; i++) {
			durations.record(TimeUnit.MILLISECONDS.toNanos(200));
		}
		long[] counts = new long[Durations.BUCKETS];
		durations.drainInto(counts);

		assertThat(Durations.quantile(counts, 990, 0.99)).isZero();
		assertThat(Durations.quantile(counts, 980, 0.99)).isBetween(175_000_000L, 225_000_000L);
		assertThat(Durations.quantile(new long[Durations.BUCKETS], 0, 0.5)).isEqualTo(-1);
		long[] again = new long[Durations.BUCKETS];
		durations.drainInto(again);
		assertThat(Durations.total(again)).as("drained once").isZero();
	}

}
