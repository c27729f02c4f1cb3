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
import java.time.Duration;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import org.jspecify.annotations.Nullable;

/**
 * Opens single connections outside a Hikari pool, with the pool's own URL, driver,
 * properties and credentials. PoolWarden uses it where going through the pool would
 * wait on it or change it: a first probe at startup (HikariCP sleeps a second after a
 * failed first connection) and the health check of a saturated pool.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class DirectConnector {

	private final DataSource dataSource;

	private final @Nullable String username;

	private final @Nullable String password;

	private DirectConnector(DataSource dataSource, @Nullable String username, @Nullable String password) {
		this.dataSource = dataSource;
		this.username = username;
		this.password = password;
	}

	/**
	 * Create a connector for a pool.
	 * @param pool the pool whose settings to use
	 * @param loginTimeout how long a connection attempt may take, applied to the
	 * PostgreSQL driver (its {@code loginTimeout} and {@code connectTimeout}) unless the
	 * pool's own properties set them; other drivers keep their own settings
	 * @return the connector, or {@code null} when the pool is configured in a way that
	 * cannot be reproduced outside it (a {@code dataSourceClassName} or a credentials
	 * provider)
	 */
	public static @Nullable DirectConnector of(HikariDataSource pool, Duration loginTimeout) {
		if (pool.getCredentialsProvider() != null) {
			return null;
		}
		if (pool.getDataSource() != null && !(pool.getDataSource() instanceof ObservedConnectionFactory)) {
			return new DirectConnector(pool.getDataSource(), pool.getUsername(), pool.getPassword());
		}
		if (pool.getJdbcUrl() == null) {
			return null;
		}
		Properties properties = new Properties();
		properties.putAll(pool.getDataSourceProperties());
		if (pool.getJdbcUrl().startsWith("jdbc:postgresql:")) {
			String seconds = String.valueOf(Math.max(1, (loginTimeout.toMillis() + 999) / 1000));
			properties.putIfAbsent("loginTimeout", seconds);
			properties.putIfAbsent("connectTimeout", seconds);
		}
		DataSource driver = new DriverDataSource(pool.getJdbcUrl(), pool.getDriverClassName(), properties,
				pool.getUsername(), pool.getPassword());
		return new DirectConnector(driver, null, null);
	}

	/**
	 * Open a new physical connection. The caller closes it.
	 * @return the connection
	 * @throws SQLException if the database refuses or cannot be reached
	 */
	public Connection connect() throws SQLException {
		if (this.username != null) {
			return this.dataSource.getConnection(this.username, this.password);
		}
		return this.dataSource.getConnection();
	}

}
