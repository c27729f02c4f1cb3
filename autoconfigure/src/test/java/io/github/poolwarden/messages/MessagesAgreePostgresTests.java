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

package io.github.poolwarden.messages;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.endpoint.PoolWardenEndpointAutoConfiguration;
import io.github.poolwarden.endpoint.PoolWardenEndpoint;
import io.github.poolwarden.endpoint.PoolWardenEndpoint.PoolReport;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every message agrees with itself: a pool of 2 churned by 12 callers holding 40 ms each,
 * with a 1 s budget, for 15 s; every line PoolWarden logged and every endpoint response
 * read meanwhile is checked — "every connection in use" only when it is, holders that add
 * up to the active count, utilization that is active / capacity, and a caller's failure
 * that says how long it waited in all.
 */
@ExtendWith(OutputCaptureExtension.class)
class MessagesAgreePostgresTests {

	private static final Pattern COUNTS = Pattern
		.compile("active=(\\d+), idle=(\\d+), waiting=(\\d+), max=(\\d+)(?:, server capacity=(\\d+))?");

	private static final Pattern HELD = Pattern.compile("(?:^|; |: |\\s{4})(\\d+) (?:held by|with no recorded holder)");

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("messages");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@Test
	void aChurnedPoolOfTwoSaysOnlyWhatItsNumbersShow(CapturedOutput output) throws Exception {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, PoolWardenEndpointAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(), "spring.datasource.hikari.pool-name=churn",
					"spring.datasource.hikari.maximum-pool-size=2", "spring.datasource.hikari.connection-timeout=1000",
					"management.endpoints.web.exposure.include=poolwarden")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				PoolWardenEndpoint endpoint = context.getBean(PoolWardenEndpoint.class);
				Queue<SQLException> failures = new ConcurrentLinkedQueue<>();
				ExecutorService callers = Executors.newFixedThreadPool(12);
				long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
				List<Future<?>> loops = new ArrayList<>();
				for (int i = 0; i < 12; i++) {
					loops.add(callers.submit(() -> {
						while (System.nanoTime() - end < 0) {
							try (Connection connection = dataSource.getConnection();
									Statement statement = connection.createStatement()) {
								statement.execute("SELECT pg_sleep(0.04)");
							}
							catch (SQLException ex) {
								failures.add(ex);
							}
						}
						return null;
					}));
				}
				List<PoolReport> reports = new ArrayList<>();
				while (System.nanoTime() - end < 0) {
					reports.add(endpoint.pools().pools().get("churn"));
					// as a page polling the endpoint would, not a busy loop competing with the callers
					java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
				}
				callers.shutdown();
				for (Future<?> loop : loops) {
					loop.get(30, TimeUnit.SECONDS);
				}

				assertThat(reports).hasSizeGreaterThan(50);
				assertThat(reports).allSatisfy((report) -> {
					assertThat(report.holders()).as("holders listed for active=" + report.state().active())
						.hasSize(report.state().active());
					assertThat(report.state().utilization())
						.isEqualTo(Math.round(1000.0 * report.state().active() / report.state().capacity()) / 1000.0);
				});
				assertThat(reports).as("the churn saturated the pool")
					.anyMatch((report) -> report.state().waiting() > 0);
				List<String> lines = poolWardenLines(output.getOut());
				assertThat(lines).as("the churn exhausted the pool").anyMatch((line) -> line.contains("pool exhausted"));
				assertThat(lines).allSatisfy(MessagesAgreePostgresTests::agreesWithItself);
				assertThat(failures).allSatisfy((failure) -> {
					agreesWithItself(failure.getMessage());
					assertThat(failure.getMessage()).containsPattern("(no connection after \\d+ attempts? in "
							+ "(\\d{4,}) ms|after waiting (\\d{4,}) ms in all)");
				});
			});
	}

	/**
	 * One line (an ERROR line with its holders on the lines that follow it is one
	 * message): its counts, what it says about them, and the holders it names.
	 */
	private static void agreesWithItself(String message) {
		Matcher counts = COUNTS.matcher(message);
		if (!counts.find()) {
			return;
		}
		int active = Integer.parseInt(counts.group(1));
		int idle = Integer.parseInt(counts.group(2));
		int max = Integer.parseInt(counts.group(4));
		int capacity = (counts.group(5) != null) ? Integer.parseInt(counts.group(5)) : max;
		if (message.contains("every connection in use")) {
			assertThat(idle).as(message).isZero();
			assertThat(active).as(message).isEqualTo(capacity);
		}
		if (message.contains("holders") || message.contains(" held by ")) {
			int named = 0;
			Matcher held = HELD.matcher(message);
			while (held.find()) {
				named += Integer.parseInt(held.group(1));
			}
			assertThat(named).as("holders named in: " + message).isEqualTo(active);
		}
	}

	/**
	 * PoolWarden's log lines, each with the indented holder lines that follow it.
	 */
	private static List<String> poolWardenLines(String out) {
		List<String> messages = new ArrayList<>();
		StringBuilder current = null;
		for (String line : out.split("\\R")) {
			if (line.startsWith("    ") && current != null) {
				current.append(line);
				continue;
			}
			if (current != null) {
				messages.add(current.toString());
				current = null;
			}
			if (line.contains(" i.g.p.") && line.contains("churn - ")) {
				current = new StringBuilder(line);
			}
		}
		if (current != null) {
			messages.add(current.toString());
		}
		return messages;
	}

}
