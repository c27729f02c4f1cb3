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

import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.lifecycle.CapacityChecker;
import io.github.poolwarden.lifecycle.PoolLifecycle;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;

import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every slice test asserts: a guarded pool, verified before the slice used it, with
 * release-on-pause and the capacity check in the context.
 */
final class Slices {

	private static TestDatabase database;

	private Slices() {
	}

	static synchronized void database(DynamicPropertyRegistry registry, String label) {
		database = TestPostgres.createDatabase(label);
		database.execute("CREATE TABLE visits (id bigserial PRIMARY KEY, note text NOT NULL)");
		registry.add("spring.datasource.url", database::jdbcUrl);
		registry.add("spring.datasource.hikari.maximum-pool-size", () -> "4");
		registry.add("spring.datasource.hikari.minimum-idle", () -> "2");
	}

	@AfterAll
	static synchronized void dropDatabase() {
		if (database != null) {
			database.close();
			database = null;
		}
	}

	static void assertGuardedAndVerified(ApplicationContext context) throws SQLException {
		DataSource dataSource = context.getBean(DataSource.class);
		GuardedDataSource guarded = dataSource.unwrap(GuardedDataSource.class);
		assertThat(guarded).isNotNull();
		assertThat(context.getBean(GuardedPools.class).asMap()).containsValue(guarded);
		assertThat(context.getBeansOfType(PoolLifecycle.class)).hasSize(1);
		assertThat(context.getBeansOfType(CapacityChecker.class)).hasSize(1);
		HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
		assertThat(pool.isRunning()).as("verified before the slice used it").isTrue();
		assertThat(guarded.getServerCapacity()).as("the capacity check ran").isNotNull();
	}

}
