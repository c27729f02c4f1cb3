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

package io.github.poolwarden.holders;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.example.leaky.LeakyService;
import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.autoconfigure.endpoint.PoolWardenEndpointAutoConfiguration;
import io.github.poolwarden.autoconfigure.metrics.PoolWardenMetricsAutoConfiguration;
import io.github.poolwarden.endpoint.PoolWardenEndpoint;
import io.github.poolwarden.endpoint.PoolWardenEndpoint.HolderReport;
import io.github.poolwarden.endpoint.PoolWardenEndpoint.PoolReport;
import io.github.poolwarden.testsupport.TestPostgres;
import io.github.poolwarden.testsupport.TestPostgres.TestDatabase;
import io.github.poolwarden.tracking.HolderSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.catalina.poolwardentest.FilterChain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.samples.petclinic.PetClinicApplicationPackage;
import org.springframework.samples.petclinic.owner.OwnerController;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Who holds the connections, named with nothing tuned but the pool size: incident 002's
 * leak taken while the pool was quiet, application code that lives under
 * {@code org.springframework} behind a servlet container's frames, a nested acquisition
 * that deadlocks a small pool, and holders on virtual threads.
 */
@ExtendWith(OutputCaptureExtension.class)
class HolderNamingPostgresTests {

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.createDatabase("naming");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	private static ApplicationContextRunner runner(int poolSize) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					PoolWardenAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					PoolWardenMetricsAutoConfiguration.class, PoolWardenEndpointAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.hikari.maximum-pool-size=" + poolSize,
					"management.endpoints.web.exposure.include=poolwarden");
	}

	private static PoolReport report(org.springframework.context.ApplicationContext context) {
		return context.getBean(PoolWardenEndpoint.class).pools().pools().values().iterator().next();
	}

	@Test
	void theLeakOfIncident002TakenWhileThePoolWasQuietIsNamedWhenItRunsDry(CapturedOutput output) {
		runner(4).run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			LeakyService service = new LeakyService(dataSource);
			List<Connection> leaked = leakThree(dataSource);
			Connection report = dataSource.getConnection();
			CompletableFuture<Void> oneMore = CompletableFuture.runAsync(() -> {
				try {
					service.classify(false);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});

			await().atMost(Duration.ofSeconds(10))
				.until(() -> output.getOut().contains("pool exhausted: a caller has waited"));

			assertThat(output.getOut().lines().filter((line) -> line.contains("pool exhausted: a caller has waited")))
				.singleElement()
				.asString()
				.contains("3 held by HolderNamingPostgresTests.leakThree(HolderNamingPostgresTests.java:")
				.doesNotContain(HolderSummary.UNKNOWN_CALL_SITE);
			assertThat(report(context).byCallSite())
				.anyMatch((line) -> line.startsWith("3 held by HolderNamingPostgresTests.leakThree("));
			assertThat(output.getOut()).contains("crossed critical threshold 95%; holders, by call site, oldest first:")
				.contains("    3 held by HolderNamingPostgresTests.leakThree(");
			report.close();
			oneMore.get(10, TimeUnit.SECONDS);
			for (Connection connection : leaked) {
				connection.close();
			}
		});
	}

	/**
	 * Incident 002's error path, taken while the pool is far from full: three
	 * connections that are never returned.
	 */
	private static List<Connection> leakThree(DataSource dataSource) throws SQLException {
		List<Connection> leaked = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			leaked.add(dataSource.getConnection());
		}
		return leaked;
	}

	@Test
	void applicationCodeUnderOrgSpringframeworkIsNamedNeverTheContainer() {
		runner(4).withUserConfiguration(PetClinicApplicationPackage.class).run((context) -> {
			OwnerController controller = new OwnerController(context.getBean(DataSource.class));

			Connection connection = FilterChain.doFilter(controller::findOwners);

			assertThat(report(context).holders()).singleElement()
				.extracting(HolderReport::callSite)
				.asString()
				.startsWith("OwnerController.findOwners(OwnerController.java:");
			connection.close();
		});
	}

	@Test
	void withoutTheApplicationsPackagesSpringsFrameworkAndTheContainerAreStillSkipped() {
		runner(4).run((context) -> {
			OwnerController controller = new OwnerController(context.getBean(DataSource.class));
			TransactionTemplate transaction = new TransactionTemplate(
					new DataSourceTransactionManager(context.getBean(DataSource.class)));

			Connection connection = FilterChain.doFilter(() -> transaction.execute((status) -> {
				try {
					return controller.findOwners();
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			}));

			assertThat(report(context).holders()).extracting(HolderReport::callSite)
				.allSatisfy((site) -> assertThat(site).doesNotContain("FilterChain").doesNotContain("Template"))
				.anySatisfy((site) -> assertThat(site).startsWith("OwnerController.findOwners("));
			connection.close();
		});
	}

	/**
	 * {@code poolwarden.tracking.skip-packages} moves the call site past a layer of the
	 * application's own (a data-access helper): the leak is then named at its caller.
	 */
	@Test
	void skipPackagesNamesTheCallerOfASkippedLayer() {
		runner(4).withPropertyValues("poolwarden.tracking.skip-packages=com.example.leaky.").run((context) -> {
			LeakyService service = new LeakyService(context.getBean(DataSource.class));
			try {
				service.classify(true);
			}
			catch (IllegalArgumentException expected) {
				// the leak: the connection stays borrowed
			}

			assertThat(report(context).holders()).singleElement()
				.extracting(HolderReport::callSite)
				.asString()
				.startsWith("HolderNamingPostgresTests.lambda$skipPackagesNamesTheCallerOfASkippedLayer$");
		});
		runner(4).run((context) -> {
			LeakyService service = new LeakyService(context.getBean(DataSource.class));
			try {
				service.classify(true);
			}
			catch (IllegalArgumentException expected) {
				// the same leak, without the setting: the helper is named
			}

			assertThat(report(context).holders()).singleElement()
				.extracting(HolderReport::callSite)
				.asString()
				.startsWith("LeakyService.classify(LeakyService.java:");
		});
	}

	@Test
	void requiresNewOnAPoolOfTwoIsExplainedAsANestedAcquisitionAndCounted(CapturedOutput output) throws Exception {
		Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
		runner(2).run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			CountDownLatch bothHoldOne = new CountDownLatch(2);
			for (int i = 0; i < 2; i++) {
				Thread caller = new Thread(() -> {
					try {
						placeOrder(dataSource, bothHoldOne);
					}
					catch (Throwable ex) {
						failures.add(ex);
					}
				}, "order-" + i);
				caller.start();
			}

			await().atMost(Duration.ofSeconds(10))
				.until(() -> output.getOut().contains("pool exhausted: a caller has waited"));

			assertThat(output.getOut()).contains("held by threads waiting for another connection of this pool (nested "
					+ "acquisition: the pool cannot free up while they wait)")
				.contains(" borrowed at HolderNamingPostgresTests.placeOrder(")
				.contains(" and waits at HolderNamingPostgresTests.lambda$placeOrder$");
			PoolReport report = report(context);
			assertThat(report.nested()).contains("thread order-0").contains("thread order-1");
			assertThat(report.holders()).allSatisfy((holder) -> assertThat(holder.waitingAt()).isNotNull());
			assertThat(report.tracking().nested()).isEqualTo(2);
			assertThat(context.getBean(MeterRegistry.class).get("poolwarden.acquisitions.nested").functionCounter().count())
				.isEqualTo(2);
		});
		await().atMost(Duration.ofSeconds(40)).until(() -> failures.size() == 2);
	}

	@Test
	void withoutHolderTrackingTheSameDeadlockGoesUnexplained(CapturedOutput output) throws Exception {
		runner(2).withPropertyValues("poolwarden.tracking.enabled=false").run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			CountDownLatch bothHoldOne = new CountDownLatch(2);
			for (int i = 0; i < 2; i++) {
				new Thread(() -> {
					try {
						placeOrder(dataSource, bothHoldOne);
					}
					catch (Throwable ex) {
						// the deadlock ends when the context closes
					}
				}, "unexplained-" + i).start();
			}

			await().atMost(Duration.ofSeconds(10))
				.until(() -> output.getOut().contains("pool exhausted: a caller has waited"));

			assertThat(output.getOut()).doesNotContain("nested acquisition");
		});
	}

	/**
	 * An order that writes its audit row in a transaction of its own
	 * ({@code REQUIRES_NEW}) while its outer transaction holds a connection.
	 */
	private static void placeOrder(DataSource dataSource, CountDownLatch bothHoldOne) {
		DataSourceTransactionManager manager = new DataSourceTransactionManager(dataSource);
		TransactionTemplate outer = new TransactionTemplate(manager);
		TransactionTemplate audit = new TransactionTemplate(manager);
		audit.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		outer.executeWithoutResult((status) -> {
			jdbc.queryForObject("SELECT 1", Integer.class);
			bothHoldOne.countDown();
			try {
				bothHoldOne.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			audit.executeWithoutResult((inner) -> jdbc.queryForObject("SELECT 2", Integer.class));
		});
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void holdersOnVirtualThreadsAreNamedByTheirId() throws Exception {
		runner(4).run((context) -> {
			GuardedDataSource dataSource = context.getBean(GuardedDataSource.class);
			CountDownLatch holding = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			Thread virtual = unstartedVirtualThread(() -> {
				try (Connection connection = dataSource.getConnection()) {
					holding.countDown();
					release.await(10, TimeUnit.SECONDS);
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			virtual.start();
			assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

			assertThat(report(context).holders()).singleElement()
				.extracting(HolderReport::thread)
				.isEqualTo("virtual thread #" + virtual.getId());
			release.countDown();
			virtual.join(10_000);
		});
	}

	private static Thread unstartedVirtualThread(Runnable task) throws Exception {
		// Thread.ofVirtual().unstarted(task), written for a build that targets Java 17.
		Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
		Method unstarted = Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class);
		return (Thread) unstarted.invoke(builder, task);
	}

}
