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

package io.github.poolwarden.lifecycle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;

/**
 * Every guarded pool of this JVM that is running, across application contexts (a test
 * suite's cached contexts, several applications in one server).
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class LivePools {

	private static final Map<GuardedDataSource, String> pools = new ConcurrentHashMap<>();

	private LivePools() {
	}

	/**
	 * Record a running pool.
	 * @param pool the pool
	 * @param context the name of its application context
	 */
	public static void register(GuardedDataSource pool, String context) {
		pools.put(pool, context);
	}

	/**
	 * Forget a pool that stopped.
	 * @param pool the pool
	 */
	public static void unregister(GuardedDataSource pool) {
		pools.remove(pool);
	}

	/**
	 * Return the running pools that connect to the same host and port as the given one,
	 * each HikariCP pool once; pools closed since are dropped.
	 * @param pool the pool
	 * @return the pools, the given one included, with their contexts
	 */
	public static List<Map.Entry<GuardedDataSource, String>> sameServerAs(GuardedDataSource pool) {
		pools.keySet().removeIf((each) -> each.getPool().isClosed());
		String server = server(pool);
		List<Map.Entry<GuardedDataSource, String>> same = new ArrayList<>();
		Set<HikariDataSource> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		pools.forEach((each, context) -> {
			// One HikariCP pool shared by several contexts counts once.
			if (Objects.equals(server(each), server) && seen.add(each.getPool())) {
				same.add(Map.entry(each, context));
			}
		});
		same.sort(Map.Entry.comparingByValue());
		return same;
	}

	private static String server(GuardedDataSource pool) {
		return pool.getTarget().host() + ":" + pool.getTarget().port();
	}

}
