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
import static org.awaitility.Awaitility.await;

/**
 * Starts the sample application on its own database, as a role of its own with a
 * password, and reads what a user reads: its pages, its actuator endpoints, its
 * replays. The hold-down is shortened so that replays run back to back start from the
 * normal level.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "poolwarden.utilization.hold-down=2s")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SampleApplicationTests {

	private static final String PASSWORD = "Sample-" + java.util.UUID.randomUUID();

	private static TestDatabase database;

	private static String role;

	@LocalServerPort
	private int port;

	@Autowired
	private javax.sql.DataSource dataSource;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		database = TestPostgres.createDatabase("sample");
		role = database.createRole("sample", "LOGIN CREATEROLE PASSWORD '" + PASSWORD + "'");
		registry.add("spring.datasource.url", database::jdbcUrlWithoutCredentials);
		registry.add("spring.datasource.username", () -> role);
		registry.add("spring.datasource.password", () -> PASSWORD);
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
		assertThat(field(body, "status").asString()).isEqualTo("UP");
		JsonNode db = field(body, "components", "db");
		assertThat(field(db, "status").asString()).isEqualTo("UP");
		assertThat(field(db, "details", "database").asString()).isEqualTo("PostgreSQL");
		assertThat(field(db, "details", "validationQuery").asString()).isEqualTo("isValid()");
		assertThat(field(db, "details", "saturated").asBoolean()).isFalse();
		JsonNode poolwarden = field(body, "components", "poolwarden");
		assertThat(field(poolwarden, "status").asString()).isEqualTo("UP");
		assertThat(field(poolwarden, "details", "pool").asString()).isEqualTo("sample");
		assertThat(field(poolwarden, "details", "level").asString()).isEqualTo("normal");
		assertThat(field(poolwarden, "details", "max").asInt()).isEqualTo(10);
		assertThat(field(poolwarden, "details", "database").asString()).isEqualTo("answers");
		assertThat(field(poolwarden, "details", "stuck").asBoolean()).isFalse();
		assertThat(field(poolwarden, "details", "databaseCheck", "by").asString()).isIn("pool-traffic",
				"idle-connection", "new-connection");
	}

	@Test
	void servesOwnersThroughJpaFromTheTablesFlywayMigrated() throws Exception {
		HttpResponse<String> owners = get("/owners?lastName=Davis");

		assertThat(owners.statusCode()).isEqualTo(200);
		JsonNode body = JsonMapper.shared().readTree(owners.body());
		assertThat(body.isArray()).isTrue();
		assertThat(body).hasSize(2);
		assertThat(field(body.get(0), "name").asString()).isEqualTo("Betty Davis");
		assertThat(field(body.get(0), "pets").get(0).asString()).isEqualTo("Basil");
		assertThat(field(body.get(1), "name").asString()).isEqualTo("Harold Davis");
	}

	/**
	 * Readiness follows the database: with the role refused new sessions and its pooled
	 * sessions ended, the database no longer answers this application, and readiness is
	 * DOWN within the probe interval (10 s) plus the health timeout.
	 */
	@Test
	void readinessFollowsTheDatabase() throws Exception {
		assertThat(readiness()).isEqualTo("UP");

		database.execute("ALTER ROLE " + role + " NOLOGIN");
		try {
			database.terminateBackends();
			await().atMost(Duration.ofSeconds(20)).until(() -> "DOWN".equals(readiness()));
			JsonNode poolwarden = field(JsonMapper.shared().readTree(get("/actuator/health").body()), "components",
					"poolwarden");
			assertThat(field(poolwarden, "details", "lastError", "sqlState").asString()).isEqualTo("28000");
			assertThat(field(poolwarden, "details", "stuck").asBoolean()).isFalse();
		}
		finally {
			database.execute("ALTER ROLE " + role + " LOGIN");
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> "UP".equals(readiness()));
	}

	/**
	 * What an orchestrator's probes cost the database: a hundred requests to
	 * /actuator/health (db and poolwarden) on the working clinic open at most one session.
	 */
	@Test
	void aHundredHealthRequestsOpenAtMostOneSession() throws Exception {
		get("/owners?lastName=Davis");
		long before = database.sessionsOpened();

		for (int i = 0; i < 100; i++) {
			HttpResponse<String> health = get("/actuator/health");
			assertThat(health.statusCode()).isEqualTo(200);
		}

		java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong(
				database.sessionsOpened());
		await().atMost(Duration.ofSeconds(10))
			.pollDelay(Duration.ofMillis(300))
			.pollInterval(Duration.ofMillis(300))
			.until(() -> seen.get() == seen.getAndSet(database.sessionsOpened()));
		assertThat(seen.get() - before).isLessThanOrEqualTo(1);
	}

	private String readiness() throws Exception {
		return field(JsonMapper.shared().readTree(get("/actuator/health/readiness").body()), "status").asString();
	}

	@Test
	void publishesUtilizationAndRetryMetrics() throws Exception {
		JsonNode utilization = JsonMapper.shared()
			.readTree(get("/actuator/metrics/poolwarden.connections.utilization?tag=pool:sample").body());
		String prometheus = get("/actuator/prometheus").body();

		assertThat(field(utilization, "name").asString()).isEqualTo("poolwarden.connections.utilization");
		assertThat(field(utilization, "measurements").get(0).get("value").asDouble()).isBetween(0.0, 1.0);
		assertThat(prometheus).contains("poolwarden_connections_utilization_ratio{pool=\"sample\"")
			.contains("poolwarden_utilization_level{pool=\"sample\"")
			.contains("poolwarden_acquisitions_retried_total{pool=\"sample\",result=\"exhausted\"")
			.contains("poolwarden_acquisitions_nested_total{pool=\"sample\"")
			.contains("hikaricp_connections_active{pool=\"sample\"");
	}

	@Test
	void namesTheHoldersAtActuatorPoolwarden() throws Exception {
		java.util.concurrent.CompletableFuture<HttpResponse<String>> work = java.util.concurrent.CompletableFuture
			.supplyAsync(() -> {
				try {
					return get("/work?holdMillis=3000");
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});

		await().atMost(Duration.ofSeconds(10)).until(() -> holders().size() > 0);

		JsonNode holder = holders().get(0);
		assertThat(field(holder, "callSite").asString()).startsWith("WorkController.work(WorkController.java:");
		assertThat(field(holder, "thread").asString()).startsWith("http-nio-");
		JsonNode pool = field(JsonMapper.shared().readTree(get("/actuator/poolwarden").body()), "pools", "sample");
		assertThat(field(pool, "tracking", "borrowed").asLong()).isPositive();
		assertThat(field(pool, "byCallSite").get(0).asString()).contains("held by WorkController.work(");
		assertThat(work.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
	}

	/**
	 * The advice knows the web server's ceiling: Tomcat's 200 worker threads, the most
	 * callers that can ask at once in a servlet application on platform threads.
	 */
	@Test
	void theAdviceOfTheApplicationsPoolKnowsTomcatsWorkerThreads() throws Exception {
		JsonNode advice = field(JsonMapper.shared().readTree(get("/actuator/poolwarden").body()), "pools", "sample",
				"advice");

		assertThat(field(advice, "evidence", "workerCeiling").asInt()).isEqualTo(200);
		assertThat(field(advice, "currentMaximumPoolSize").asInt()).isEqualTo(10);
		assertThat(field(advice, "verdict").asString()).isNotBlank();
	}

	private JsonNode holders() throws Exception {
		return field(JsonMapper.shared().readTree(get("/actuator/poolwarden").body()), "pools", "sample", "holders");
	}

	@Test
	void servesWorkThroughThePool() throws Exception {
		HttpResponse<String> work = get("/work?holdMillis=10");

		assertThat(work.statusCode()).isEqualTo(200);
		assertThat(field(JsonMapper.shared().readTree(work.body()), "server").asString()).contains("PostgreSQL");
	}

	@Test
	void replaysIncident002NamingTheLeakWhileTheCallerWaits() throws Exception {
		JsonNode sides = field(JsonMapper.shared().readTree(post("/incidents/002").body()), "sides");

		assertThat(field(sides.get(0), "side").asString()).isEqualTo("poolwarden");
		assertThat(field(sides.get(0), "holdersNamed").asString()).contains("held by ReportJob.classify(ReportJob.java:");
		assertThat(field(sides.get(0), "failed").asInt()).isZero();
		assertThat(field(sides.get(0), "advice", "verdict").asString()).isEqualTo("fix-code");
		assertThat(field(sides.get(0), "advice", "message").asString()).contains("ReportJob.classify(ReportJob.java:");
		assertThat(field(sides.get(1), "side").asString()).isEqualTo("plain-hikaricp");
		assertThat(field(sides.get(1), "holdersNamed").asString()).isEmpty();
		assertThat(sides.get(1).has("advice")).as("a plain pool gets no advice").isFalse();
	}

	/**
	 * The node at a path, failing when any part of it is missing: a missing field must
	 * never read as 0 or false.
	 */
	private static JsonNode field(JsonNode node, String... path) {
		JsonNode current = node;
		for (String name : path) {
			assertThat(current.has(name)).as("field '%s' in %s", name, current).isTrue();
			current = current.get(name);
		}
		return current;
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

	/**
	 * Incident 001 side by side with the same 1 s budget, long enough for a whole 10 s
	 * window: HikariCP alone fails workers left behind, PoolWarden none, and its side ends
	 * with the advice to grow to what the 8 workers need. How many lose HikariCP's race
	 * depends on the scheduler, so the replay runs up to three times until the plain side
	 * shows it; PoolWarden's side fails none in any of them.
	 */
	@Test
	void replaysIncident001SideBySideEndingWithTheAdviceToGrow() throws Exception {
		int plainFailed = 0;
		for (int run = 0; run < 3 && plainFailed == 0; run++) {
			JsonNode sides = field(JsonMapper.shared().readTree(post("/incidents/001?size=2&years=10").body()), "sides");

			assertThat(field(sides.get(0), "side").asString()).isEqualTo("poolwarden");
			assertThat(field(sides.get(0), "failed").asInt()).isZero();
			assertThat(field(sides.get(0), "retriesRecovered").asInt()).isPositive();
			assertThat(field(sides.get(0), "advice", "verdict").asString()).isEqualTo("grow");
			assertThat(field(sides.get(0), "advice", "recommendedMaximumPoolSize").asInt()).isBetween(6, 8);
			assertThat(field(sides.get(0), "advice", "message").asString()).startsWith("pool 'incident-001' (max 2) saw ");
			assertThat(field(sides.get(1), "side").asString()).isEqualTo("plain-hikaricp");
			plainFailed += field(sides.get(1), "failed").asInt();
		}
		assertThat(plainFailed).as("HikariCP alone fails on the same load, with the same budget").isPositive();
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
