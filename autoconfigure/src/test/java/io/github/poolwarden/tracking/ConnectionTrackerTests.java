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

package io.github.poolwarden.tracking;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ConnectionTracker}, {@link HolderSummary} and {@link CallSites} on
 * hand-written stub connections: every way a connection can go ends with the registry
 * empty, and the registry is bounded by the physical connections.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConnectionTrackerTests {

	private static final CallSites CALL_SITES = new CallSites(List.of(), List.of("java.", "jdk.", "sun.",
			"io.github.poolwarden.tracking.ConnectionTracker", "io.github.poolwarden.tracking.CallSites",
			"io.github.poolwarden.tracking.GuardedConnection", "io.github.poolwarden.tracking.BorrowSite"));

	private final ConnectionTracker tracker = new ConnectionTracker("unit", true, true, CallSiteCapture.ALWAYS,
			CALL_SITES, Duration.ofSeconds(30));

	@Test
	void recordsTheHolderAndForgetsItOnClose() throws SQLException {
		Stub physical = new Stub();

		Connection connection = this.tracker.track(physical.lend(), this.tracker.holding());

		assertThat(this.tracker.holders()).singleElement().satisfies((holder) -> {
			assertThat(holder.thread()).isEqualTo(Thread.currentThread().getName());
			assertThat(holder.callSite()).startsWith("ConnectionTrackerTests.recordsTheHolderAndForgetsItOnClose(");
			assertThat(holder.borrowedAt()).isBeforeOrEqualTo(Instant.now());
		});
		connection.close();
		assertThat(this.tracker.holders()).isEmpty();
		assertThat(this.tracker.borrowed()).isEqualTo(this.tracker.returned()).isOne();
	}

	/**
	 * The default, adaptive capture: every borrow up to the budget, none beyond it until
	 * the next tick renews the budget.
	 */
	@Test
	void adaptiveCaptureRecordsEveryBorrowUpToItsBudgetUntilTheNextTick() throws SQLException {
		ConnectionTracker adaptive = new ConnectionTracker("unit", true, true, CallSiteCapture.ADAPTIVE, CALL_SITES,
				Duration.ofSeconds(30));
		Stub physical = new Stub();

		int captured = borrowAndCount(adaptive, physical, ConnectionTracker.ADAPTIVE_CAPTURES_PER_SECOND + 100);

		assertThat(captured).isEqualTo(ConnectionTracker.ADAPTIVE_CAPTURES_PER_SECOND);
		adaptive.checkLongHolds();
		assertThat(borrowAndCount(adaptive, physical, 10)).as("a new budget after the tick").isEqualTo(10);
	}

	@Test
	void adaptiveCaptureRecordsEveryBorrowUnderPressure() throws SQLException {
		ConnectionTracker adaptive = new ConnectionTracker("unit", true, true, CallSiteCapture.ADAPTIVE, CALL_SITES,
				Duration.ofSeconds(30));
		Stub physical = new Stub();
		borrowAndCount(adaptive, physical, ConnectionTracker.ADAPTIVE_CAPTURES_PER_SECOND);

		adaptive.setUnderPressure(true);

		assertThat(borrowAndCount(adaptive, physical, 50)).isEqualTo(50);
	}

	/**
	 * A connection whose borrow was not captured (the budget was spent) is held past the
	 * long-hold threshold: every borrow is captured for a while, beyond any budget.
	 */
	@Test
	void adaptiveCaptureRecordsEveryBorrowAfterAnUncapturedLongHold(CapturedOutput output) throws SQLException {
		ConnectionTracker adaptive = new ConnectionTracker("unit", true, true, CallSiteCapture.ADAPTIVE, CALL_SITES,
				Duration.ofMillis(1));
		Stub physical = new Stub();
		borrowAndCount(adaptive, physical, ConnectionTracker.ADAPTIVE_CAPTURES_PER_SECOND);
		Connection uncaptured = adaptive.track(new Stub().lend(), adaptive.holding());
		assertThat(adaptive.holders()).singleElement().extracting(ConnectionHolder::callSite).isNull();
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> adaptive.oldestHold().compareTo(Duration.ofMillis(2)) > 0);

		adaptive.checkLongHolds();

		assertThat(output.getOut()).contains("unit - a connection borrowed without a recorded call site has been held ")
			.contains("recording the call site of every borrow for the next 5 min");
		assertThat(borrowAndCount(adaptive, physical, 200)).as("beyond the renewed budget").isEqualTo(200);
		uncaptured.close();
	}

	private static int borrowAndCount(ConnectionTracker tracker, Stub physical, int borrows) throws SQLException {
		int captured = 0;
		for (int i = 0; i < borrows; i++) {
			Connection connection = tracker.track(physical.lend(), tracker.holding());
			if (((GuardedConnection) connection).callSite() != null) {
				captured++;
			}
			connection.close();
		}
		return captured;
	}

	@Test
	void closingTwiceAfterTheConnectionWasLentAgainKeepsTheNewHolder() throws SQLException {
		Stub physical = new Stub();
		Connection first = this.tracker.track(physical.lend(), this.tracker.holding());
		first.close();
		Connection second = this.tracker.track(physical.lend(), this.tracker.holding());

		first.close();

		assertThat(this.tracker.holders()).hasSize(1);
		second.close();
		assertThat(this.tracker.holders()).isEmpty();
		assertThat(this.tracker.returned()).isEqualTo(2);
	}

	@Test
	void closeFromAnotherThreadReleases() throws Exception {
		Connection connection = this.tracker.track(new Stub().lend(), this.tracker.holding());

		CompletableFuture.runAsync(() -> {
			try {
				connection.close();
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}).get();

		assertThat(this.tracker.holders()).isEmpty();
	}

	@Test
	void closeThatThrowsStillReleases() throws SQLException {
		Stub physical = new Stub();
		physical.failOnClose = true;
		Connection connection = this.tracker.track(physical.lend(), this.tracker.holding());

		assertThat(org.assertj.core.api.Assertions.catchThrowable(connection::close)).isInstanceOf(SQLException.class);

		assertThat(this.tracker.holders()).isEmpty();
	}

	@Test
	void abortReleases() throws SQLException {
		Connection connection = this.tracker.track(new Stub().lend(), this.tracker.holding());

		connection.abort(Runnable::run);

		assertThat(this.tracker.holders()).isEmpty();
		assertThat(connection.isClosed()).isTrue();
	}

	@Test
	void connectionClosedBehindTheWrappersBackIsNotHeld() throws SQLException {
		Stub physical = new Stub();
		Connection handle = physical.lend();
		this.tracker.track(handle, this.tracker.holding());

		handle.close();

		assertThat(this.tracker.holders()).isEmpty();
	}

	@Test
	void evictedPhysicalConnectionIsNotHeldAndIsPrunedOnceReturned() throws SQLException {
		Stub physical = new Stub();
		Connection connection = this.tracker.track(physical.lend(), this.tracker.holding());

		physical.closed.set(true);
		this.tracker.checkLongHolds();

		assertThat(this.tracker.holders()).isEmpty();
		assertThat(this.tracker.registrySize()).isOne();
		connection.close();
		this.tracker.checkLongHolds();
		assertThat(this.tracker.registrySize()).isZero();
		assertThat(this.tracker.borrowed()).isEqualTo(this.tracker.returned()).isOne();
	}

	@Test
	void registryIsBoundedByThePhysicalConnections() throws SQLException {
		List<Stub> physicals = List.of(new Stub(), new Stub(), new Stub());

		for (int i = 0; i < 10_000; i++) {
			this.tracker.track(physicals.get(i % 3).lend(), this.tracker.holding()).close();
		}

		assertThat(this.tracker.registrySize()).isEqualTo(3);
		assertThat(this.tracker.holders()).isEmpty();
	}

	@Test
	void rollsBackUncommittedWorkOnReturn() throws SQLException {
		Stub physical = new Stub();
		physical.autoCommit = false;

		this.tracker.track(physical.lend(), this.tracker.holding()).close();

		assertThat(physical.rollbacks).hasValue(1);
	}

	@Test
	void capturesCallSitesOnlyUnderPressureByDefault() throws SQLException {
		ConnectionTracker onPressure = new ConnectionTracker("unit", true, true, CallSiteCapture.ON_PRESSURE,
				CALL_SITES, Duration.ofSeconds(30));
		Connection calm = onPressure.track(new Stub().lend(), onPressure.holding());
		onPressure.setUnderPressure(true);
		Connection pressed = onPressure.track(new Stub().lend(), onPressure.holding());

		assertThat(onPressure.holders()).extracting(ConnectionHolder::callSite)
			.hasSize(2)
			.containsOnlyOnce((String) null)
			.anyMatch((site) -> site != null
					&& site.startsWith("ConnectionTrackerTests.capturesCallSitesOnlyUnderPressureByDefault("));
		calm.close();
		pressed.close();
	}

	@Test
	void summaryGroupsByCallSiteOldestFirstAndStaysBounded() {
		List<ConnectionHolder> holders = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			holders.add(new ConnectionHolder("report-" + i, Instant.now(), Duration.ofSeconds(47 - i),
					"ReportJob.export(ReportJob.java:88)", null));
		}
		holders.add(new ConnectionHolder("http-1", Instant.now(), Duration.ofMillis(850), null, null));

		assertThat(HolderSummary.lines(holders)).containsExactly(
				"12 held by ReportJob.export(ReportJob.java:88), oldest 47 s (threads report-0, report-1, report-2, +9 more)",
				"1 held by an unrecorded call site, oldest 850 ms (thread http-1)");
		assertThat(HolderSummary.describe(List.of(), 120)).isEqualTo("no connection is held");
		assertThat(HolderSummary.describe(holders, 120)).startsWith("12 held by ReportJob.export")
			.endsWith("; +1 more call sites")
			.hasSizeLessThanOrEqualTo(140);
	}

	@Test
	void callSitesSkipConfiguredPrefixes() {
		StackTraceElement[] stack = { frame("org.springframework.jdbc.core.JdbcTemplate", "execute"),
				frame("com.example.Orders$$SpringCGLIB$$0", "place"), frame("com.example.Orders", "place") };

		assertThat(new CallSites(List.of(), CallSites.DEFAULT_SKIPPED).in(stack)).isEqualTo("Orders.place(Orders.java:42)");
		assertThat(new CallSites(List.of(), List.of("com.example.Orders")).in(stack))
			.isEqualTo("JdbcTemplate.execute(JdbcTemplate.java:42)");
		assertThat(CALL_SITES.here()).startsWith("ConnectionTrackerTests.callSitesSkipConfiguredPrefixes(");
	}

	@Test
	void callSitesNameTheApplicationFirstEvenUnderOrgSpringframework() {
		StackTraceElement[] stack = { frame("com.zaxxer.hikari.HikariDataSource", "getConnection"),
				frame("org.springframework.orm.jpa.JpaTransactionManager", "doBegin"),
				frame("jdk.proxy2.$Proxy123", "findByLastName"),
				frame("org.springframework.samples.petclinic.owner.OwnerController", "processFindForm"),
				frame("org.springframework.web.servlet.FrameworkServlet", "service"),
				frame("org.apache.catalina.core.ApplicationFilterChain", "doFilter"),
				frame("org.apache.tomcat.util.threads.TaskThread$WrappingRunnable", "run") };

		assertThat(new CallSites(List.of("org.springframework.samples.petclinic"), CallSites.DEFAULT_SKIPPED).in(stack))
			.isEqualTo("OwnerController.processFindForm(OwnerController.java:42)");
		assertThat(new CallSites(List.of(), CallSites.DEFAULT_SKIPPED).in(stack))
			.as("without the application's packages, Spring's framework packages and Tomcat are still skipped")
			.isEqualTo("OwnerController.processFindForm(OwnerController.java:42)");
	}

	@Test
	void callSitesSkipServletContainersReactorAndNetty() {
		CallSites sites = new CallSites(List.of(), CallSites.DEFAULT_SKIPPED);
		for (String infrastructure : List.of("org.apache.catalina.core.StandardWrapperValve",
				"org.apache.coyote.http11.Http11Processor", "org.eclipse.jetty.server.Server",
				"io.undertow.server.Connectors", "reactor.core.publisher.Mono", "io.netty.channel.AbstractChannel",
				"org.springframework.transaction.support.TransactionTemplate", "org.hibernate.internal.SessionImpl",
				"org.flywaydb.core.Flyway")) {
			assertThat(sites.in(new StackTraceElement[] { frame(infrastructure, "run"), frame("com.acme.Job", "run") }))
				.as(infrastructure)
				.isEqualTo("Job.run(Job.java:42)");
		}
	}

	@Test
	void applicationPackagesWinOverSkippedOnes() {
		StackTraceElement[] stack = { frame("com.acme.dao.Repository", "find"), frame("com.acme.web.Controller", "get") };

		assertThat(new CallSites(List.of("com.acme.web"), List.of("com.acme.")).in(stack))
			.isEqualTo("Controller.get(Controller.java:42)");
		assertThat(new CallSites(List.of(), List.of("com.acme.dao.")).in(stack)).isEqualTo("Controller.get(Controller.java:42)");
	}

	@Test
	void countsANestedBorrowAndReportsBothCallSitesWhileItWaits() throws SQLException {
		Connection outer = this.tracker.track(new Stub().lend(), this.tracker.holding());
		assertThat(this.tracker.holding().holdsOne()).isTrue();

		this.tracker.beginNested();
		List<ConnectionHolder> holders = this.tracker.holders();
		this.tracker.endNested();

		assertThat(this.tracker.nestedAcquisitions()).isOne();
		assertThat(holders).singleElement().satisfies((holder) -> {
			assertThat(holder.callSite()).startsWith("ConnectionTrackerTests.countsANestedBorrowAndReportsBoth");
			assertThat(holder.waitingAt()).startsWith("ConnectionTrackerTests.countsANestedBorrowAndReportsBoth");
		});
		assertThat(HolderSummary.nested(holders))
			.startsWith("1 of 1 connection is held by threads waiting for another connection of this pool (nested "
					+ "acquisition")
			.contains("thread " + Thread.currentThread().getName() + " holds 1 borrowed at ConnectionTrackerTests.");
		assertThat(HolderSummary.nested(this.tracker.holders())).isNull();
		outer.close();
		assertThat(this.tracker.holding().holdsOne()).isFalse();
	}

	@Test
	void withCallSitesOffANestedBorrowIsCountedAndReportedWithoutCapturingWhereItWaits() throws SQLException {
		ConnectionTracker never = new ConnectionTracker("unit", true, true, CallSiteCapture.NEVER, CALL_SITES,
				Duration.ofSeconds(30));
		Connection outer = never.track(new Stub().lend(), never.holding());

		never.beginNested();
		List<ConnectionHolder> holders = never.holders();
		never.endNested();

		assertThat(never.nestedAcquisitions()).isOne();
		assertThat(holders).singleElement().satisfies((holder) -> {
			assertThat(holder.callSite()).isNull();
			assertThat(holder.waitingAt()).isEqualTo("an unrecorded call site");
		});
		outer.close();
	}

	@Test
	void aConnectionReturnedByAnotherThreadNoLongerCountsForTheBorrower() throws Exception {
		Connection connection = this.tracker.track(new Stub().lend(), this.tracker.holding());

		CompletableFuture.runAsync(() -> {
			try {
				connection.close();
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}).get();

		assertThat(this.tracker.holding().holdsOne()).isFalse();
	}

	@Test
	void neverCapturesWhenAskedNot() throws SQLException {
		ConnectionTracker never = new ConnectionTracker("unit", true, true, CallSiteCapture.NEVER, CALL_SITES,
				Duration.ofSeconds(30));

		Connection connection = never.track(new Stub().lend(), never.holding());

		assertThat(never.holders()).singleElement().satisfies((holder) -> assertThat(holder.callSite()).isNull());
		connection.close();
	}

	@Test
	void namesThreadsWithoutANameByTheirId() throws Exception {
		Thread unnamed = new Thread(() -> {
		}, "");

		assertThat(ConnectionTracker.describe(unnamed)).isEqualTo("thread #" + unnamed.getId());
		assertThat(ConnectionTracker.describe(Thread.currentThread())).isEqualTo(Thread.currentThread().getName());
	}

	@Test
	void noReturnIsKnownBeforeAConnectionComesBack() throws SQLException {
		Connection connection = this.tracker.track(new Stub().lend(), this.tracker.holding());

		assertThat(this.tracker.latestReturn()).isEmpty();
		assertThat(this.tracker.latestHealthyReturn()).isEmpty();
		connection.close();
	}

	@Test
	void aReturnInWorkingOrderIsStampedNoLaterThanItHappened() throws SQLException {
		Connection connection = this.tracker.track(new Stub().lend(), this.tracker.holding());
		this.tracker.checkLongHolds();
		long before = System.nanoTime();

		connection.close();
		long after = System.nanoTime();

		assertThat(this.tracker.latestHealthyReturn()).isPresent();
		long returnedAt = this.tracker.latestHealthyReturn().getAsLong();
		assertThat(after - returnedAt).isNotNegative();
		assertThat(before - returnedAt).as("stamped by the tracker's clock, ticked before").isNotNegative();
		assertThat(this.tracker.latestReturn()).isEqualTo(this.tracker.latestHealthyReturn());
	}

	@Test
	void aConnectionThePoolClosedAfterAConnectionErrorIsNoHealthyReturn() throws SQLException {
		Stub physical = new Stub();
		this.tracker.track(physical.lend(), this.tracker.holding()).close();
		Connection broken = this.tracker.track(physical.lend(), this.tracker.holding());
		physical.closed.set(true);

		broken.close();

		assertThat(this.tracker.latestReturn()).isPresent();
		assertThat(this.tracker.latestHealthyReturn()).isEmpty();
	}

	@Test
	void aHealthyReturnAfterABrokenOneCountsOnceTheClockHasMoved() throws SQLException {
		Stub brokenPhysical = new Stub();
		Connection broken = this.tracker.track(brokenPhysical.lend(), this.tracker.holding());
		brokenPhysical.closed.set(true);
		broken.close();
		Connection healthy = this.tracker.track(new Stub().lend(), this.tracker.holding());
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> this.tracker.oldestHold().toNanos() > 0);

		healthy.close();

		assertThat(this.tracker.latestHealthyReturn()).isPresent();
	}

	@Test
	void anAbortedConnectionIsNoHealthyReturn() throws SQLException {
		Connection connection = this.tracker.track(new Stub().lend(), this.tracker.holding());

		connection.abort(Runnable::run);

		assertThat(this.tracker.latestReturn()).isPresent();
		assertThat(this.tracker.latestHealthyReturn()).isEmpty();
	}

	@Test
	void theLatestReturnOutlivesThePruningOfItsSlot() throws SQLException {
		Stub physical = new Stub();
		this.tracker.track(physical.lend(), this.tracker.holding()).close();
		long returnedAt = this.tracker.latestReturn().getAsLong();
		physical.closed.set(true);

		this.tracker.prune();

		assertThat(this.tracker.registrySize()).isZero();
		assertThat(this.tracker.latestReturn()).hasValue(returnedAt);
	}

	@Test
	void returnsAreNotStampedWithoutHolderTracking() throws SQLException {
		ConnectionTracker rollbackOnly = new ConnectionTracker("unit", false, true, CallSiteCapture.NEVER, CALL_SITES,
				Duration.ofSeconds(30));

		rollbackOnly.track(new Stub().lend(), rollbackOnly.holding()).close();

		assertThat(rollbackOnly.latestReturn()).isEmpty();
	}

	@Test
	void reconcileAddsTheConnectionsWithoutARecordedHolderAndSaysSo() {
		List<ConnectionHolder> recorded = List.of(new ConnectionHolder("worker-1", Instant.now(), Duration.ofSeconds(3),
				"Jobs.run(Jobs.java:12)", null));

		List<ConnectionHolder> reconciled = HolderSummary.reconcile(recorded, 3);

		assertThat(reconciled).hasSize(3).first().isEqualTo(recorded.get(0));
		assertThat(HolderSummary.lines(reconciled)).containsExactly(
				"1 held by Jobs.run(Jobs.java:12), oldest 3 s (thread worker-1)",
				"2 with " + HolderSummary.NO_RECORDED_HOLDER);
	}

	@Test
	void reconcileDropsTheYoungestHoldersBeyondTheActiveCount() {
		ConnectionHolder oldest = new ConnectionHolder("a", Instant.now(), Duration.ofSeconds(9), "A.a(A.java:1)", null);
		ConnectionHolder youngest = new ConnectionHolder("b", Instant.now(), Duration.ofMillis(5), "B.b(B.java:1)", null);

		assertThat(HolderSummary.reconcile(List.of(oldest, youngest), 1)).containsExactly(oldest);
		assertThat(HolderSummary.reconcile(List.of(oldest, youngest), 2)).containsExactly(oldest, youngest);
		assertThat(HolderSummary.reconcile(List.of(oldest), -1)).isEmpty();
	}

	private static StackTraceElement frame(String className, String method) {
		String simpleName = className.substring(className.lastIndexOf('.') + 1);
		return new StackTraceElement(className, method, simpleName.replaceAll("\\$.*", "") + ".java", 42);
	}

	/**
	 * A physical connection and the handles a pool lends for it.
	 */
	static final class Stub {

		final AtomicBoolean closed = new AtomicBoolean();

		final AtomicInteger rollbacks = new AtomicInteger();

		boolean autoCommit = true;

		boolean failOnClose;

		private final Connection physical = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { Connection.class }, (proxy, method, args) -> switch (method.getName()) {
					case "isClosed" -> this.closed.get();
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					default -> null;
				});

		Connection lend() {
			AtomicBoolean handleClosed = new AtomicBoolean();
			return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
					(proxy, method, args) -> switch (method.getName()) {
						case "unwrap" -> this.physical;
						case "isClosed" -> handleClosed.get() || this.closed.get();
						case "getAutoCommit" -> this.autoCommit;
						case "rollback" -> {
							this.rollbacks.incrementAndGet();
							yield null;
						}
						case "close" -> {
							handleClosed.set(true);
							if (this.failOnClose) {
								throw new SQLException("close failed");
							}
							yield null;
						}
						case "abort" -> {
							this.closed.set(true);
							yield null;
						}
						case "hashCode" -> System.identityHashCode(proxy);
						case "equals" -> proxy == args[0];
						default -> null;
					});
		}

	}

}
