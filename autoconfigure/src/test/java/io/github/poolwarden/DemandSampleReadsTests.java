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
	 * The control: three reads that agree give that demand, however high.
	 */
	@Test
	void readsThatAgreeAreTheSample() {
		PoolSnapshot nine = new PoolSnapshot("orders", 4, 0, 4, 5, 4, 4);
		List<DemandSample> samples = sample(new Reads(nine, nine, nine));

		assertThat(samples).singleElement().satisfies((sample) -> assertThat(sample.demand()).isEqualTo(9));
	}

	private static List<DemandSample> sample(Reads reads) {
		List<DemandSample> samples = new ArrayList<>();
		try (HikariDataSource pool = new HikariDataSource()) {
			pool.setPoolName("orders");
			GuardedDataSource dataSource = new GuardedDataSource(pool, reads,
					null, new UtilizationMonitor(UtilizationThresholds.DEFAULTS), null);
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
