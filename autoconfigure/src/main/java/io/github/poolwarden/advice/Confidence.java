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

import java.util.Locale;

/**
 * How much evidence a piece of advice stands on.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public enum Confidence {

	/**
	 * Less than half the window observed, or fewer than 100 borrows in it.
	 */
	LOW,

	/**
	 * At least half the window and 100 borrows.
	 */
	MEDIUM,

	/**
	 * The whole window and at least 1000 borrows.
	 */
	HIGH;

	/**
	 * Return the confidence in lower case, as it is shown.
	 * @return the value
	 */
	public String value() {
		return name().toLowerCase(Locale.ROOT);
	}

}
