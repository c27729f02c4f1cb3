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

package io.github.poolwarden.health;

import java.sql.Connection;
import java.sql.SQLException;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.pool.DatabaseProbe;
import io.github.poolwarden.pool.HikariConnectionSource;
import io.github.poolwarden.pool.PoolSnapshot;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Boot's {@code db} health for a guarded pool, answered without waiting on the pool: the
 * same component name and the same details as Boot's {@code DataSourceHealthIndicator}
 * ({@code database}, {@code validationQuery}, and {@code result} when the pool has a
 * {@code connectionTestQuery}), from the pool's shared {@link DatabaseProbe}, within
 * {@code poolwarden.health.timeout}: the pool's own traffic answers while connections come
 * back in working order, an idle connection is validated when none did, and only a pool
 * with neither makes the probe open a connection outside it, at most once per
 * {@code poolwarden.health.probe-interval}. A saturated pool is {@code UP} (the
 * {@code saturated} detail says so); a database that does not answer is {@code DOWN}, and
 * {@code database} still names the product it last answered as. Boot's own indicator
 * borrows from the pool, and so waits as long as any caller when the pool is saturated.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class GuardedDatabaseHealthIndicator extends AbstractHealthIndicator {

	private final GuardedDataSource dataSource;

	private final DatabaseProbe database;

	private final HikariConnectionSource source;

	/**
	 * Create an indicator.
	 * @param dataSource the guarded pool, with its database probe set
	 */
	public GuardedDatabaseHealthIndicator(GuardedDataSource dataSource) {
		super("Database health check failed");
		Assert.notNull(dataSource, "'dataSource' must not be null");
		DatabaseProbe database = dataSource.getDatabaseProbe();
		Assert.notNull(database, "'dataSource' must have a database probe");
		this.dataSource = dataSource;
		this.database = database;
		this.source = new HikariConnectionSource(dataSource.getPool());
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) throws SQLException {
		PoolSnapshot snapshot = this.dataSource.snapshot();
		DatabaseProbe.Answer answer = this.database.check();
		if (answer.state() == DatabaseProbe.State.UNKNOWN && !this.database.canAsk()) {
			checkThroughThePool(builder, snapshot);
			return;
		}
		switch (answer.state()) {
			case UP -> builder.up();
			case FULL -> {
				if (snapshot.total() > 0) {
					builder.up();
				}
				else {
					builder.down();
				}
			}
			case DOWN -> builder.down();
			case UNKNOWN -> builder.unknown();
		}
		String product = (answer.product() != null) ? answer.product() : this.database.getProduct();
		builder.withDetail("database", (product != null) ? product : "unknown");
		String query = this.dataSource.getPool().getConnectionTestQuery();
		if (StringUtils.hasText(query)) {
			builder.withDetail("validationQuery", query);
			if (answer.validationResult() != null) {
				builder.withDetail("result", answer.validationResult());
			}
		}
		else {
			builder.withDetail("validationQuery", "isValid()");
		}
		builder.withDetail("saturated", snapshot.saturated());
		if (answer.state() != DatabaseProbe.State.UP) {
			builder.withDetail("error", answer.description());
		}
	}

	/**
	 * A pool whose connections cannot be made outside it (a credentials provider, a
	 * {@code dataSourceClassName}) is asked through itself, never waiting longer than
	 * the health timeout, and not at all while it is saturated.
	 */
	private void checkThroughThePool(Health.Builder builder, PoolSnapshot snapshot) throws SQLException {
		if (snapshot.saturated()) {
			builder.up()
				.withDetail("database", "unknown")
				.withDetail("validationQuery", "none: every connection is in use, and this pool's connections "
						+ "cannot be made outside it")
				.withDetail("saturated", true);
			return;
		}
		int seconds = (int) Math.max(1, (this.database.getTimeout().toMillis() + 999) / 1000);
		try (Connection connection = this.source.getConnection(this.database.getTimeout().toMillis())) {
			builder.status(connection.isValid(seconds) ? Status.UP : Status.DOWN)
				.withDetail("database", connection.getMetaData().getDatabaseProductName())
				.withDetail("validationQuery", "isValid()")
				.withDetail("saturated", false);
		}
	}

}
