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

package io.github.poolwarden.utilization;

/**
 * Told about every change of a pool's utilization level, once per change. Called on
 * PoolWarden's sampling thread or on the thread that found the pool exhausted: keep it
 * quick and never let it throw.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
@FunctionalInterface
public interface UtilizationListener {

	/**
	 * Called when a pool's utilization level changes.
	 * @param transition the change
	 */
	void onTransition(UtilizationTransition transition);

}
