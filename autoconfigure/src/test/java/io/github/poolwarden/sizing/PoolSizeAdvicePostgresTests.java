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
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.advice.PoolAdvice;
import io.github.poolwarden.advice.PoolAdvisor;
import io.github.poolwarden.advice.Verdict;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.endpoint.PoolWardenEndpointAutoConfiguration;
import io.github.poolwarden.autoconfigure.metrics.PoolWardenMetricsAutoConfiguration;
import io.github.poolwarden.endpoint.PoolWardenEndpoint;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pool-size advice against a real PostgreSQL, one scenario per verdict, each with
 * nothing tuned but the pool's size and the advice window (10 s, the shortest, so a
 * test sees a whole window). Each waits for its verdict with a bound rather than for a
 * time, so a busy machine makes it slower, not wrong; they run side by side, each on a
 * pool of its own (the INFO line per change is asserted in {@code PoolAdvisorTests}).
 */
@Execution(ExecutionMode.CONCURRENT)
class PoolSizeAdvicePostgresTests {

	private static final Duration VERDICT_WITHIN = Duration.ofSeconds(60);

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("advice");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner(String pool, int maximumPoolSize) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					PoolWardenMetricsAutoConfiguration.class, PoolWardenEndpointAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(), "spring.datasource.hikari.pool-name=" + pool,
					"spring.datasource.hikari.maximum-pool-size=" + maximumPoolSize, "poolwarden.advice.window=10s",
					"management.endpoints.web.exposure.include=poolwarden");
	}

	/**
	 * Six callers, each holding a connection 100 ms, on a pool of 2: demand is 6, the
	 * server has room, so grow to about 6. The gauge and the endpoint say the same, one
	 * INFO line says it, and the pool keeps its size: PoolWarden never resizes it.
	 */
	@Test
	void sixCallersHolding100msOnAPoolOf2AreToldToGrowToAbout6() throws Exception {
		runner("orders", 2).run((context) -> {
			try (Load load = new Load(context.getBean(DataSource.class), 6, "SELECT pg_sleep(0.1)")) {
				PoolAdvice advice = awaitVerdict(context, Verdict.GROW);

				assertThat(advice.recommendedMaximumPoolSize()).isBetween(5, 6);
				assertThat(advice.evidence().demandP99()).isBetween(5, 6);
				assertThat(advice.evidence().holdMillisP50()).isBetween(90L, 200L);
				assertThat(advice.evidence().borrowsPerSecond()).isBetween(5.0, 21.0);
				assertThat(advice.evidence().waitMillisMean()).isBetween(100L, 400L);
				assertThat(advice.evidence().serverBudget()).isGreaterThan(6);
				assertThat(advice.message()).startsWith("pool 'orders' (max 2) saw demand p99 = ")
					.contains("held ")
					.contains("the server can give ")
					.endsWith("set " + advice.recommendedMaximumPoolSize() + ".");
				assertThat(context.getBean(MeterRegistry.class)
					.get("poolwarden.connections.recommended")
					.tag("pool", "orders")
					.gauge()
					.value()).isBetween(5.0, 6.0);
				PoolWardenEndpoint.AdviceReport report = context.getBean(PoolWardenEndpoint.class)
					.pools()
					.pools()
					.get("orders")
					.advice();
				assertThat(report.verdict()).isIn("grow");
				assertThat(report.recommendedMaximumPoolSize()).isBetween(5, 6);
				assertThat(report.evidence().windowSeconds()).isGreaterThanOrEqualTo(10);
			}
			assertThat(context.getBean(GuardedDataSource.class).getPool().getMaximumPoolSize())
				.as("PoolWarden never resizes a pool").isEqualTo(2);
		});
	}

	/**
	 * Two callers on a pool of 20 for the whole window: shrink to what they need with
	 * headroom, and the rest can serve other clients of the server.
	 */
	@Test
	void twoCallersOnAPoolOf20AreToldToShrink() throws Exception {
		runner("shrink", 20).run((context) -> {
			try (Load load = new Load(context.getBean(DataSource.class), 2, "SELECT pg_sleep(0.02)")) {
				PoolAdvice advice = awaitVerdict(context, Verdict.SHRINK);

				assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(3);
				assertThat(advice.evidence().demandMax()).isEqualTo(2);
				assertThat(advice.message()).contains("never more than 2 of 20").contains("set 3");
			}
		});
	}

	/**
	 * The same six callers on a pool of 2 for a role with {@code CONNECTION LIMIT 4}:
	 * the advice never goes above what the server can give.
	 */
	@Test
	void aRoleWithConnectionLimit4CapsTheAdviceAtWhatItCanGive() throws Exception {
		String role = database.createRole("capped", "LOGIN CONNECTION LIMIT 4");
		runner("capped", 2).withPropertyValues(database.credentialsOf(role)).run((context) -> {
			try (Load load = new Load(context.getBean(DataSource.class), 6, "SELECT pg_sleep(0.1)")) {
				PoolAdvice advice = awaitVerdict(context, Verdict.SERVER_LIMITED);

				assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(4);
				assertThat(advice.evidence().serverBudget()).isEqualTo(4);
				assertThat(advice.message()).contains("the server can give 4 per instance")
					.contains("set 4")
					.contains("PgBouncer");
			}
		});
	}

	/**
	 * Every connection leaked: a bigger pool would only leak longer, so the advice is to
	 * fix the code, naming the method that borrowed them.
	 */
	@Test
	void everyConnectionLeakedIsFixCodeNamingTheLeakingMethod() throws Exception {
		runner("leak", 2).run((context) -> {
			List<Connection> leaked = leakEveryConnection(context.getBean(DataSource.class));
			try {
				PoolAdvice advice = awaitVerdict(context, Verdict.FIX_CODE);

				assertThat(advice.callSite()).startsWith("PoolSizeAdvicePostgresTests.leakEveryConnection(");
				assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(2);
				assertThat(advice.message()).contains("held longer than 5 s (the long-hold threshold, or half the window")
					.contains("PoolSizeAdvicePostgresTests.leakEveryConnection(");
			}
			finally {
				for (Connection connection : leaked) {
					connection.close();
				}
			}
		});
	}

	/**
	 * Eight callers serialized on one advisory lock behind a pool of 4: the pool's
	 * sessions wait on the lock inside the database, so more connections would wait
	 * there too. A database of its own: the sampler counts the sessions of the pool's
	 * role, database and application name, and the other scenarios run beside it.
	 */
	@Test
	void callersSerializedOnOneLockAreDatabaseBound() throws Exception {
		try (TestDatabase own = TestPostgres.createDatabase("locked")) {
			runner("locked", 4).withPropertyValues("spring.datasource.url=" + own.jdbcUrl()).run((context) -> {
				try (Load load = new Load(context.getBean(DataSource.class), 8, "SELECT pg_advisory_lock(4242)",
						"SELECT pg_sleep(0.05)", "SELECT pg_advisory_unlock(4242)")) {
					PoolAdvice advice = awaitVerdict(context, Verdict.DATABASE_BOUND);

					assertThat(advice.evidence().lockWaitShare()).isGreaterThanOrEqualTo(0.5);
					assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(4);
					assertThat(advice.message()).contains("waiting on a lock");
				}
			});
		}
	}

	/**
	 * The control for the lock: the same eight callers holding as long without it are
	 * told to grow. What watching cost the database, counted on the server: the one
	 * session the lock sampler keeps while callers wait, however many seconds they do.
	 */
	@Test
	void withoutTheLockTheSameCallersAreToldToGrow() throws Exception {
		try (TestDatabase own = TestPostgres.createDatabase("unlocked")) {
			runner("unlocked", 4).withPropertyValues("spring.datasource.url=" + own.jdbcUrl()).run((context) -> {
				long before = own.settledSessionsOpened();
				try (Load load = new Load(context.getBean(DataSource.class), 8, "SELECT pg_sleep(0.05)")) {
					PoolAdvice advice = awaitVerdict(context, Verdict.GROW);

					assertThat(advice.recommendedMaximumPoolSize()).isBetween(7, 8);
					assertThat(advice.evidence().lockWaitShare()).isLessThan(0.5);
					assertThat(own.settledSessionsOpened() - before)
						.as("sessions opened while the pool was saturated for %d s", advice.evidence().windowSeconds())
						.isEqualTo(1);
				}
			});
		}
	}

	/**
	 * An idle pool: too little traffic to judge, the size unchanged, and nothing logged.
	 */
	@Test
	void anIdlePoolIsNotEnoughData() {
		runner("idle", 2).run((context) -> {
			PoolAdvice advice = awaitWatched(context);

			assertThat(advice.verdict()).isEqualTo(Verdict.NOT_ENOUGH_DATA);
			assertThat(advice.confidence().value()).isEqualTo("low");
			assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(2);
			assertThat(advice.message()).contains("too few to judge").endsWith("keep 2.");
		});
	}

	/**
	 * Right after the start, before the watch's first sample, the advice already names
	 * the pool's size (and says it is too early to judge).
	 */
	@Test
	void rightAfterTheStartTheAdviceNamesThePoolsSize() {
		runner("fresh", 5).withPropertyValues("poolwarden.utilization.sample-interval=1h").run((context) -> {
			PoolAdvice advice = context.getBean(GuardedDataSource.class).getAdvisor().advice();

			assertThat(advice.verdict()).isEqualTo(Verdict.NOT_ENOUGH_DATA);
			assertThat(advice.currentMaximumPoolSize()).isEqualTo(5);
			assertThat(advice.recommendedMaximumPoolSize()).isEqualTo(5);
			assertThat(advice.message()).startsWith("pool 'fresh' (max 5) has been watched for 0 s");
		});
	}

	/**
	 * The control: with advice off there is nothing to read and no gauge.
	 */
	@Test
	void withAdviceOffThereIsNoAdviceAndNoGauge() {
		runner("off", 2).withPropertyValues("poolwarden.advice.enabled=false").run((context) -> {
			assertThat(context.getBean(GuardedDataSource.class).getAdvisor()).isNull();
			assertThat(context.getBean(MeterRegistry.class).find("poolwarden.connections.recommended").gauge())
				.isNull();
			assertThat(context.getBean(PoolWardenEndpoint.class).pools().pools().get("off").advice()).isNull();
		});
	}

	static PoolAdvice awaitVerdict(AssertableApplicationContext context, Verdict verdict) {
		PoolAdvisor advisor = context.getBean(GuardedDataSource.class).getAdvisor();
		assertThat(advisor).isNotNull();
		await().atMost(VERDICT_WITHIN)
			.pollInterval(Duration.ofMillis(200))
			.untilAsserted(() -> assertThat(advisor.advice().verdict()).as(advisor.advice().message()).isEqualTo(verdict));
		return advisor.advice();
	}

	/**
	 * The advice once more than the 10 s needed to judge have been watched.
	 */
	static PoolAdvice awaitWatched(AssertableApplicationContext context) {
		PoolAdvisor advisor = context.getBean(GuardedDataSource.class).getAdvisor();
		assertThat(advisor).isNotNull();
		await().atMost(VERDICT_WITHIN).until(() -> advisor.advice().evidence().windowSeconds() >= 11);
		return advisor.advice();
	}

	static List<Connection> leakEveryConnection(DataSource dataSource) throws SQLException {
		List<Connection> leaked = new ArrayList<>();
		leaked.add(dataSource.getConnection());
		leaked.add(dataSource.getConnection());
		return leaked;
	}

	/**
	 * Callers that run the same statements on one connection each, in a loop, until
	 * closed.
	 */
	static final class Load implements AutoCloseable {

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final ExecutorService callers;

		private final List<Future<?>> loops = new ArrayList<>();

		Load(DataSource dataSource, int callers, String... statements) {
			this.callers = Executors.newFixedThreadPool(callers);
			for (int i = 0; i < callers; i++) {
				this.loops.add(this.callers.submit(() -> {
					while (this.running.get()) {
						try (Connection connection = dataSource.getConnection();
								Statement statement = connection.createStatement()) {
							for (String sql : statements) {
								statement.execute(sql);
							}
						}
					}
					return null;
				}));
			}
		}

		@Override
		public void close() throws Exception {
			this.running.set(false);
			this.callers.shutdown();
			for (Future<?> loop : this.loops) {
				loop.get(30, TimeUnit.SECONDS);
			}
		}

	}

}
