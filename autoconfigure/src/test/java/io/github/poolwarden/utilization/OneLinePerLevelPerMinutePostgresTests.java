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

package io.github.poolwarden.utilization;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.testsupport.BesideOthersAppender;
import io.github.poolwarden.testsupport.Churn;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * "At most one line per level per minute", observed for a whole minute and past it: a
 * pool of 2 whose utilization jumps between 0 % and 100 % every 350 ms for 65 s, with
 * nothing tuned, logs one ERROR when it first turns critical and nothing else while the
 * churn lasts; one INFO a minute after it ends (the 60 s hold-down), and no warning line
 * at all. The control, the same churn with {@code hold-down=0s}, flaps
 * ({@code NothingTunedPostgresTests.withoutTheHoldDownTheSameChurnFlaps}). The lines are
 * kept by {@code BesideOthersAppender} and off the console ({@code BesideOthersFilter}),
 * so this class runs beside the others: it waits, mostly.
 */
@Execution(ExecutionMode.CONCURRENT)
class OneLinePerLevelPerMinutePostgresTests {

	private static final Duration CHURN = Duration.ofSeconds(65);

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("minute");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@Test
	@Timeout(value = 4, unit = TimeUnit.MINUTES)
	void aWholeMinuteOfChurnLogsOneLineForTheCriticalLevelAndOneWhenItIsLeft() throws Exception {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.hikari.pool-name=beside-minute", "spring.datasource.hikari.maximum-pool-size=2")
			.run((context) -> {
				Churn.run(context.getBean(DataSource.class), CHURN);
				assertThat(lines()).as("lines while the churn lasted %d s", CHURN.toSeconds())
					.singleElement()
					.satisfies((line) -> {
						assertThat(line.getLevel()).isEqualTo(Level.ERROR);
						assertThat(line.getFormattedMessage()).contains("crossed critical threshold 95%");
					});
				long churnEnded = System.currentTimeMillis();

				await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> lines().size() > 1);
				assertThat(lines()).as("every line, a minute after the churn").hasSize(2);
				ILoggingEvent left = lines().get(1);
				assertThat(left.getLevel()).isEqualTo(Level.INFO);
				assertThat(left.getFormattedMessage()).contains("back below warning threshold 80%");
				assertThat(left.getTimeStamp() - churnEnded).as("ms after the churn ended").isGreaterThanOrEqualTo(55_000);
			});
		assertThat(lines()).as("every line, to the context's close").hasSize(2);
	}

	private static List<ILoggingEvent> lines() {
		return BesideOthersAppender.lines("beside-minute - ").stream()
			.filter((line) -> line.getLoggerName().equals(LoggingUtilizationListener.class.getName()))
			.toList();
	}

}
