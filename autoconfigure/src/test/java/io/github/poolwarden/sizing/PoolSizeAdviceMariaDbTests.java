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

package io.github.poolwarden.sizing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import io.github.poolwarden.advice.PoolAdvice;
import io.github.poolwarden.advice.Verdict;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.sizing.PoolSizeAdvicePostgresTests.Load;
import io.github.poolwarden.testsupport.TestMariaDb;
import io.github.poolwarden.testsupport.TestMariaDb.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pool-size advice on MariaDB: the verdicts that need no wait events of PostgreSQL's,
 * with an account's {@code MAX_USER_CONNECTIONS} as the server's budget.
 */
@Execution(ExecutionMode.CONCURRENT)
class PoolSizeAdviceMariaDbTests {

	private static Database database;

	private static String user;

	@BeforeAll
	static void createDatabase() {
		database = TestMariaDb.createDatabase("advice");
		user = database.createUser("advice", "");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner(String account, String pool, int maximumPoolSize) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class))
			.withPropertyValues(database.credentialsOf(account))
			.withPropertyValues("spring.datasource.hikari.pool-name=" + pool,
					"spring.datasource.hikari.maximum-pool-size=" + maximumPoolSize, "poolwarden.advice.window=10s");
	}

	@Test
	void sixCallersHolding100msOnAPoolOf2AreToldToGrow() {
		runner(user, "grow", 2).run((context) -> {
			try (Load load = new Load(context.getBean(DataSource.class), 6, "SELECT SLEEP(0.1)")) {
				PoolAdvice advice = PoolSizeAdvicePostgresTests.awaitVerdict(context, Verdict.GROW);

				assertThat(advice.recommendedMaximumPoolSize()).isBetween(5, 6);
				assertThat(advice.evidence().holdMillisP50()).isBetween(90L, 200L);
			}
		});
	}

	@Test
	void anAccountWithMaxUserConnections4CapsTheAdvice() {
		String limited = database.createUser("capped", "WITH MAX_USER_CONNECTIONS 4");
		runner(limited, "capped", 2).run((context) -> {
			try (Load load = new Load(context.getBean(DataSource.class), 6, "SELECT SLEEP(0.1)")) {
				PoolAdvice advice = PoolSizeAdvicePostgresTests.awaitVerdict(context, Verdict.SERVER_LIMITED);

				assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(4);
				assertThat(advice.evidence().lockWaitShare()).as("PostgreSQL only").isNull();
			}
		});
	}

	@Test
	void twoCallersOnAPoolOf20AreToldToShrink() {
		runner(user, "shrink", 20).run((context) -> {
			try (Load load = new Load(context.getBean(DataSource.class), 2, "SELECT SLEEP(0.02)")) {
				PoolAdvice advice = PoolSizeAdvicePostgresTests.awaitVerdict(context, Verdict.SHRINK);

				assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(3);
			}
		});
	}

	@Test
	void everyConnectionLeakedIsFixCodeNamingTheLeakingMethod() {
		runner(user, "leak", 2).run((context) -> {
			List<Connection> leaked = leak(context.getBean(DataSource.class));
			try {
				PoolAdvice advice = PoolSizeAdvicePostgresTests.awaitVerdict(context, Verdict.FIX_CODE);

				assertThat(advice.callSite()).startsWith("PoolSizeAdviceMariaDbTests.leak(");
			}
			finally {
				for (Connection connection : leaked) {
					connection.close();
				}
			}
		});
	}

	@Test
	void anIdlePoolIsNotEnoughData() {
		runner(user, "idle", 2).run((context) -> {
			PoolAdvice advice = PoolSizeAdvicePostgresTests.awaitWatched(context);

			assertThat(advice.verdict()).isEqualTo(Verdict.NOT_ENOUGH_DATA);
			assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(2);
		});
	}

	private static List<Connection> leak(DataSource dataSource) throws SQLException {
		List<Connection> leaked = new ArrayList<>();
		leaked.add(dataSource.getConnection());
		leaked.add(dataSource.getConnection());
		return leaked;
	}

}
