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

package io.github.poolwarden.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.validation.Errors;

/**
 * Range checks for configuration properties, each rejecting with a message that names
 * the full property key, the accepted range and the value found.
 *
 * @author PoolWarden authors
 */
final class PropertyChecks {

	private final String prefix;

	private final Errors errors;

	PropertyChecks(String prefix, Errors errors) {
		this.prefix = prefix;
		this.errors = errors;
	}

	void notNegative(String field, @Nullable Duration value) {
		if (value == null || value.isNegative()) {
			reject(field, "must be zero or positive", value);
		}
	}

	void positive(String field, @Nullable Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			reject(field, "must be positive", value);
		}
	}

	void atLeast(String field, Duration minimum, @Nullable Duration value) {
		if (value == null || value.compareTo(minimum) < 0) {
			reject(field, "must be at least " + minimum.toMillis() + "ms", value);
		}
	}

	void between(String field, Duration minimum, Duration maximum, @Nullable Duration value) {
		if (value == null || value.compareTo(minimum) < 0 || value.compareTo(maximum) > 0) {
			reject(field, "must be from " + minimum.toSeconds() + "s to " + maximum.toHours() + "h", value);
		}
	}

	void atLeast(String field, long minimum, long value) {
		if (value < minimum) {
			reject(field, "must be at least " + minimum, value);
		}
	}

	void aboveZeroAtMostOne(String field, double value) {
		if (Double.isNaN(value) || value <= 0 || value > 1) {
			reject(field, "must be above 0 and at most 1", value);
		}
	}

	void atLeast(String field, double minimum, double value) {
		if (Double.isNaN(value) || value < minimum) {
			reject(field, "must be at least " + minimum, value);
		}
	}

	void reject(String field, String rule, @Nullable Object value) {
		String key = this.prefix + "." + field;
		this.errors.rejectValue(field, "poolwarden.invalid", key + " " + rule + " (was " + value + ")");
	}

}
