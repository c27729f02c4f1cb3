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
 * When the call site of a borrow is captured. Capturing walks the caller's stack, which
 * costs microseconds: far more than a borrow from HikariCP.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public enum CallSiteCapture {

	/**
	 * Never: holders are known by thread and age only.
	 */
	NEVER,

	/**
	 * While the pool is at the warning utilization level or above: when connections run
	 * short, which is when knowing the holders matters, and at no cost otherwise.
	 */
	ON_PRESSURE,

	/**
	 * On every borrow: the call site of every holder is known, at the cost of a stack
	 * walk per borrow.
	 */
	ALWAYS

}
