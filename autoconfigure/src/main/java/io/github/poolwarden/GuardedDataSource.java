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

import java.sql.Connection;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariDataSource;

import io.github.poolwarden.support.JdbcTarget;

import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.util.Assert;

/**
 * A {@link javax.sql.DataSource} that guards a {@link HikariDataSource}.
 * <p>
 * {@link #unwrap(Class)} and {@link #isWrapperFor(Class)} reach the Hikari pool, so
 * whatever looks for a {@code HikariDataSource} or its MXBeans behind this decorator
 * still finds it.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class GuardedDataSource extends DelegatingDataSource {

	private final HikariDataSource pool;

	/**
	 * Create a guard around the given pool.
	 * @param pool the Hikari pool to guard
	 */
	public GuardedDataSource(HikariDataSource pool) {
		super(pool);
		Assert.notNull(pool, "'pool' must not be null");
		this.pool = pool;
	}

	@Override
	public Connection getConnection() throws SQLException {
		return this.pool.getConnection();
	}

	/**
	 * Return the guarded Hikari pool.
	 * @return the pool
	 */
	public HikariDataSource getPool() {
		return this.pool;
	}

	/**
	 * Return the pool's name, as HikariCP uses it in its logs and in the {@code pool}
	 * tag of its metrics.
	 * @return the pool name
	 */
	public String getPoolName() {
		String name = this.pool.getPoolName();
		return (name != null) ? name : "HikariPool";
	}

	/**
	 * Return where the pool connects, without credentials.
	 * @return the target
	 */
	public JdbcTarget getTarget() {
		return JdbcTarget.parse(this.pool.getJdbcUrl());
	}

	@Override
	public String toString() {
		return "GuardedDataSource[" + getPoolName() + "]";
	}

}
