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

import org.jspecify.annotations.Nullable;

/**
 * Samples what the pool's sessions are doing inside the database, at the watch's pace
 * and only while callers wait for connections, never per borrow.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public interface LockWaits extends AutoCloseable {

	/**
	 * Read the pool's sessions now.
	 * @return what they do, or {@code null} when they could not be read
	 */
	@Nullable Sessions sample();

	/**
	 * Give back whatever the sampling holds (a session), until the next sample.
	 */
	@Override
	void close();

	/**
	 * The pool's busy sessions at one sample.
	 *
	 * @param busy sessions running a statement or inside a transaction
	 * @param waitingOnLock of those, the ones waiting on a lock
	 * @author PoolWarden authors
	 * @since 0.1.0
	 */
	record Sessions(int busy, int waitingOnLock) {
	}

}
