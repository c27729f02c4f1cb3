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

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the retry of exhausted acquisitions achieved. Thread-safe and cheap to
 * update; read by metrics.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class AcquisitionRetryStats {

	private final LongAdder recovered = new LongAdder();

	private final LongAdder exhausted = new LongAdder();

	void recordRecovered() {
		this.recovered.increment();
	}

	void recordExhausted() {
		this.exhausted.increment();
	}

	/**
	 * Return how many acquisitions failed with an exhausted pool and then succeeded on a
	 * retry.
	 * @return the count
	 */
	public long recovered() {
		return this.recovered.sum();
	}

	/**
	 * Return how many acquisitions failed with an exhausted pool on every attempt.
	 * @return the count
	 */
	public long exhausted() {
		return this.exhausted.sum();
	}

}
