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

import java.util.Map;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /incidents/{id}} replays an incident and returns both sides' results.
 *
 * @author PoolWarden authors
 */
@RestController
class IncidentController {

	private final IncidentReplays replays;

	IncidentController(IncidentReplays replays) {
		this.replays = replays;
	}

	@PostMapping("/incidents/{id}")
	Map<String, Object> replay(@PathVariable String id, @RequestParam(defaultValue = "2") int size,
			@RequestParam(defaultValue = "80") int years, @RequestParam(defaultValue = "6") int contexts)
			throws Exception {
		if (size < 1 || size > 50 || years < 1 || years > 80 || contexts < 1 || contexts > 12) {
			throw new IllegalArgumentException("size must be 1 to 50, years 1 to 80 and contexts 1 to 12");
		}
		return this.replays.replay(id, size, years, contexts);
	}

}
