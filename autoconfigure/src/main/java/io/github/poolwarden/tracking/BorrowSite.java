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

/**
 * The stack of a borrow, recorded natively by the JVM when the borrow happens and turned
 * into a call site only when it is reported. Never thrown.
 *
 * @author PoolWarden authors
 */
final class BorrowSite extends Throwable {

	/**
	 * When the borrow happened, by {@link System#nanoTime()}: read only for borrows whose
	 * stack is captured, which cost far more.
	 */
	final long atNanos = System.nanoTime();

	BorrowSite() {
		super(null, null, false, true);
	}

}
