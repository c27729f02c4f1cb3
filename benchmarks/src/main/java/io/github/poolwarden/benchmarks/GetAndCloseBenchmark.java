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
 * {@code getConnection()} and {@code close()} on a stub driver, so only the pool and its
 * wrapper are measured: the magnifying glass. Raw HikariCP, HikariCP with its leak
 * detection, PoolWarden with everything off, with defaults (a stack recorded per borrow),
 * with call sites on pressure or never, and FlexyPool, each built through Spring Boot's
 * auto-configuration. Run with {@code -t 1} and {@code -t 4}; pool size 2 with 4 threads
 * is the contended case.
 */
@State(Scope.Benchmark)
public class GetAndCloseBenchmark {

	@Param({ "raw", "leak-detection", "off", "defaults", "always", "on-pressure", "never", "flexy" })
	public String variant;

	@Param({ "8", "2" })
	public int poolSize;

	private Variant.Built built;

	@Setup(Level.Trial)
	public void setUp() {
		this.built = Variant.of(this.variant).build(StubDriver.URL, this.poolSize, Duration.ofSeconds(30));
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.built.close();
	}

	@Benchmark
	public void getAndClose(Blackhole blackhole) throws SQLException {
		try (Connection connection = this.built.dataSource().getConnection()) {
			blackhole.consume(connection);
		}
	}

}
