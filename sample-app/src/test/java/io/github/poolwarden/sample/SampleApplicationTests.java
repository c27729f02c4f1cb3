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

package io.github.poolwarden.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts the sample application on its own database and reads its actuator endpoints.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class SampleApplicationTests {

	private static TestDatabase database;

	@LocalServerPort
	private int port;

	@Autowired
	private javax.sql.DataSource dataSource;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		database = TestPostgres.createDatabase("sample");
		registry.add("spring.datasource.url", database::jdbcUrl);
		registry.add("spring.datasource.username", TestPostgres::adminUser);
	}

	@AfterAll
	static void dropDatabase() {
		if (database != null) {
			database.close();
		}
	}

	@Test
	void startsWithAGuardedPoolAndReportsHealthUp() throws Exception {
		assertThat(this.dataSource).isInstanceOf(GuardedDataSource.class);

		HttpResponse<String> health = get("/actuator/health");

		assertThat(health.statusCode()).isEqualTo(200);
		JsonNode body = JsonMapper.shared().readTree(health.body());
		assertThat(body.path("status").asString()).isEqualTo("UP");
		assertThat(body.path("components").path("db").path("status").asString()).isEqualTo("UP");
		JsonNode poolwarden = body.path("components").path("poolwarden");
		assertThat(poolwarden.path("status").asString()).isEqualTo("UP");
		assertThat(poolwarden.path("details").path("pool").asString()).isEqualTo("sample");
		assertThat(poolwarden.path("details").path("level").asString()).isEqualTo("normal");
		assertThat(poolwarden.path("details").path("max").asInt()).isEqualTo(10);
	}

	@Test
	void readinessFollowsPoolWarden() throws Exception {
		JsonNode readiness = JsonMapper.shared().readTree(get("/actuator/health/readiness").body());

		assertThat(readiness.path("status").asString()).isEqualTo("UP");
		assertThat(readiness.path("components").has("poolwarden")).isTrue();
	}

	@Test
	void publishesUtilizationAndRetryMetrics() throws Exception {
		JsonNode utilization = JsonMapper.shared()
			.readTree(get("/actuator/metrics/poolwarden.connections.utilization?tag=pool:sample").body());
		String prometheus = get("/actuator/prometheus").body();

		assertThat(utilization.path("measurements").get(0).path("value").asDouble()).isBetween(0.0, 1.0);
		assertThat(prometheus).contains("poolwarden_connections_utilization_ratio{pool=\"sample\"")
			.contains("poolwarden_utilization_level{pool=\"sample\"")
			.contains("poolwarden_acquisitions_retried_total{pool=\"sample\",result=\"exhausted\"")
			.contains("hikaricp_connections_active{pool=\"sample\"");
	}

	@Test
	void namesTheHoldersAtActuatorPoolwarden() throws Exception {
		JsonNode report = JsonMapper.shared().readTree(get("/actuator/poolwarden").body());

		JsonNode pool = report.path("pools").path("sample");
		assertThat(pool.path("state").path("max").asInt()).isEqualTo(10);
		assertThat(pool.path("holders").isArray()).isTrue();
		assertThat(pool.path("tracking").path("borrowed").asLong()).isGreaterThanOrEqualTo(0);
	}

	@Test
	void servesWorkThroughThePool() throws Exception {
		HttpResponse<String> work = get("/work?holdMillis=10");

		assertThat(work.statusCode()).isEqualTo(200);
		assertThat(work.body()).contains("PostgreSQL");
	}

	private HttpResponse<String> get(String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build();
		return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
	}

}
