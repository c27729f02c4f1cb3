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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.poolwarden.testsupport.PrivateCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The sample application (JPA, Flyway, Tomcat) started the way a user starts it, against
 * private PostgreSQL clusters: one that comes up after the application, and one that
 * requires passwords. Flyway and Hibernate borrow from the pool while the context is
 * built; PoolWarden verifies the pool before either can.
 */
@ExtendWith(OutputCaptureExtension.class)
class SampleStartupTests {

	private static final String PASSWORD = "Clinic-3c1a-horse";

	/**
	 * Start the application with command-line arguments, which win over its
	 * {@code application.yml}, as a user's would.
	 */
	private static ConfigurableApplicationContext start(String url, String... properties) {
		return start(List.of(), url, properties);
	}

	private static ConfigurableApplicationContext start(List<ApplicationListener<?>> listeners, String url,
			String... properties) {
		List<String> args = new ArrayList<>(
				List.of("--spring.datasource.url=" + url, "--server.port=0", "--spring.main.banner-mode=off"));
		for (String property : properties) {
			args.add("--" + property);
		}
		return new SpringApplicationBuilder(SampleApplication.class).listeners(listeners.toArray(ApplicationListener[]::new))
			.run(args.toArray(String[]::new));
	}

	/**
	 * The startup order the README promises: the pool is verified before Flyway migrates
	 * and Hibernate builds its entity manager factory (both borrow while the context is
	 * built), and before the web server starts and readiness accepts traffic.
	 */
	@Test
	void thePoolIsVerifiedBeforeMigrationsTheWebServerAndReadiness(CapturedOutput output) {
		try (PrivateCluster cluster = PrivateCluster.create(Map.of(), false)) {
			cluster.start();
			String verified = "sample - verified 2 connections to 127.0.0.1:" + cluster.port();
			List<String> seen = new CopyOnWriteArrayList<>();
			ApplicationListener<ApplicationEvent> recorder = (event) -> {
				if (event instanceof WebServerInitializedEvent) {
					seen.add("web server started, pool verified: " + output.getOut().contains(verified));
				}
				else if (event instanceof AvailabilityChangeEvent<?> change
						&& change.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
					seen.add("accepting traffic, pool verified: " + output.getOut().contains(verified));
				}
			};

			try (ConfigurableApplicationContext context = start(List.of(recorder), cluster.jdbcUrlWithoutUser(),
					"spring.datasource.username=postgres")) {
				String out = output.getOut();
				assertThat(out.indexOf(verified)).isNotNegative()
					.isLessThan(out.indexOf("Successfully applied 2 migrations"))
					.isLessThan(out.indexOf("Initialized JPA EntityManagerFactory"))
					.isLessThan(out.indexOf("Tomcat started on port"));
				assertThat(seen).containsExactly("web server started, pool verified: true",
						"accepting traffic, pool verified: true");
			}
		}
	}

	@Test
	void aDatabaseThatComesUpLateIsWaitedForAndTheMigrationsRun(CapturedOutput output) throws Exception {
		try (PrivateCluster cluster = PrivateCluster.create(Map.of(), false)) {
			CompletableFuture<ConfigurableApplicationContext> application = CompletableFuture
				.supplyAsync(() -> start(cluster.jdbcUrlWithoutUser(), "spring.datasource.username=postgres"));

			await().atMost(Duration.ofSeconds(30)).until(() -> output.getOut().contains("not ready"));
			assertThat(application).isNotDone();
			cluster.start();

			try (ConfigurableApplicationContext context = application.get(60, TimeUnit.SECONDS)) {
				assertThat(output.getOut()).contains("sample - database at 127.0.0.1:" + cluster.port()
						+ "/postgres not ready (SQLState 08001, the database cannot be reached")
					.contains("sample - verified 2 connections to 127.0.0.1:" + cluster.port() + "/postgres");
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
				assertThat(jdbc.queryForObject("SELECT count(*) FROM poolwarden_sample.owners", Integer.class))
					.isEqualTo(10);
			}
		}
	}

	@Test
	void withoutPoolWardenTheSameLateDatabaseEndsTheStartup(CapturedOutput output) {
		try (PrivateCluster cluster = PrivateCluster.create(Map.of(), false)) {
			Throwable failure = catchThrowable(() -> start(cluster.jdbcUrlWithoutUser(),
					"spring.datasource.username=postgres", "poolwarden.enabled=false").close());

			assertThat(failure).isNotNull();
			assertThat(output.getOut()).contains("Connection to 127.0.0.1:" + cluster.port() + " refused")
				.doesNotContain("not ready")
				.doesNotContain("PoolWarden could not verify");
		}
	}

	@Test
	void aWrongPasswordEndsTheStartupAtOnceWithPoolWardensReport(CapturedOutput output) {
		try (PrivateCluster cluster = PrivateCluster.startRequiringPasswords(Map.of())) {
			cluster.execute("CREATE ROLE clinic LOGIN PASSWORD '" + PASSWORD + "'");
			String wrong = "Wrong-" + PASSWORD;

			Throwable failure = catchThrowable(() -> start(cluster.jdbcUrlWithoutUser(),
					"spring.datasource.username=clinic", "spring.datasource.password=" + wrong)
				.close());

			assertThat(failure).isNotNull();
			assertThat(output.getAll()).contains("PoolWarden could not verify the connection pool 'sample'")
				.contains("SQLState:  28P01")
				.contains("Check spring.datasource.username and spring.datasource.password")
				.doesNotContain(wrong)
				.doesNotContain(PASSWORD)
				.doesNotContain("FlywaySqlException");
			assertThat(waitedMillis(output.getAll())).isLessThan(1000);
		}
	}

	@Test
	void anUnknownDatabaseEndsTheStartupAtOnceWithPoolWardensReport(CapturedOutput output) {
		try (PrivateCluster cluster = PrivateCluster.startRequiringPasswords(Map.of())) {
			cluster.execute("CREATE ROLE clinic LOGIN PASSWORD '" + PASSWORD + "'");

			Throwable failure = catchThrowable(
					() -> start(cluster.jdbcUrlWithoutUser().replace("/postgres", "/no_such_clinic"),
							"spring.datasource.username=clinic", "spring.datasource.password=" + PASSWORD)
						.close());

			assertThat(failure).isNotNull();
			assertThat(output.getAll()).contains("PoolWarden could not verify the connection pool 'sample'")
				.contains("SQLState:  3D000")
				.contains("Create the database")
				.doesNotContain(PASSWORD);
			assertThat(waitedMillis(output.getAll())).isLessThan(1000);
		}
	}

	private static long waitedMillis(String output) {
		Matcher matcher = Pattern.compile("Waited:    (\\d+) ms, 1 attempt ").matcher(output);
		assertThat(matcher.find()).as("the report says how long verification waited, after one attempt").isTrue();
		return Long.parseLong(matcher.group(1));
	}

}
