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

package io.github.poolwarden.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Callers released at the same instant, as a burst arrives: each on its own thread.
 */
public final class Callers {

	private Callers() {
	}

	/**
	 * Start {@code count} threads, release them together to run {@code task}, and wait
	 * for every one of them, at most {@code bound}.
	 * @return what the callers threw, one entry per failed caller
	 */
	public static List<Throwable> releasedTogether(int count, Duration bound, Task task) throws InterruptedException {
		ExecutorService executor = Executors.newFixedThreadPool(count);
		CountDownLatch go = new CountDownLatch(1);
		Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
		for (int i = 0; i < count; i++) {
			executor.execute(() -> {
				try {
					go.await();
					task.run();
				}
				catch (Throwable ex) {
					failures.add(ex);
				}
			});
		}
		go.countDown();
		executor.shutdown();
		assertThat(executor.awaitTermination(bound.toMillis(), TimeUnit.MILLISECONDS)).as("every caller finished")
			.isTrue();
		return List.copyOf(failures);
	}

	/**
	 * What each caller does.
	 */
	@FunctionalInterface
	public interface Task {

		void run() throws Exception;

	}

}
