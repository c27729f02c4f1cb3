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

import org.jspecify.annotations.Nullable;

/**
 * Finds the call site of a borrow in its stack: the first frame in the application's
 * own packages; else the first frame outside the infrastructure a borrow passes through
 * (the JDK, JDBC drivers, pools, ORMs and migration tools, Spring Framework's and Spring
 * Boot's own packages, servlet containers, Reactor and Netty, proxies and PoolWarden).
 * Application code that lives under {@code org.springframework} (as Spring PetClinic's
 * does) is found, because only Spring's framework packages are skipped, not the whole
 * namespace.
 * <p>
 * An entry ending in {@code .} is a package prefix; any other entry is a class name,
 * which also covers its nested classes.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class CallSites {

	/**
	 * The packages and classes skipped by default.
	 */
	public static final List<String> DEFAULT_SKIPPED = List.of(
			// the JDK and languages
			"java.", "javax.", "jdk.", "sun.", "com.sun.", "jakarta.", "kotlin.", "kotlinx.", "scala.", "groovy.",
			"org.codehaus.groovy.",
			// JDBC drivers
			"org.postgresql.", "com.mysql.", "org.mariadb.", "oracle.jdbc.", "com.microsoft.sqlserver.", "org.h2.",
			"org.hsqldb.", "org.apache.derby.", "org.sqlite.", "com.ibm.db2.",
			// pools and JDBC proxies
			"com.zaxxer.hikari.", "org.apache.commons.dbcp2.", "org.apache.tomcat.jdbc.", "com.mchange.",
			"io.agroal.", "com.vladmihalcea.flexypool.", "net.ttddyy.", "com.p6spy.",
			// ORMs, SQL libraries, migrations
			"org.hibernate.", "org.jooq.", "org.apache.ibatis.", "org.mybatis.", "org.eclipse.persistence.",
			"org.jdbi.", "org.flywaydb.", "liquibase.", "com.querydsl.",
			// Spring's framework packages (not org.springframework itself)
			"org.springframework.aop.", "org.springframework.aot.", "org.springframework.beans.",
			"org.springframework.boot.", "org.springframework.cache.", "org.springframework.cglib.",
			"org.springframework.context.", "org.springframework.core.", "org.springframework.dao.",
			"org.springframework.data.", "org.springframework.jdbc.", "org.springframework.orm.",
			"org.springframework.r2dbc.", "org.springframework.scheduling.", "org.springframework.transaction.",
			"org.springframework.util.", "org.springframework.validation.", "org.springframework.web.",
			"org.springframework.http.", "org.springframework.security.", "org.springframework.retry.",
			"org.springframework.integration.", "org.springframework.batch.", "org.springframework.messaging.",
			"org.springframework.jms.", "org.springframework.kafka.", "org.springframework.amqp.",
			"org.springframework.session.", "org.springframework.graphql.", "org.springframework.modulith.",
			"org.springframework.test.", "org.springframework.cloud.", "org.springframework.ai.",
			// servlet containers, web servers, reactive runtimes
			"org.apache.catalina.", "org.apache.coyote.", "org.apache.tomcat.", "org.apache.jasper.",
			"org.eclipse.jetty.", "io.undertow.", "org.xnio.", "org.jboss.threads.", "reactor.", "io.netty.",
			"io.projectreactor.",
			// instrumentation and bytecode
			"io.micrometer.", "io.opentelemetry.", "net.bytebuddy.", "org.aspectj.", "org.junit.", "org.assertj.",
			// PoolWarden itself
			"io.github.poolwarden.GuardedDataSource", "io.github.poolwarden.autoconfigure.",
			"io.github.poolwarden.pool.", "io.github.poolwarden.retry.", "io.github.poolwarden.startup.",
			"io.github.poolwarden.tracking.", "io.github.poolwarden.utilization.", "io.github.poolwarden.lifecycle.",
			"io.github.poolwarden.watch.", "io.github.poolwarden.health.", "io.github.poolwarden.capacity.");

	private final String[] application;

	private final String[] skipped;

	/**
	 * Create a finder.
	 * @param application the application's own packages (ending in {@code .}) and
	 * classes: the first frame in one of them is the call site
	 * @param skipped the packages and classes to skip when no frame is in the
	 * application's packages
	 */
	public CallSites(List<String> application, List<String> skipped) {
		this.application = asPrefixes(application);
		this.skipped = asPrefixes(skipped);
	}

	private static String[] asPrefixes(List<String> entries) {
		List<String> prefixes = new ArrayList<>();
		for (String entry : entries) {
			if (entry != null && !entry.isBlank()) {
				prefixes.add(entry.trim());
			}
		}
		return prefixes.toArray(String[]::new);
	}

	/**
	 * Find the call site on the current thread's stack.
	 * @return the call site as {@code SimpleName.method(File.java:line)}, or {@code null}
	 * when every frame is skipped
	 */
	public @Nullable String here() {
		return in(new Throwable().getStackTrace());
	}

	/**
	 * Find the call site in a recorded stack.
	 * @param stack the stack, innermost first
	 * @return the frame as {@code SimpleName.method(File.java:line)}, or {@code null}
	 * when every frame is skipped
	 */
	public @Nullable String in(StackTraceElement[] stack) {
		if (this.application.length > 0) {
			for (StackTraceElement element : stack) {
				String className = element.getClassName();
				if (matchesAny(className, this.application) && !isGenerated(className)
						&& !className.startsWith("io.github.poolwarden.tracking.")) {
					return format(element);
				}
			}
		}
		for (StackTraceElement element : stack) {
			if (!isSkipped(element.getClassName())) {
				return format(element);
			}
		}
		return null;
	}

	private boolean isSkipped(String className) {
		return matchesAny(className, this.skipped) || isGenerated(className);
	}

	private static boolean matchesAny(String className, String[] entries) {
		for (String entry : entries) {
			if (entry.endsWith(".") ? className.startsWith(entry)
					: className.equals(entry) || className.startsWith(entry + "$")
							|| (entry.indexOf('.') > 0 && className.startsWith(entry + "."))) {
				return true;
			}
		}
		return false;
	}

	private static boolean isGenerated(String className) {
		return className.contains("$$SpringCGLIB$$") || className.contains("$$EnhancerBySpringCGLIB$$")
				|| className.contains("$HibernateProxy$") || className.contains("$$Lambda")
				|| className.contains("$ByteBuddy$") || className.startsWith("jdk.proxy")
				|| className.startsWith("com.sun.proxy.");
	}

	private static String format(StackTraceElement element) {
		String className = element.getClassName();
		String simpleName = className.substring(className.lastIndexOf('.') + 1);
		String file = element.getFileName();
		int line = element.getLineNumber();
		return simpleName + "." + element.getMethodName() + "("
				+ ((file != null) ? file + ((line > 0) ? ":" + line : "") : "Unknown Source") + ")";
	}

}
