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

package io.github.poolwarden.incident004;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.github.poolwarden.incident004.slices.Incident004SliceFixtures;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.cache.DefaultCacheAwareContextLoaderDelegate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Incident 004 replayed with Spring's test framework: a dozen cached contexts, each with
 * a pool of 10, against a role limited to 30 connections, once with
 * {@code @SpringBootTest} classes and once with test slices. Without PoolWarden the suite
 * fails with 53300, and so it does with PoolWarden but {@code release-on-pause} off; with
 * PoolWarden, whose pools release their connections when Spring pauses an inactive
 * context, every class passes.
 */
@ExtendWith(OutputCaptureExtension.class)
class Incident004Tests {

	private static TestDatabase database;

	private static String role;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("incident004");
		role = database.createRole("suite", "LOGIN CONNECTION LIMIT 30");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@Test
	void withoutPoolWardenTheSuiteRunsOutOfConnections() {
		TestExecutionSummary summary = runFixtures(Incident004Fixtures.class, Map.of("poolwarden.enabled", "false"));

		assertRanOutOfConnections(summary);
	}

	@Test
	void withPoolWardenEveryClassPasses() {
		assertEveryClassPassed(runFixtures(Incident004Fixtures.class, Map.of()));
	}

	@Test
	void withoutReleaseOnPauseTheSuiteRunsOutOfConnections() {
		TestExecutionSummary summary = runFixtures(Incident004Fixtures.class,
				Map.of("poolwarden.release-on-pause", "false"));

		assertRanOutOfConnections(summary);
	}

	@Test
	void withoutPoolWardenTheSliceSuiteRunsOutOfConnections(CapturedOutput output) {
		TestExecutionSummary summary = runFixtures(Incident004SliceFixtures.class,
				Map.of("poolwarden.enabled", "false"));

		// Hibernate and Spring Data JDBC turn the refusal into "cannot determine a
		// dialect" and drop the SQLException: the server's words are only in the log.
		assertThat(summary.getTestsFoundCount()).isEqualTo(12);
		assertThat(summary.getTotalFailureCount()).isPositive();
		assertThat(summary.getFailures()).allSatisfy((failure) -> assertThat(
				sqlState(failure.getException()).equals("53300") || messages(failure.getException()).contains("ialect"))
			.as("refused with 53300, or a slice that could not determine its dialect: %s", failure.getException())
			.isTrue());
		assertThat(output.getOut()).contains("too many connections for role");
	}

	@Test
	void withPoolWardenEverySliceClassPasses() {
		assertEveryClassPassed(runFixtures(Incident004SliceFixtures.class, Map.of()));
	}

	private static void assertRanOutOfConnections(TestExecutionSummary summary) {
		assertThat(summary.getTestsFoundCount()).isEqualTo(12);
		assertThat(summary.getTotalFailureCount()).isPositive();
		assertThat(summary.getFailures()).allSatisfy((failure) -> assertThat(sqlState(failure.getException()))
			.isEqualTo("53300"));
	}

	private static void assertEveryClassPassed(TestExecutionSummary summary) {
		assertThat(summary.getTestsFoundCount()).isEqualTo(12);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isEqualTo(12);
	}

	private static TestExecutionSummary runFixtures(Class<?> fixturesClass, Map<String, String> extra) {
		// A context that finds no connection slot gives up after 2 s rather than
		// PoolWarden's default 30 s, in every run.
		Map<String, String> properties = new java.util.HashMap<>(Map.of("spring.datasource.url",
				database.jdbcUrlWithoutCredentials(), "spring.datasource.username", role, "spring.datasource.password",
				database.passwordOf(role), "spring.datasource.hikari.maximum-pool-size", "10", "spring.test.context.cache.pause",
				"on_context_switch", "poolwarden.startup.timeout", "2s"));
		properties.putAll(extra);
		properties.forEach(System::setProperty);
		try {
			List<Class<?>> fixtures = Arrays.stream(fixturesClass.getDeclaredClasses())
				.filter((each) -> each.getSimpleName().startsWith("Context") || each.getSimpleName().startsWith("Slice"))
				.sorted((a, b) -> a.getSimpleName().compareTo(b.getSimpleName()))
				.toList();
			LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
				.selectors(fixtures.stream().map(DiscoverySelectors::selectClass).toList())
				.build();
			SummaryGeneratingListener listener = new SummaryGeneratingListener();
			LauncherFactory.create().execute(request, listener);
			return listener.getSummary();
		}
		finally {
			properties.keySet().forEach(System::clearProperty);
			ContextCache.closeAll();
		}
	}

	private static String messages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable each = failure; each != null; each = each.getCause()) {
			messages.append(each.getMessage()).append('\n');
		}
		return messages.toString();
	}

	private static String sqlState(Throwable failure) {
		for (Throwable each = failure; each != null; each = each.getCause()) {
			if (each instanceof SQLException sql && sql.getSQLState() != null) {
				return sql.getSQLState();
			}
		}
		return "no SQLState in " + failure;
	}

	/**
	 * Closes the contexts the fixtures cached and empties Spring's context cache, so
	 * the next run starts from nothing and the role's connections are given back.
	 */
	static final class ContextCache extends DefaultCacheAwareContextLoaderDelegate {

		static void closeAll() {
			for (ConfigurableApplicationContext context : Incident004Fixtures.contexts) {
				context.close();
			}
			Incident004Fixtures.contexts.clear();
			for (ConfigurableApplicationContext context : Incident004SliceFixtures.contexts) {
				context.close();
			}
			Incident004SliceFixtures.contexts.clear();
			new ContextCache().getContextCache().reset();
		}

	}

}
