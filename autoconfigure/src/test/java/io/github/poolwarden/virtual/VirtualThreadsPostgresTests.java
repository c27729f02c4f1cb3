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

package io.github.poolwarden.virtual;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.pool.HikariVersion;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Virtual threads ({@code spring.threads.virtual.enabled=true}): incident 001's burst
 * completes on them through PoolWarden's defaults, and PoolWarden says at startup when
 * the HikariCP on the class path spins on them (issue 2398, fixed in 7.1.0). How much
 * CPU each version burns is measured in the benchmarks, not here.
 */
@ExtendWith(OutputCaptureExtension.class)
class VirtualThreadsPostgresTests {

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("virtual");
		database.execute("CREATE TABLE saves (task int NOT NULL, step int NOT NULL)");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.hikari.maximum-pool-size=5", "spring.threads.virtual.enabled=true");
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void incident001BurstCompletesOnVirtualThreads() throws Exception {
		runner().run((context) -> {
			GuardedDataSource dataSource = context.getBean(GuardedDataSource.class);
			SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor();
			executor.setVirtualThreads(true);
			List<Future<Integer>> tasks = new ArrayList<>();
			for (int task = 0; task < 320; task++) {
				int id = task;
				tasks.add(executor.submit(() -> runTask(dataSource, id)));
			}

			int acquisitions = 0;
			for (Future<Integer> task : tasks) {
				acquisitions += task.get(2, TimeUnit.MINUTES);
			}

			assertThat(acquisitions).isEqualTo(320 * 12);
			assertThat(database.queryForLong("SELECT count(*) FROM saves")).isEqualTo(320 * 3);
			assertThat(dataSource.getRetry().getStats().exhausted()).isZero();
			assertThat(dataSource.getTracker().holders()).isEmpty();
		});
	}

	/**
	 * One task of incident 001: twelve acquisitions in sequence, each running a query;
	 * the last three save a row.
	 */
	private static int runTask(DataSource dataSource, int id) throws SQLException {
		for (int step = 0; step < 12; step++) {
			try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
				if (step >= 9) {
					statement.executeUpdate("INSERT INTO saves VALUES (" + id + ", " + step + ")");
				}
				else {
					statement.execute("SELECT pg_sleep(0.002)");
				}
			}
		}
		return 12;
	}

	@Test
	void saysAtStartupWhenHikariSpinsOnVirtualThreads(CapturedOutput output) {
		String version = HikariVersion.current();
		int jdk = Runtime.version().feature();

		runner().run((context) -> assertThat(context).hasNotFailed());

		if (jdk >= 21 && HikariVersion.spinsOnVirtualThreads(version)) {
			String expected = ((jdk < 25) ? "WARN" : "INFO");
			assertThat(output.getOut()).containsPattern(expected + ".*spring.threads.virtual.enabled is true, and "
					+ "HikariCP " + version.replace(".", "\\.") + " spins on virtual threads")
				.contains("hikaricp.version=7.1.0");
		}
		else {
			assertThat(output.getOut()).doesNotContain("spins on virtual threads");
		}
	}

	@Test
	void staysQuietWithoutVirtualThreads(CapturedOutput output) {
		runner().withPropertyValues("spring.threads.virtual.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed());

		assertThat(output.getOut()).doesNotContain("spins on virtual threads");
	}

	@Test
	void readsHikarisVersionAndKnowsWhichOnesSpin() {
		assertThat(HikariVersion.current()).matches("\\d+\\.\\d+\\.\\d+.*");
		assertThat(HikariVersion.spinsOnVirtualThreads("7.0.2")).isTrue();
		assertThat(HikariVersion.spinsOnVirtualThreads("6.3.0")).isTrue();
		assertThat(HikariVersion.spinsOnVirtualThreads("7.1.0")).isFalse();
		assertThat(HikariVersion.spinsOnVirtualThreads("8.0.0-SNAPSHOT")).isFalse();
		assertThat(HikariVersion.spinsOnVirtualThreads(null)).isFalse();
	}

}
