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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
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
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
	@Order(1)
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

	@Test
	void livePageShowsAReplayCrossingTheThresholdsAndNamesTheHolders() throws Exception {
		ChromeDriver browser = Browser.start();
		try {
			WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
			browser.get("http://127.0.0.1:" + this.port + "/");
			wait.until((page) -> "normal".equals(page.findElement(By.id("level")).getText()));

			browser.findElement(By.id("run-003")).click();

			wait.until((page) -> percent(page.findElement(By.id("peak")).getText()) >= 80);
			wait.until((page) -> page.findElement(By.id("holders")).getText().contains("held by"));
			wait.until((page) -> "critical".equals(page.findElement(By.id("level")).getText())
					&& page.findElement(By.id("counts")).getText().startsWith("10 /"));
			Path screenshot = Path.of("target", "live-page.png");
			Files.write(screenshot, browser.getScreenshotAs(OutputType.BYTES));
			wait.until((page) -> page.findElement(By.id("status")).getText().contains("replayed"));
			assertThat(browser.findElement(By.id("result")).getText()).contains("poolwarden")
				.contains("plain-hikaricp")
				.contains("warningsLogged");
			assertThat(percent(browser.findElement(By.id("peak")).getText())).isGreaterThanOrEqualTo(95);
		}
		finally {
			browser.quit();
		}
	}

	private static int percent(String text) {
		return text.endsWith("%") ? Integer.parseInt(text.substring(0, text.length() - 1)) : -1;
	}

	@Test
	void replaysAnIncidentSideBySide() throws Exception {
		HttpResponse<String> response = post("/incidents/001?size=2&years=2");

		JsonNode sides = JsonMapper.shared().readTree(response.body()).path("sides");
		assertThat(sides.get(0).path("side").asString()).isEqualTo("poolwarden");
		assertThat(sides.get(0).path("failed").asInt()).isZero();
		assertThat(sides.get(0).path("retriesRecovered").asInt()).isPositive();
		assertThat(sides.get(1).path("side").asString()).isEqualTo("plain-hikaricp");
		assertThat(sides.get(1).path("failed").asInt()).as("HikariCP alone fails on the same load").isPositive();
	}

	@Test
	void everyMetricTheDashboardAndTheAlertsUseIsScrapedWithItsLabels() throws Exception {
		post("/incidents/000");
		String scrape = get("/actuator/prometheus").body();
		String kit = Files.readString(Path.of("..", "docs", "grafana", "poolwarden-dashboard.json"))
				+ Files.readString(Path.of("..", "docs", "prometheus", "poolwarden-rules.yml"));
		Set<String> names = new TreeSet<>();
		Matcher matcher = Pattern.compile("\\b((?:poolwarden|hikaricp)_[a-z_]+)\\b").matcher(kit);
		while (matcher.find()) {
			names.add(matcher.group(1));
		}

		assertThat(names).hasSizeGreaterThanOrEqualTo(10);
		for (String name : names) {
			assertThat(scrape).as(name).containsPattern("(?m)^" + name + "\\{[^}]*pool=\"sample\"");
		}
		assertThat(scrape).containsPattern("poolwarden_acquisitions_retried_total\\{[^}]*result=\"exhausted\"")
			.containsPattern("poolwarden_utilization_transitions_total\\{[^}]*level=\"critical\"");
	}

	private HttpResponse<String> post(String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.POST(HttpRequest.BodyPublishers.noBody())
			.timeout(Duration.ofMinutes(2))
			.build();
		return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build();
		return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
	}

}
