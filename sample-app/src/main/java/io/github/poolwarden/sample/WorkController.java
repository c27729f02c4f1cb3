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

package io.github.poolwarden.sample;

import java.time.Duration;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Endpoints that borrow from the guarded pool, so its behaviour can be watched in
 * {@code /actuator/health} and {@code /actuator/metrics}.
 *
 * @author PoolWarden authors
 */
@RestController
class WorkController {

	private static final Duration MAX_HOLD = Duration.ofSeconds(60);

	private final JdbcClient jdbc;

	WorkController(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Run one query that holds its connection for {@code holdMillis} (at most 60 s).
	 */
	@GetMapping("/work")
	Map<String, Object> work(@RequestParam(defaultValue = "0") long holdMillis) {
		double seconds = Math.max(0, Math.min(holdMillis, MAX_HOLD.toMillis())) / 1000.0;
		String server = this.jdbc.sql("SELECT pg_sleep(?)::text || version()")
			.param(seconds)
			.query(String.class)
			.single();
		return Map.of("heldMillis", (long) (seconds * 1000), "server", server);
	}

}
