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

package io.github.poolwarden.sample.incidents;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What one side of a replay did: through PoolWarden, or through a plain HikariCP pool of
 * the same size.
 *
 * @param side {@code poolwarden} or {@code plain-hikaricp}
 * @param completed tasks completed
 * @param failed tasks failed
 * @param recovered acquisitions PoolWarden retried and got
 * @param exhausted acquisitions PoolWarden retried and gave up on
 * @param peakUtilization the highest utilization seen, 0 to 1
 * @param warnings utilization warnings logged (warning and critical crossings)
 * @param holdersNamed the holders summary PoolWarden gave, or an empty string
 * @param millis time taken
 * @param notes what happened, in a line
 * @param advice the pool-size advice PoolWarden gave at the end (verdict, size, message),
 * or {@code null} where there is none
 * @author PoolWarden authors
 */
public record SideResult(String side, int completed, int failed, long recovered, long exhausted,
		double peakUtilization, long warnings, String holdersNamed, long millis, String notes,
		@Nullable Map<String, Object> advice) {

	SideResult(String side, int completed, int failed, long recovered, long exhausted, double peakUtilization,
			long warnings, String holdersNamed, long millis, String notes) {
		this(side, completed, failed, recovered, exhausted, peakUtilization, warnings, holdersNamed, millis, notes,
				null);
	}

	SideResult withAdvice(Map<String, Object> advice) {
		return new SideResult(this.side, this.completed, this.failed, this.recovered, this.exhausted,
				this.peakUtilization, this.warnings, this.holdersNamed, this.millis, this.notes, advice);
	}

	Map<String, Object> toMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("side", this.side);
		map.put("completed", this.completed);
		map.put("failed", this.failed);
		map.put("retriesRecovered", this.recovered);
		map.put("retriesExhausted", this.exhausted);
		map.put("peakUtilization", Math.round(this.peakUtilization * 1000) / 1000.0);
		map.put("warningsLogged", this.warnings);
		map.put("holdersNamed", this.holdersNamed);
		map.put("millis", this.millis);
		map.put("notes", this.notes);
		if (this.advice != null) {
			map.put("advice", this.advice);
		}
		return map;
	}

}
