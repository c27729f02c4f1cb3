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
import java.util.function.Consumer;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.util.Assert;

/**
 * The data source HikariCP opens its physical connections with, told about every
 * connection that could not be opened: HikariCP opens most of them in the background
 * (filling to {@code minimumIdle}, replacing retired ones), where a refusal reaches no
 * caller and would go unsaid. Built exactly as HikariCP builds its own from the pool's
 * JDBC URL, driver class, driver properties and credentials, so connections are made as
 * before; installed only on a pool configured by JDBC URL, before it starts.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class ObservedConnectionFactory extends DelegatingDataSource {

	private final Consumer<SQLException> failures;

	private ObservedConnectionFactory(DataSource driver, Consumer<SQLException> failures) {
		super(driver);
		this.failures = failures;
	}

	/**
	 * Make HikariCP open the pool's connections through an observed factory.
	 * @param pool the pool, not started, configured with a JDBC URL
	 * @param failures told about every connection that could not be opened
	 * @return whether the factory was installed: not for a pool already started, nor one
	 * configured with a data source, a data source class or a credentials provider
	 */
	public static boolean install(HikariDataSource pool, Consumer<SQLException> failures) {
		Assert.notNull(failures, "'failures' must not be null");
		if (pool.isRunning() || pool.getHikariPoolMXBean() != null || pool.getDataSource() != null
				|| pool.getDataSourceClassName() != null || pool.getJdbcUrl() == null
				|| pool.getCredentialsProvider() != null) {
			return false;
		}
		DataSource driver = new DriverDataSource(pool.getJdbcUrl(), pool.getDriverClassName(),
				pool.getDataSourceProperties(), pool.getUsername(), pool.getPassword());
		pool.setDataSource(new ObservedConnectionFactory(driver, failures));
		return true;
	}

	@Override
	public Connection getConnection() throws SQLException {
		try {
			return super.getConnection();
		}
		catch (SQLException ex) {
			this.failures.accept(ex);
			throw ex;
		}
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		try {
			return super.getConnection(username, password);
		}
		catch (SQLException ex) {
			this.failures.accept(ex);
			throw ex;
		}
	}

}
