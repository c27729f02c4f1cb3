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

import java.sql.Connection;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Borrows from a HikariCP pool with a wait of the caller's choosing, through
 * {@link HikariPool#getConnection(long)}: the same queue, the same hand-over and the
 * same checks as {@link HikariDataSource#getConnection()}, which waits
 * {@code connectionTimeout}. This is the one place PoolWarden relies on HikariCP's pool
 * class rather than its data source; a test pins it.
 * <p>
 * A pool that has not started yet is started by borrowing and returning one connection
 * the way HikariCP itself starts, so that every wait that follows is a wait in the
 * queue.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class HikariConnectionSource implements TimedConnectionSource {

	private final HikariDataSource dataSource;

	private volatile @Nullable HikariPool pool;

	/**
	 * Create a source over a HikariCP data source.
	 * @param dataSource the data source
	 */
	public HikariConnectionSource(HikariDataSource dataSource) {
		Assert.notNull(dataSource, "'dataSource' must not be null");
		this.dataSource = dataSource;
	}

	@Override
	public Connection getConnection(long timeoutMillis) throws SQLException {
		HikariPool pool = this.pool;
		if (pool == null) {
			pool = start();
		}
		if (this.dataSource.isClosed()) {
			throw new SQLException("HikariDataSource " + this.dataSource + " has been closed.", "08003");
		}
		return pool.getConnection(timeoutMillis);
	}

	@Override
	public boolean isStarted() {
		return started() != null;
	}

	private HikariPool start() throws SQLException {
		HikariPool pool = started();
		if (pool == null) {
			this.dataSource.getConnection().close();
			pool = started();
			Assert.state(pool != null, () -> "HikariCP " + HikariDataSource.class.getPackage().getImplementationVersion()
					+ " did not expose its pool after starting; PoolWarden needs HikariPool.getConnection(long)");
		}
		return pool;
	}

	/**
	 * Return the pool once HikariCP has started it.
	 * @return the pool, or {@code null} before it started
	 */
	public @Nullable HikariPool started() {
		HikariPool pool = this.pool;
		if (pool == null && this.dataSource.getHikariPoolMXBean() instanceof HikariPool running) {
			this.pool = running;
			pool = running;
		}
		return pool;
	}

}
