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

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.PoolReading;
import io.github.poolwarden.pool.ConnectionError;
import io.github.poolwarden.pool.DatabaseProbe;
import io.github.poolwarden.pool.PoolSnapshot;
import io.github.poolwarden.tracking.ConnectionTracker;
import io.github.poolwarden.tracking.HolderSummary;
import io.github.poolwarden.utilization.UtilizationLevel;
import io.github.poolwarden.utilization.UtilizationState;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.util.Assert;

/**
 * Health of one guarded pool that tells a saturated pool from a database that is down,
 * and never borrows from the pool.
 * <ul>
 * <li>{@code UP} while the database answers, however full the pool is: the
 * {@code level} detail says how full.</li>
 * <li>{@code DOWN} when no valid connection can be made within the timeout.</li>
 * <li>Optionally {@code OUT_OF_SERVICE} while the pool is at the critical level, for a
 * readiness group that should shed traffic.</li>
 * </ul>
 * Every number in one answer comes from one snapshot of the pool; when the damping
 * holds the level above what the snapshot alone would give, {@code levelHeld} says why.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class PoolWardenHealthIndicator extends AbstractHealthIndicator {

	private final GuardedDataSource dataSource;

	private final DatabaseProbe database;

	private final boolean outOfServiceWhenCritical;

	/**
	 * Create an indicator.
	 * @param dataSource the guarded pool, with its database probe set
	 * @param outOfServiceWhenCritical whether to report {@code OUT_OF_SERVICE} while the
	 * pool is at the critical level
	 */
	public PoolWardenHealthIndicator(GuardedDataSource dataSource, boolean outOfServiceWhenCritical) {
		super("PoolWarden health check failed");
		Assert.notNull(dataSource, "'dataSource' must not be null");
		DatabaseProbe database = dataSource.getDatabaseProbe();
		Assert.notNull(database, "'dataSource' must have a database probe");
		this.dataSource = dataSource;
		this.database = database;
		this.outOfServiceWhenCritical = outOfServiceWhenCritical;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		PoolReading reading = this.dataSource.read();
		PoolSnapshot snapshot = reading.snapshot();
		UtilizationState state = reading.utilization();
		DatabaseProbe.Answer answer = this.database.check();
		builder.status(status(answer, snapshot, state.level()));
		builder.withDetail("pool", snapshot.pool())
			.withDetail("active", snapshot.active())
			.withDetail("idle", snapshot.idle())
			.withDetail("waiting", snapshot.waiting())
			.withDetail("max", snapshot.max())
			.withDetail("capacity", snapshot.capacity())
			.withDetail("utilization", Math.round(snapshot.utilization() * 1000) / 1000.0)
			.withDetail("level", state.level().tagValue());
		if (state.isHeld()) {
			builder.withDetail("levelHeld", state.held());
		}
		builder.withDetail("database", answer.description());
		ConnectionTracker tracker = this.dataSource.getTracker();
		if (tracker != null && tracker.isTrackingHolders() && snapshot.saturated()) {
			String nested = HolderSummary.nested(tracker.holders());
			if (nested != null) {
				builder.withDetail("nested", nested);
			}
		}
		ConnectionError error = this.dataSource.getLastError();
		if (error != null) {
			Map<String, Object> lastError = new LinkedHashMap<>();
			lastError.put("sqlState", (error.sqlState() != null) ? error.sqlState() : "");
			lastError.put("message", error.message());
			lastError.put("at", error.at().toString());
			builder.withDetail("lastError", lastError);
		}
	}

	private Status status(DatabaseProbe.Answer answer, PoolSnapshot snapshot, UtilizationLevel level) {
		boolean answers = switch (answer.state()) {
			case UP, UNKNOWN -> true;
			case FULL -> snapshot.total() > 0;
			case DOWN -> false;
		};
		if (!answers) {
			return Status.DOWN;
		}
		if (this.outOfServiceWhenCritical && level == UtilizationLevel.CRITICAL) {
			return Status.OUT_OF_SERVICE;
		}
		return Status.UP;
	}

}
