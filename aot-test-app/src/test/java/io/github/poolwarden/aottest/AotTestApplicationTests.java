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

package io.github.poolwarden.aottest;

import java.sql.Connection;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.endpoint.PoolWardenEndpoint;
import org.junit.jupiter.api.Test;

import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter on Spring AOT's generated code: the context is the one {@code process-test-aot}
 * wrote at build time, and PoolWarden guards, verifies, tracks and reports the pool as it
 * does on the JVM's reflection-based startup. The database is the test server's, named at
 * run time by {@code POOLWARDEN_TEST_JDBC_URL}.
 */
@SpringBootTest(properties = { "spring.datasource.url=${POOLWARDEN_TEST_JDBC_URL}",
		"spring.datasource.hikari.pool-name=aot", "spring.datasource.hikari.maximum-pool-size=3",
		"management.endpoints.access.default=read-only", "management.endpoints.web.exposure.include=health,poolwarden" })
class AotTestApplicationTests {

	@Autowired
	private DataSource dataSource;

	@Autowired
	private GuardedPools pools;

	@Autowired
	private PoolWardenEndpoint endpoint;

	@Autowired
	private HealthEndpoint health;

	@Test
	void runsOnTheGeneratedCode() {
		assertThat(AotDetector.useGeneratedArtifacts()).as("spring.aot.enabled").isTrue();
	}

	@Test
	void thePoolIsGuardedVerifiedAndTracked() throws Exception {
		assertThat(this.dataSource).isInstanceOf(GuardedDataSource.class);
		GuardedDataSource guarded = (GuardedDataSource) this.dataSource;
		assertThat(guarded.getPool().isRunning()).as("verified before the context was up").isTrue();
		assertThat(this.pools.asMap()).containsValue(guarded);
		try (Connection connection = this.dataSource.getConnection()) {
			assertThat(connection.isValid(1)).isTrue();
			assertThat(guarded.getTracker().holders()).singleElement()
				.satisfies((holder) -> assertThat(holder.callSite()).startsWith("AotTestApplicationTests."));
		}
	}

	@Test
	void healthAndTheEndpointReportThePool() {
		assertThat(this.health.health().getStatus().getCode()).isEqualTo("UP");
		PoolWardenEndpoint.PoolReport report = this.endpoint.pools().pools().get("aot");
		assertThat(report.state().max()).isEqualTo(3);
		assertThat(report.advice()).isNotNull();
		assertThat(report.advice().currentMaximumPoolSize()).isEqualTo(3);
	}

}
