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

package io.github.poolwarden;

import java.time.Duration;
import java.util.List;

import io.github.poolwarden.pool.PoolSnapshot;
import io.github.poolwarden.retry.Waiter;
import org.jspecify.annotations.Nullable;

/**
 * A pool that is stuck: no borrow has completed and no connection has come back for
 * {@code poolwarden.health.stuck-after} while callers waited, every connection is held,
 * and the database answers, so the pool cannot free up by itself.
 *
 * @param noProgressFor how long no borrow has completed and no connection has come back
 * @param snapshot the pool's counts when it was last read
 * @param holders the holders by call site (and any nested acquisition), oldest first;
 * together they hold {@code snapshot.active()} connections
 * @param oldestWaiter the caller that has waited longest, or {@code null} when none waits
 * now or the waiters are not known (the retry is off)
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record StuckPool(Duration noProgressFor, PoolSnapshot snapshot, List<String> holders,
		@Nullable Waiter oldestWaiter) {

}
