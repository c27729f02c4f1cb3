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

package io.github.poolwarden.tracking;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Who holds one borrowed connection.
 *
 * @param thread the name of the thread that borrowed it (for a thread without a name,
 * {@code virtual thread #21} or {@code thread #21})
 * @param borrowedAt when it was borrowed
 * @param heldFor how long it has been held
 * @param callSite where it was borrowed (the first frame in the application's packages,
 * else the first outside JDBC, pools, ORMs, Spring's framework packages and servlet
 * containers), or {@code null} when the call site was not captured
 * @param waitingAt where the same thread is waiting, right now, for another connection
 * of the same pool (a nested acquisition), or {@code null} when it is not
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record ConnectionHolder(String thread, Instant borrowedAt, Duration heldFor, @Nullable String callSite,
		@Nullable String waitingAt) {

	/**
	 * Whether the holder is itself waiting for another connection of the same pool.
	 * @return whether this is a nested acquisition in progress
	 */
	public boolean isWaitingForAnother() {
		return this.waitingAt != null;
	}

}
