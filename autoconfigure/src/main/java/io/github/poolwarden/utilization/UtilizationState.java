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

import org.jspecify.annotations.Nullable;

/**
 * A pool's utilization level as health, the endpoint and the logs report it.
 *
 * @param level the level
 * @param held why the level is above what the utilization alone would give (the
 * hysteresis or the hold-down keeps it), or {@code null} when it is not
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record UtilizationState(UtilizationLevel level, @Nullable String held) {

	/**
	 * Whether the damping holds the level above what the utilization alone would give.
	 * @return whether the level is held
	 */
	public boolean isHeld() {
		return this.held != null;
	}

}
