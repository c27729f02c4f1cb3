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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * The callers that found a pool exhausted and wait for it, with when each began to ask
 * for its connection: who has waited longest. Written only on the exhausted path, never
 * on a borrow that gets a connection at once.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
final class WaitingCallers {

	private final Map<Thread, Long> since = new ConcurrentHashMap<>();

	private final LongSupplier clock;

	WaitingCallers(LongSupplier clock) {
		this.clock = clock;
	}

	void add(long startNanos) {
		this.since.put(Thread.currentThread(), startNanos);
	}

	void remove() {
		this.since.remove(Thread.currentThread());
	}

	@Nullable Waiter oldest() {
		Map.Entry<Thread, Long> oldest = null;
		for (Map.Entry<Thread, Long> entry : this.since.entrySet()) {
			if (oldest == null || entry.getValue() - oldest.getValue() < 0) {
				oldest = entry;
			}
		}
		if (oldest == null) {
			return null;
		}
		long waited = Math.max(0, this.clock.getAsLong() - oldest.getValue());
		return new Waiter(describe(oldest.getKey()), Duration.ofNanos(waited));
	}

	@SuppressWarnings("deprecation")
	private static String describe(Thread thread) {
		String name = thread.getName();
		return name.isEmpty() ? "thread #" + thread.getId() : name;
	}

}
