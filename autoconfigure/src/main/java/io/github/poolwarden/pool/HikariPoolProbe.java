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

package io.github.poolwarden.pool;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

/**
 * A {@link PoolProbe} over HikariCP's MXBeans. Before the pool has started every count
 * is zero.
 * <p>
 * HikariCP counts active connections by walking the pool, so a snapshot costs a scan of
 * at most {@code maximumPoolSize} entries: cheap, but not for every acquisition.
 * PoolWarden takes snapshots on a sampling interval, on the exhaustion path, and when
 * metrics or health are read.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class HikariPoolProbe implements PoolProbe {

	private final HikariDataSource pool;

	/**
	 * Create a probe of the given pool.
	 * @param pool the pool
	 */
	public HikariPoolProbe(HikariDataSource pool) {
		this.pool = pool;
	}

	@Override
	public PoolSnapshot snapshot() {
		String name = String.valueOf(this.pool.getPoolName());
		int max = this.pool.getMaximumPoolSize();
		HikariPoolMXBean mxBean = this.pool.getHikariPoolMXBean();
		if (mxBean == null) {
			return PoolSnapshot.notStarted(name, max);
		}
		return new PoolSnapshot(name, mxBean.getActiveConnections(), mxBean.getIdleConnections(),
				mxBean.getTotalConnections(), mxBean.getThreadsAwaitingConnection(), max);
	}

}
