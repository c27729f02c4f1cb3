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

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

/**
 * The churn of a small pool under steady request load: two workers on a pool of two, in
 * turns of 350 ms with both connections held and 350 ms with none, so utilization jumps
 * between 0 % and 100 %.
 */
public final class Churn {

	private Churn() {
	}

	/**
	 * Churn for {@code duration}.
	 */
	public static void run(DataSource dataSource, Duration duration) throws Exception {
		run(dataSource, duration, new AtomicBoolean());
	}

	/**
	 * Churn for {@code duration}, or until {@code stop} is set.
	 * @return nothing, so that it can be submitted as a {@code Callable}
	 */
	public static Void run(DataSource dataSource, Duration duration, AtomicBoolean stop) throws Exception {
		ExecutorService workers = Executors.newFixedThreadPool(2);
		long end = System.nanoTime() + duration.toNanos();
		List<Future<?>> results = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			results.add(workers.submit(() -> {
				while (System.nanoTime() < end && !stop.get()) {
					try (Connection connection = dataSource.getConnection()) {
						connection.isValid(1);
						TimeUnit.MILLISECONDS.sleep(350);
					}
					TimeUnit.MILLISECONDS.sleep(350 + ThreadLocalRandom.current().nextInt(20));
				}
				return null;
			}));
		}
		workers.shutdown();
		for (Future<?> result : results) {
			result.get(duration.toSeconds() + 30, TimeUnit.SECONDS);
		}
		return null;
	}

}
