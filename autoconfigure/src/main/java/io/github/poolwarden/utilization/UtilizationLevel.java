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

import java.util.Locale;

/**
 * How full a pool is, relative to its thresholds.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public enum UtilizationLevel {

	/**
	 * Below the warning threshold.
	 */
	NORMAL,

	/**
	 * At or above the warning threshold, below the critical one.
	 */
	WARNING,

	/**
	 * At or above the critical threshold.
	 */
	CRITICAL;

	/**
	 * Return the level's number for a gauge: 0 normal, 1 warning, 2 critical.
	 * @return the number
	 */
	public int value() {
		return ordinal();
	}

	/**
	 * Return the level's name in lower case, as used in tags and health details.
	 * @return the name
	 */
	public String tagValue() {
		return name().toLowerCase(Locale.ROOT);
	}

}
