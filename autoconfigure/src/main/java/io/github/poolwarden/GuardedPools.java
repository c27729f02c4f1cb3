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

package io.github.poolwarden;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The guarded pools of one application context, by bean name. Thread-safe.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class GuardedPools {

	private final Map<String, GuardedDataSource> pools = Collections.synchronizedMap(new LinkedHashMap<>());

	/**
	 * Register a guarded pool.
	 * @param beanName the name of the {@code DataSource} bean
	 * @param dataSource the guarded pool
	 */
	public void register(String beanName, GuardedDataSource dataSource) {
		Assert.hasText(beanName, "'beanName' must not be empty");
		Assert.notNull(dataSource, "'dataSource' must not be null");
		this.pools.put(beanName, dataSource);
	}

	/**
	 * Find a pool by its HikariCP pool name.
	 * @param poolName the pool name
	 * @return the pool, or {@code null}
	 */
	public @Nullable GuardedDataSource findByPoolName(String poolName) {
		for (GuardedDataSource pool : asMap().values()) {
			if (pool.getPoolName().equals(poolName)) {
				return pool;
			}
		}
		return null;
	}

	/**
	 * Return a snapshot of the registered pools, in registration order.
	 * @return the pools by bean name
	 */
	public Map<String, GuardedDataSource> asMap() {
		synchronized (this.pools) {
			return Collections.unmodifiableMap(new LinkedHashMap<>(this.pools));
		}
	}

}
