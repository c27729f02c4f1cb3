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

package io.github.poolwarden.pool;

/**
 * Reads the state of one pool. Implementations never open or borrow a connection, so a
 * snapshot is always quick, also when the pool is saturated or the database is down.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
@FunctionalInterface
public interface PoolProbe {

	/**
	 * Take a snapshot of the pool.
	 * @return the snapshot
	 */
	PoolSnapshot snapshot();

}
