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

package io.github.poolwarden.slices;

import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jooq.test.autoconfigure.JooqTest;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @JooqTest} on the real database gets a guarded pool.
 */
@JooqTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
class JooqSliceTests {

	@Autowired
	private ApplicationContext context;

	@Autowired
	private DSLContext dsl;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		Slices.database(registry, "slice_jooq");
	}

	@AfterAll
	static void dropDatabase() {
		Slices.dropDatabase();
	}

	@Test
	void getsAGuardedVerifiedPool() throws Exception {
		Slices.assertGuardedAndVerified(this.context);
		assertThat(this.dsl.fetchValue("SELECT 1")).isEqualTo(1);
	}

}
