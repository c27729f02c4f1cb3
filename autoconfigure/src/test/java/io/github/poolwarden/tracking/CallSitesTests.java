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

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CallSites}: which frame of a borrow's stack names it.
 */
class CallSitesTests {

	private static final CallSites DEFAULTS = new CallSites(List.of(), CallSites.DEFAULT_SKIPPED);

	private static StackTraceElement frame(String className, String method, String file, int line) {
		return new StackTraceElement(className, method, file, line);
	}

	/**
	 * A borrow from a controller behind Tomcat, through Spring's JDBC support and the
	 * pool, innermost first.
	 */
	private static StackTraceElement[] servletStack(String controller) {
		return new StackTraceElement[] { frame("io.github.poolwarden.tracking.ConnectionTracker", "borrow", "ConnectionTracker.java", 90),
				frame("io.github.poolwarden.GuardedDataSource", "getConnection", "GuardedDataSource.java", 150),
				frame("com.zaxxer.hikari.HikariDataSource", "getConnection", "HikariDataSource.java", 100),
				frame("org.springframework.jdbc.datasource.DataSourceUtils", "fetchConnection", "DataSourceUtils.java", 160),
				frame("org.springframework.jdbc.core.JdbcTemplate", "execute", "JdbcTemplate.java", 380),
				frame(controller + "$$SpringCGLIB$$0", "findOwners", null, -1),
				frame(controller, "findOwners", "OwnerController.java", 42),
				frame("jdk.internal.reflect.DirectMethodHandleAccessor", "invoke", null, -1),
				frame("org.springframework.web.servlet.DispatcherServlet", "doDispatch", "DispatcherServlet.java", 1000),
				frame("org.apache.catalina.core.ApplicationFilterChain", "doFilter", "ApplicationFilterChain.java", 140),
				frame("org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker", "run", "ThreadPoolExecutor.java", 60),
				frame("java.lang.Thread", "run", "Thread.java", 840) };
	}

	@Test
	void applicationCodeUnderOrgSpringframeworkIsNamedNotTheContainer() {
		assertThat(DEFAULTS.in(servletStack("org.springframework.samples.petclinic.owner.OwnerController")))
			.isEqualTo("OwnerController.findOwners(OwnerController.java:42)");
	}

	@Test
	void theApplicationsPackagesWinOverAnEarlierFrameOutsideTheSkipList() {
		List<StackTraceElement> stack = new ArrayList<>(List.of(servletStack("com.acme.web.OwnerController")));
		stack.add(3, frame("com.acme.dao.Helper", "query", "Helper.java", 7));

		assertThat(DEFAULTS.in(stack.toArray(StackTraceElement[]::new))).isEqualTo("Helper.query(Helper.java:7)");
		assertThat(new CallSites(List.of("com.acme.web."), CallSites.DEFAULT_SKIPPED)
			.in(stack.toArray(StackTraceElement[]::new))).isEqualTo("OwnerController.findOwners(OwnerController.java:42)");
	}

	@Test
	void skipEntriesArePackagePrefixesOrClassesWithTheirNestedClasses() {
		List<String> skipped = new ArrayList<>(CallSites.DEFAULT_SKIPPED);
		skipped.add("com.acme.dao.Helper");
		StackTraceElement[] stack = { frame("com.acme.dao.Helper$Inner", "run", "Helper.java", 3),
				frame("com.acme.dao.Helper", "query", "Helper.java", 7),
				frame("com.acme.dao.HelperTwo", "query", "HelperTwo.java", 9),
				frame("com.acme.web.OwnerController", "findOwners", "OwnerController.java", 42) };

		assertThat(new CallSites(List.of(), skipped).in(stack)).isEqualTo("HelperTwo.query(HelperTwo.java:9)");
		skipped.add("com.acme.dao.");
		assertThat(new CallSites(List.of(), skipped).in(stack))
			.isEqualTo("OwnerController.findOwners(OwnerController.java:42)");
	}

	@Test
	void generatedClassesAreNeverCallSites() {
		StackTraceElement[] stack = { frame("com.acme.Repo$$SpringCGLIB$$0", "find", null, -1),
				frame("com.acme.Entity$HibernateProxy$abc", "get", null, -1),
				frame("com.acme.Service$$Lambda/0x1", "run", null, -1),
				frame("com.acme.Thing$ByteBuddy$1", "run", null, -1), frame("jdk.proxy2.$Proxy12", "find", null, -1),
				frame("com.sun.proxy.$Proxy3", "find", null, -1),
				frame("com.acme.Repo$$EnhancerBySpringCGLIB$$1", "find", null, -1),
				frame("com.acme.Service", "run", "Service.java", 5) };

		assertThat(DEFAULTS.in(stack)).isEqualTo("Service.run(Service.java:5)");
		assertThat(new CallSites(List.of("com.acme."), CallSites.DEFAULT_SKIPPED).in(stack))
			.isEqualTo("Service.run(Service.java:5)");
	}

	@Test
	void poolWardensOwnTrackingFramesAreNeverTheApplication() {
		StackTraceElement[] stack = { frame("io.github.poolwarden.tracking.ConnectionTracker", "borrow", "T.java", 1),
				frame("io.github.poolwarden.sample.WorkController", "work", "WorkController.java", 51) };

		assertThat(new CallSites(List.of("io.github.poolwarden."), CallSites.DEFAULT_SKIPPED).in(stack))
			.isEqualTo("WorkController.work(WorkController.java:51)");
	}

	@Test
	void formatsFramesWithoutAFileOrALine() {
		CallSites none = new CallSites(List.of(), List.of());

		assertThat(none.in(new StackTraceElement[] { frame("a.b.C", "m", "C.java", 12) })).isEqualTo("C.m(C.java:12)");
		assertThat(none.in(new StackTraceElement[] { frame("a.b.C", "m", "C.java", -1) })).isEqualTo("C.m(C.java)");
		assertThat(none.in(new StackTraceElement[] { frame("a.b.C", "m", null, 12) }))
			.isEqualTo("C.m(Unknown Source)");
		assertThat(none.in(new StackTraceElement[] { frame("C", "m", "C.java", 0) })).isEqualTo("C.m(C.java)");
	}

	@Test
	void aStackOfInfrastructureOnlyHasNoCallSite() {
		StackTraceElement[] stack = { frame("com.zaxxer.hikari.HikariDataSource", "getConnection", "H.java", 1),
				frame("java.lang.Thread", "run", "Thread.java", 840) };

		assertThat(DEFAULTS.in(stack)).isNull();
		assertThat(new CallSites(List.of("com.acme."), CallSites.DEFAULT_SKIPPED).in(stack)).isNull();
		assertThat(DEFAULTS.in(new StackTraceElement[0])).isNull();
	}

	@Test
	void blankEntriesAreIgnoredAndEntriesTrimmed() {
		CallSites sites = new CallSites(java.util.Arrays.asList(" com.acme.web. ", "", null), List.of("  ", "x."));
		StackTraceElement[] stack = { frame("x.Y", "m", "Y.java", 1),
				frame("com.acme.web.OwnerController", "findOwners", "OwnerController.java", 42) };

		assertThat(sites.in(stack)).isEqualTo("OwnerController.findOwners(OwnerController.java:42)");
		assertThat(new CallSites(List.of(""), List.of(" x. ")).in(stack))
			.isEqualTo("OwnerController.findOwners(OwnerController.java:42)");
	}

	@Test
	void hereFindsTheCallerOnTheCurrentStack() {
		assertThat(new CallSites(List.of(), List.of("io.github.poolwarden.tracking.CallSites", "java.")).here())
			.startsWith("CallSitesTests.hereFindsTheCallerOnTheCurrentStack(CallSitesTests.java:");
	}

}
