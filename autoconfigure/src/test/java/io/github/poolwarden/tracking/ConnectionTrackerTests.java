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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ConnectionTracker}, {@link HolderSummary} and {@link CallSites} on
 * hand-written stub connections: every way a connection can go ends with the registry
 * empty, and the registry is bounded by the physical connections.
 */
class ConnectionTrackerTests {

	private static final CallSites CALL_SITES = new CallSites(List.of("java.", "jdk.",
			"io.github.poolwarden.tracking.ConnectionTracker", "io.github.poolwarden.tracking.CallSites"));

	private final ConnectionTracker tracker = new ConnectionTracker("unit", true, true, CallSiteCapture.ALWAYS,
			CALL_SITES, Duration.ofSeconds(30));

	@Test
	void recordsTheHolderAndForgetsItOnClose() throws SQLException {
		Stub physical = new Stub();

		Connection connection = this.tracker.track(physical.lend());

		assertThat(this.tracker.holders()).singleElement().satisfies((holder) -> {
			assertThat(holder.thread()).isEqualTo(Thread.currentThread().getName());
			assertThat(holder.callSite()).startsWith("ConnectionTrackerTests.recordsTheHolderAndForgetsItOnClose(");
			assertThat(holder.borrowedAt()).isBeforeOrEqualTo(Instant.now());
		});
		connection.close();
		assertThat(this.tracker.holders()).isEmpty();
		assertThat(this.tracker.borrowed()).isEqualTo(this.tracker.returned()).isOne();
	}

	@Test
	void closingTwiceAfterTheConnectionWasLentAgainKeepsTheNewHolder() throws SQLException {
		Stub physical = new Stub();
		Connection first = this.tracker.track(physical.lend());
		first.close();
		Connection second = this.tracker.track(physical.lend());

		first.close();

		assertThat(this.tracker.holders()).hasSize(1);
		second.close();
		assertThat(this.tracker.holders()).isEmpty();
		assertThat(this.tracker.returned()).isEqualTo(2);
	}

	@Test
	void closeFromAnotherThreadReleases() throws Exception {
		Connection connection = this.tracker.track(new Stub().lend());

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
		Connection connection = this.tracker.track(physical.lend());

		assertThat(org.assertj.core.api.Assertions.catchThrowable(connection::close)).isInstanceOf(SQLException.class);

		assertThat(this.tracker.holders()).isEmpty();
	}

	@Test
	void abortReleases() throws SQLException {
		Connection connection = this.tracker.track(new Stub().lend());

		connection.abort(Runnable::run);

		assertThat(this.tracker.holders()).isEmpty();
		assertThat(connection.isClosed()).isTrue();
	}

	@Test
	void connectionClosedBehindTheWrappersBackIsNotHeld() throws SQLException {
		Stub physical = new Stub();
		Connection handle = physical.lend();
		this.tracker.track(handle);

		handle.close();

		assertThat(this.tracker.holders()).isEmpty();
	}

	@Test
	void evictedPhysicalConnectionIsNotHeldAndIsPrunedOnceReturned() throws SQLException {
		Stub physical = new Stub();
		Connection connection = this.tracker.track(physical.lend());

		physical.closed.set(true);
		this.tracker.check();

		assertThat(this.tracker.holders()).isEmpty();
		assertThat(this.tracker.registrySize()).isOne();
		connection.close();
		this.tracker.check();
		assertThat(this.tracker.registrySize()).isZero();
		assertThat(this.tracker.borrowed()).isEqualTo(this.tracker.returned()).isOne();
	}

	@Test
	void registryIsBoundedByThePhysicalConnections() throws SQLException {
		List<Stub> physicals = List.of(new Stub(), new Stub(), new Stub());

		for (int i = 0; i < 10_000; i++) {
			this.tracker.track(physicals.get(i % 3).lend()).close();
		}

		assertThat(this.tracker.registrySize()).isEqualTo(3);
		assertThat(this.tracker.holders()).isEmpty();
	}

	@Test
	void rollsBackUncommittedWorkOnReturn() throws SQLException {
		Stub physical = new Stub();
		physical.autoCommit = false;

		this.tracker.track(physical.lend()).close();

		assertThat(physical.rollbacks).hasValue(1);
	}

	@Test
	void capturesCallSitesOnlyUnderPressureByDefault() throws SQLException {
		ConnectionTracker onPressure = new ConnectionTracker("unit", true, true, CallSiteCapture.ON_PRESSURE,
				CALL_SITES, Duration.ofSeconds(30));
		Connection calm = onPressure.track(new Stub().lend());
		onPressure.setUnderPressure(true);
		Connection pressed = onPressure.track(new Stub().lend());

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
					"ReportJob.export(ReportJob.java:88)"));
		}
		holders.add(new ConnectionHolder("http-1", Instant.now(), Duration.ofMillis(850), null));

		assertThat(HolderSummary.lines(holders)).containsExactly(
				"12 held by ReportJob.export(ReportJob.java:88), oldest 47 s (threads report-0, report-1, report-2, +9 more)",
				"1 held by an unrecorded call site, oldest 850 ms (thread http-1)");
		assertThat(HolderSummary.describe(holders, 120)).startsWith("12 held by ReportJob.export")
			.endsWith("; +1 more call sites")
			.hasSizeLessThanOrEqualTo(140);
	}

	@Test
	void callSitesSkipConfiguredPrefixes() {
		CallSites sites = CALL_SITES;
		StackTraceElement[] stack = { new StackTraceElement("org.springframework.jdbc.core.JdbcTemplate", "execute",
				"JdbcTemplate.java", 400), new StackTraceElement("com.example.Orders$$SpringCGLIB$$0", "place", null, -1),
				new StackTraceElement("com.example.Orders", "place", "Orders.java", 42) };

		assertThat(new CallSites(CallSites.DEFAULT_SKIPPED).in(stack)).isEqualTo("Orders.place(Orders.java:42)");
		assertThat(sites.here()).startsWith("ConnectionTrackerTests.callSitesSkipConfiguredPrefixes(");
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
