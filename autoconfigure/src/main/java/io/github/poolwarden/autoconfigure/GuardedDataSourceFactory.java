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

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;

/**
 * Builds the {@link GuardedDataSource} for a Hikari pool from {@link PoolWardenProperties}
 * and registers it in {@link GuardedPools}.
 *
 * @author PoolWarden authors
 */
class GuardedDataSourceFactory {

	private final PoolWardenProperties properties;

	private final GuardedPools pools;

	GuardedDataSourceFactory(PoolWardenProperties properties, GuardedPools pools) {
		this.properties = properties;
		this.pools = pools;
	}

	DataSource guard(String beanName, HikariDataSource pool) {
		if (this.properties.getExcludedBeans().contains(beanName)) {
			return pool;
		}
		if (pool.getPoolName() == null) {
			// Name the pool now, as HikariCP would when it starts, so every meter and log
			// line carries the same pool tag from the first moment.
			pool.validate();
		}
		GuardedDataSource guarded = new GuardedDataSource(pool);
		this.pools.register(beanName, guarded);
		return guarded;
	}

}
