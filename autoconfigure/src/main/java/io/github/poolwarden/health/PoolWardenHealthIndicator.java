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
import io.github.poolwarden.StuckPool;
import io.github.poolwarden.pool.ConnectionError;
import io.github.poolwarden.pool.DatabaseProbe;
import io.github.poolwarden.pool.PoolSnapshot;
import io.github.poolwarden.retry.Waiter;
import io.github.poolwarden.tracking.ConnectionTracker;
import io.github.poolwarden.tracking.HolderSummary;
import io.github.poolwarden.utilization.UtilizationLevel;
import io.github.poolwarden.utilization.UtilizationState;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.util.Assert;

/**
 * Health of one guarded pool that tells a saturated pool from a database that is down,
 * and a busy pool from a stuck one, and never waits on the pool. The database's answer
 * is the pool's shared {@link DatabaseProbe}'s: it costs no new session while the pool's
 * own traffic or idle connections can answer.
 * <ul>
 * <li>{@code UP} while the database answers, however full the pool is: the
 * {@code level} detail says how full.</li>
 * <li>{@code DOWN} when the database does not answer within the timeout.</li>
 * <li>{@code DOWN} when the pool is stuck: no borrow has completed for
 * {@code poolwarden.health.stuck-after} while callers waited, every connection held and
 * the database answering ({@code "stuck": true}, with the holders and the oldest
 * waiter).</li>
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
		StuckPool stuck = this.dataSource.stuck(snapshot);
		builder.status(status(answer, snapshot, state.level(), stuck));
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
		builder.withDetail("databaseCheck", databaseCheck(answer));
		builder.withDetail("stuck", stuck != null);
		if (stuck != null) {
			builder.withDetail("noProgressFor", HolderSummary.age(stuck.noProgressFor()));
			builder.withDetail("holders", stuck.holders());
			Waiter waiter = stuck.oldestWaiter();
			if (waiter != null) {
				builder.withDetail("oldestWaiter",
						Map.of("thread", waiter.thread(), "waitingFor", HolderSummary.age(waiter.waitingFor())));
			}
		}
		ConnectionTracker tracker = this.dataSource.getTracker();
		if (stuck == null && tracker != null && tracker.isTrackingHolders() && snapshot.saturated()) {
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

	/**
	 * How the database's answer was known, and how old it is: the pool's own traffic
	 * and idle connections cost no new session, a new connection costs one.
	 */
	private Map<String, Object> databaseCheck(DatabaseProbe.Answer answer) {
		Map<String, Object> check = new LinkedHashMap<>();
		check.put("by", answer.source().tagValue());
		check.put("ageMillis", this.database.ageOf(answer).toMillis());
		return check;
	}

	private Status status(DatabaseProbe.Answer answer, PoolSnapshot snapshot, UtilizationLevel level,
			@Nullable StuckPool stuck) {
		if (!answer.answers(snapshot.total() > 0) || stuck != null) {
			return Status.DOWN;
		}
		if (this.outOfServiceWhenCritical && level == UtilizationLevel.CRITICAL) {
			return Status.OUT_OF_SERVICE;
		}
		return Status.UP;
	}

}
