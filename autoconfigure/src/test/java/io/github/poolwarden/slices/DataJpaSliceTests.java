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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @DataJpaTest} on the real database gets a guarded pool, verified before
 * Hibernate borrowed from it.
 */
@DataJpaTest(properties = "spring.jpa.hibernate.ddl-auto=create")
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
class DataJpaSliceTests {

	@Autowired
	private ApplicationContext context;

	@Autowired
	private OwnerRepository owners;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		Slices.database(registry, "slice_jpa");
	}

	@AfterAll
	static void dropDatabase() {
		Slices.dropDatabase();
	}

	@Test
	void getsAGuardedVerifiedPool() throws Exception {
		Slices.assertGuardedAndVerified(this.context);
		Owner saved = this.owners.save(new Owner("George Franklin"));
		assertThat(this.owners.findById(saved.getId())).isPresent();
	}

}
