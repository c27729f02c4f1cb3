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

package io.github.poolwarden.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What naming the holder costs per borrow at the stack depths of real applications
 * (about 30 frames for a plain service, about 120 under Spring MVC, a transaction proxy
 * and JPA): borrow and return on a stub driver at the bottom of a stack of the given
 * depth, for raw HikariCP, HikariCP with its own leak detection (which records the
 * borrower's stack on every borrow), and PoolWarden with call sites recorded always (the
 * default), on pressure, or never.
 */
@State(Scope.Thread)
public class CaptureCostBenchmark {

	@Param({ "raw", "leak-detection", "never", "on-pressure", "defaults", "always" })
	public String variant;

	@Param({ "30", "120" })
	public int depth;

	private Variant.Built built;

	private int recursion = -1;

	@Setup(Level.Trial)
	public void setUp() {
		this.built = Variant.of(this.variant).build(StubDriver.URL, 8, Duration.ofSeconds(30));
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.built.close();
	}

	@Benchmark
	public void getAndCloseAtDepth(Blackhole blackhole) throws SQLException {
		if (this.recursion < 0) {
			// JMH's own frames count towards the depth.
			this.recursion = Math.max(0, this.depth - new Throwable().getStackTrace().length);
		}
		descend(this.recursion, blackhole);
	}

	private void descend(int remaining, Blackhole blackhole) throws SQLException {
		if (remaining > 0) {
			descend(remaining - 1, blackhole);
			return;
		}
		try (Connection connection = this.built.dataSource().getConnection()) {
			blackhole.consume(connection);
		}
	}

}
