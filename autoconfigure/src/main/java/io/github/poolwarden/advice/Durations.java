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

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Durations counted in logarithmic buckets: four to each power of two of microseconds,
 * so a percentile read back is within 12.5 % of the duration recorded. Recording is one
 * atomic increment; the watch {@linkplain #drainInto(long[]) drains} the counts into the
 * window at each sample.
 *
 * @author PoolWarden authors
 */
final class Durations {

	/**
	 * Buckets up to 2^40 µs (about 12 days); longer durations count in the last one.
	 */
	static final int BUCKETS = 4 * 40;

	private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

	/**
	 * Count one duration.
	 * @param nanos the duration
	 */
	void record(long nanos) {
		this.counts.incrementAndGet(bucket(nanos));
	}

	/**
	 * Add the counts recorded since the last drain to {@code into} and reset them.
	 * @param into counts by bucket, {@link #BUCKETS} long
	 */
	void drainInto(long[] into) {
		for (int i = 0; i < BUCKETS; i++) {
			if (this.counts.get(i) != 0) {
				into[i] += this.counts.getAndSet(i, 0);
			}
		}
	}

	/**
	 * Return the bucket of a duration: below 4 µs the microseconds themselves, then four
	 * buckets to each power of two.
	 * @param nanos the duration
	 * @return the bucket
	 */
	static int bucket(long nanos) {
		long micros = Math.max(0, nanos / 1000);
		if (micros < 4) {
			return (int) micros;
		}
		int log = 63 - Long.numberOfLeadingZeros(micros);
		int index = 4 * (log - 1) + (int) ((micros >>> (log - 2)) - 4);
		return Math.min(BUCKETS - 1, index);
	}

	/**
	 * Return the middle of a bucket, in nanoseconds.
	 * @param bucket the bucket
	 * @return the duration it stands for
	 */
	static long middleNanos(int bucket) {
		if (bucket < 4) {
			return bucket * 1000L + 500;
		}
		int log = bucket / 4 + 1;
		long top = bucket % 4 + 4;
		long lower = top << (log - 2);
		long upper = (top + 1) << (log - 2);
		return (lower + upper) * 500;
	}

	/**
	 * Return the duration below which a fraction of the counted durations fall, with
	 * {@code extraZeros} durations of zero counted before the buckets.
	 * @param counts counts by bucket
	 * @param extraZeros durations counted as zero (acquisitions that did not wait)
	 * @param quantile the fraction, for example 0.99
	 * @return the duration in nanoseconds, or -1 when nothing was counted
	 */
	static long quantile(long[] counts, long extraZeros, double quantile) {
		long total = extraZeros;
		for (long count : counts) {
			total += count;
		}
		if (total == 0) {
			return -1;
		}
		long rank = (long) Math.ceil(quantile * total);
		long seen = extraZeros;
		if (seen >= rank) {
			return 0;
		}
		for (int i = 0; i < counts.length; i++) {
			seen += counts[i];
			if (seen >= rank) {
				return middleNanos(i);
			}
		}
		return middleNanos(counts.length - 1);
	}

	/**
	 * Return how many durations were counted.
	 * @param counts counts by bucket
	 * @return the total
	 */
	static long total(long[] counts) {
		long total = 0;
		for (long count : counts) {
			total += count;
		}
		return total;
	}

}
