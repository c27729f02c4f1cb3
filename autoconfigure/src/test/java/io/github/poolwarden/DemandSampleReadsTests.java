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

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.advice.DemandSample;
import io.github.poolwarden.advice.PoolAdvisor;
import io.github.poolwarden.pool.PoolProbe;
import io.github.poolwarden.pool.PoolSnapshot;
import io.github.poolwarden.tracking.CallSiteCapture;
import io.github.poolwarden.tracking.CallSites;
import io.github.poolwarden.tracking.ConnectionTracker;
import io.github.poolwarden.utilization.UtilizationMonitor;
import io.github.poolwarden.utilization.UtilizationThresholds;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for how {@link GuardedDataSource} reads the demand it gives the advisor.
 *
 * @author PoolWarden authors
 */
class DemandSampleReadsTests {

	/**
	 * Eight callers on a pool of 4, one read counting a caller twice (it closed and
	 * borrowed again between the reads of HikariCP's counters): the sample keeps 8.
	 */
	@Test
	void aCallerCountedTwiceInOneReadIsNotASample() {
		Reads reads = new Reads(new PoolSnapshot("orders", 4, 0, 4, 5, 4, 4),
				new PoolSnapshot("orders", 4, 0, 4, 4, 4, 4), new PoolSnapshot("orders", 4, 0, 4, 5, 4, 4));
		List<DemandSample> samples = sample(reads);

		assertThat(samples).singleElement().satisfies((sample) -> assertThat(sample.demand()).isEqualTo(8));
		assertThat(reads.left()).isZero();
	}

	/**
	 * The control: three reads that agree give that demand, however high; without
	 * holders tracked, HikariCP's counts are all there is, so the hand-over of
	 * {@link #aCallerHikariCountsActiveAndWaitingIsCountedOnce()} counts 9.
	 */
	@Test
	void readsThatAgreeAreTheSample() {
		PoolSnapshot nine = new PoolSnapshot("orders", 4, 0, 4, 5, 4, 4);
		List<DemandSample> samples = sample(new Reads(nine, nine, nine));

		assertThat(samples).singleElement().satisfies((sample) -> assertThat(sample.demand()).isEqualTo(9));
	}

	/**
	 * Eight callers on a pool of 4, one of them just handed a connection by HikariCP
	 * and not yet out of its queue: HikariCP counts it active and waiting in every read
	 * (4 + 5), PoolWarden sees three holders and the five waiting. Where holders are
	 * tracked they are the connections in use: the sample keeps 8.
	 */
	@Test
	void aCallerHikariCountsActiveAndWaitingIsCountedOnce() throws SQLException {
		PoolSnapshot handOver = new PoolSnapshot("orders", 4, 0, 4, 5, 4, 4);
		ConnectionTracker tracker = new ConnectionTracker("orders", true, false, CallSiteCapture.NEVER,
				new CallSites(List.of(), CallSites.DEFAULT_SKIPPED), Duration.ofMinutes(1));
		for (int i = 0; i < 3; i++) {
			tracker.track(stubConnection(), tracker.holding());
		}
		List<DemandSample> samples = sample(new Reads(handOver, handOver, handOver), tracker);

		assertThat(samples).singleElement().satisfies((sample) -> {
			assertThat(sample.active()).isEqualTo(3);
			assertThat(sample.demand()).isEqualTo(8);
			assertThat(sample.holders()).hasSize(3);
		});
	}

	private static Connection stubConnection() {
		return (Connection) Proxy.newProxyInstance(DemandSampleReadsTests.class.getClassLoader(),
				new Class<?>[] { Connection.class }, (proxy, method, args) -> switch (method.getName()) {
					case "unwrap" -> proxy;
					case "isClosed" -> false;
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					default -> null;
				});
	}

	private static List<DemandSample> sample(Reads reads) {
		return sample(reads, null);
	}

	private static List<DemandSample> sample(Reads reads, ConnectionTracker tracker) {
		List<DemandSample> samples = new ArrayList<>();
		try (HikariDataSource pool = new HikariDataSource()) {
			pool.setPoolName("orders");
			GuardedDataSource dataSource = new GuardedDataSource(pool, reads,
					null, new UtilizationMonitor(UtilizationThresholds.DEFAULTS), tracker);
			dataSource.setAdvisor(new PoolAdvisor("orders",
					new PoolAdvisor.Settings(Duration.ofSeconds(10), Duration.ofSeconds(60), null, 1, true), null,
					System::nanoTime) {

				@Override
				public synchronized void sample(DemandSample sample) {
					samples.add(sample);
				}

			});
			// setting the advisor takes a first sample
		}
		return samples;
	}

	/**
	 * A probe that answers with the given snapshots in turn.
	 */
	private static final class Reads implements PoolProbe {

		private final Deque<PoolSnapshot> snapshots;

		Reads(PoolSnapshot... snapshots) {
			this.snapshots = new ArrayDeque<>(List.of(snapshots));
		}

		@Override
		public PoolSnapshot snapshot() {
			return this.snapshots.remove();
		}

		int left() {
			return this.snapshots.size();
		}

	}

}
