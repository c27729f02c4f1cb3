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

package io.github.poolwarden.startup;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.support.JdbcTarget;
import io.github.poolwarden.testsupport.TcpForwarder;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.Environment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Startup verification against a real PostgreSQL: incident 000 (a burst of first callers
 * right after the pool starts), a database that appears late or never, errors that
 * waiting cannot fix, and passwords that must never show.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupVerificationTests {

	private static final String CANARY = "Canary-7f3e9a51-pw";

	private static TestDatabase database;

	private static int serverPort;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("startup");
		database.execute("CREATE TABLE risk (id serial PRIMARY KEY, agent int NOT NULL)");
		serverPort = JdbcTarget.parse(database.jdbcUrl()).port();
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private ApplicationContextRunner runner(String url, String... properties) {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + url, "spring.datasource.hikari.pool-name=verify")
			.withPropertyValues(properties);
	}

	private String urlOnPort(int port) {
		return database.jdbcUrl().replace("127.0.0.1:" + serverPort, "127.0.0.1:" + port);
	}

	@Test
	void burstOfFirstCallersRightAfterStartupAllSucceed() {
		runner(database.jdbcUrl(), "spring.datasource.hikari.minimum-idle=2",
				"spring.datasource.hikari.maximum-pool-size=20")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(burst(context.getBean(DataSource.class), 36)).isEmpty();
			});
	}

	@Test
	void burstAfterIdleBackendsWereKilledAllSucceed() throws Exception {
		runner(database.jdbcUrl(), "spring.datasource.hikari.minimum-idle=2",
				"spring.datasource.hikari.maximum-pool-size=20")
			.run((context) -> {
				assertThat(database.terminateBackends()).isGreaterThanOrEqualTo(2);
				// The scenario: the backends die a second before the burst, longer than
				// HikariCP's 500 ms window in which it trusts a recently used connection.
				Thread.sleep(1000);
				assertThat(burst(context.getBean(DataSource.class), 36)).isEmpty();
			});
	}

	/**
	 * Release {@code threads} callers together, each taking a connection and writing a
	 * row; return the failures.
	 */
	private static List<Throwable> burst(DataSource dataSource, int threads) throws InterruptedException {
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		CountDownLatch ready = new CountDownLatch(threads);
		CountDownLatch go = new CountDownLatch(1);
		Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
		AtomicInteger written = new AtomicInteger();
		long before = database.queryForLong("SELECT count(*) FROM risk");
		for (int i = 0; i < threads; i++) {
			int agent = i;
			executor.execute(() -> {
				ready.countDown();
				try {
					go.await();
					try (Connection connection = dataSource.getConnection();
							Statement statement = connection.createStatement()) {
						written.addAndGet(statement.executeUpdate("INSERT INTO risk (agent) VALUES (" + agent + ")"));
					}
				}
				catch (Throwable ex) {
					failures.add(ex);
				}
			});
		}
		assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
		go.countDown();
		executor.shutdown();
		assertThat(executor.awaitTermination(60, TimeUnit.SECONDS)).as("burst finished").isTrue();
		if (failures.isEmpty()) {
			assertThat(written).hasValue(threads);
			assertThat(database.queryForLong("SELECT count(*) FROM risk") - before).isEqualTo(threads);
		}
		return new ArrayList<>(failures);
	}

	@Test
	void waitsForADatabaseThatAppearsLate(CapturedOutput output) throws Exception {
		try (TcpForwarder forwarder = new TcpForwarder(serverPort)) {
			CompletableFuture<Long> started = CompletableFuture.supplyAsync(() -> {
				long[] answer = new long[1];
				runner(urlOnPort(forwarder.port()), "poolwarden.startup.timeout=30s",
						"spring.datasource.hikari.maximum-pool-size=2")
					.run((context) -> {
						assertThat(context).hasNotFailed();
						try (Connection connection = context.getBean(DataSource.class).getConnection();
								Statement statement = connection.createStatement();
								ResultSet resultSet = statement.executeQuery("SELECT 42")) {
							resultSet.next();
							answer[0] = resultSet.getLong(1);
						}
					});
				return answer[0];
			});
			await().atMost(Duration.ofSeconds(20))
				.until(() -> output.getOut().contains("verify - database at 127.0.0.1:" + forwarder.port()));
			assertThat(started).isNotDone();

			forwarder.open();

			assertThat(started.get(30, TimeUnit.SECONDS)).isEqualTo(42);
			assertThat(output.getOut()).contains("SQLState 08001").contains("verify - verified 2 connections");
		}
	}

	@Test
	void failsWithAReportWhenTheDatabaseNeverAppears() {
		int closedPort = TcpForwarder.freePort();
		runner(urlOnPort(closedPort), "poolwarden.startup.timeout=1s").run((context) -> {
			StartupVerificationException failure = verificationFailure(context);
			assertThat(failure.isTimedOut()).isTrue();
			assertThat(failure.getSqlState()).isEqualTo("08001");
			assertThat(failure.getAttempts()).isGreaterThan(1);
			assertThat(failure.getWaited()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(10));
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("verify")
				.contains("127.0.0.1")
				.contains(String.valueOf(closedPort))
				.contains(database.name())
				.contains("08001")
				.contains("poolwarden.startup.timeout ran out");
			assertThat(analysis.getAction()).contains("poolwarden.startup.timeout");
		});
	}

	@Test
	void failsAtOnceWithTimeoutZero() {
		runner(urlOnPort(TcpForwarder.freePort()), "poolwarden.startup.timeout=0").run((context) -> {
			StartupVerificationException failure = verificationFailure(context);
			assertThat(failure.getAttempts()).isEqualTo(1);
			assertThat(failure.isTimedOut()).isFalse();
		});
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			unknown role          | user=pw_no_such_role_x       | 28000 | spring.datasource.username
			role without LOGIN    | NOLOGIN                      | 28000 | spring.datasource.username
			unknown database      | database=pw_no_such_database | 3D000 | Create the database
			bad driver property   | options=-c statement_timeout=abc | 22023 | driver property
			""")
	void failsAtOnceOnErrorsThatWaitingCannotFix(String label, String fault, String sqlState, String action) {
		String url = database.jdbcUrlWithoutCredentials();
		String user = TestPostgres.adminUser();
		if (fault.startsWith("user=")) {
			user = fault.substring(5);
		}
		else if (fault.equals("NOLOGIN")) {
			user = database.createRole("nologin", "NOLOGIN");
		}
		else if (fault.startsWith("database=")) {
			url = url.replace("/" + database.name(), "/" + fault.substring(9));
		}
		else {
			url = url + (url.contains("?") ? "&" : "?") + fault.replace(" ", "%20");
		}
		runner(url, "spring.datasource.username=" + user, "poolwarden.startup.timeout=30s").run((context) -> {
			StartupVerificationException failure = verificationFailure(context);
			assertThat(failure.getSqlState()).isEqualTo(sqlState);
			assertThat(failure.getAttempts()).isEqualTo(1);
			assertThat(failure.isTimedOut()).isFalse();
			assertThat(failure.getWaited()).isLessThan(Duration.ofSeconds(1));
			assertThat(analyze(context.getStartupFailure()).getAction()).contains(action);
		});
	}

	@Test
	void neverShowsThePassword(CapturedOutput output) {
		String role = database.createRole("canary", "LOGIN PASSWORD '" + CANARY + "'");
		String url = database.jdbcUrlWithoutCredentials();
		String separator = url.contains("?") ? "&" : "?";
		int closedPort = TcpForwarder.freePort();
		List<String> seen = new ArrayList<>();
		List<String[]> cases = List.of(
				new String[] { "spring.datasource.url=" + url + separator + "user=" + role + "&password=" + CANARY },
				new String[] { "spring.datasource.url=" + urlOnPort(closedPort).replaceAll("\\?.*", "") + "?user="
						+ role + "&password=" + CANARY, "poolwarden.startup.timeout=300ms" },
				new String[] { "spring.datasource.url=" + url.replace("//", "//" + role + ":" + CANARY + "@"),
						"poolwarden.startup.timeout=300ms" },
				new String[] { "spring.datasource.url=" + url.replace("/" + database.name(), "/pw_nowhere"),
						"spring.datasource.username=" + role, "spring.datasource.password=" + CANARY });
		for (String[] properties : cases) {
			runner(database.jdbcUrl()).withPropertyValues(properties).run((context) -> {
				Throwable failure = context.getStartupFailure();
				for (Throwable each = failure; each != null; each = each.getCause()) {
					seen.add(each.toString());
				}
				if (failure != null) {
					FailureAnalysis analysis = analyze(failure);
					if (analysis != null) {
						seen.add(analysis.getDescription());
						seen.add(analysis.getAction());
					}
				}
			});
		}
		assertThat(seen).isNotEmpty().noneMatch((text) -> text.contains(CANARY));
		assertThat(output.getAll()).doesNotContain(CANARY);
	}

	private static StartupVerificationException verificationFailure(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		for (Throwable each = context.getStartupFailure(); each != null; each = each.getCause()) {
			if (each instanceof StartupVerificationException verification) {
				return verification;
			}
		}
		throw new AssertionError("Not a verification failure", context.getStartupFailure());
	}

	private static FailureAnalysis analyze(Throwable failure) {
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class,
					SpringFactoriesLoader.ArgumentResolver.of(BeanFactory.class, null).and(Environment.class, null),
					FailureHandler.handleMessage((message, ex) -> {
					}));
		for (FailureAnalyzer analyzer : analyzers) {
			if (analyzer.getClass().getName().startsWith("io.github.poolwarden")) {
				FailureAnalysis analysis = analyzer.analyze(failure);
				if (analysis != null) {
					return analysis;
				}
			}
		}
		return null;
	}

}
