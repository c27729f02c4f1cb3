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

package io.github.poolwarden.capacity;

/**
 * Thrown at startup, with {@code poolwarden.capacity.enforce=true}, when a pool's
 * {@code maximumPoolSize} cannot fit in what the server can still give.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class CapacityException extends RuntimeException {

	/**
	 * Create an exception.
	 * @param message the message, quoting the numbers
	 */
	public CapacityException(String message) {
		super(message);
	}

}
