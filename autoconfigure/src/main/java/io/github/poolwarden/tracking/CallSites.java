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

import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Finds the call site of a borrow: the first stack frame whose class is outside a list
 * of skipped packages and classes (the JDK, JDBC drivers, the pool, Spring's data access
 * and proxies, ORMs, PoolWarden). An entry ending in {@code .} is a package prefix; any
 * other entry is a class name, which also covers its nested classes.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class CallSites {

	/**
	 * The prefixes skipped by default.
	 */
	public static final List<String> DEFAULT_SKIPPED = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.",
			"jakarta.", "kotlin.", "com.zaxxer.hikari.", "org.postgresql.", "com.mysql.", "org.mariadb.",
			"oracle.jdbc.", "com.microsoft.sqlserver.", "org.h2.", "org.hsqldb.", "org.springframework.",
			"org.hibernate.", "org.jooq.", "org.apache.ibatis.", "org.mybatis.", "net.ttddyy.", "com.p6spy.",
			"io.micrometer.", "io.github.poolwarden.GuardedDataSource", "io.github.poolwarden.autoconfigure.",
			"io.github.poolwarden.retry.", "io.github.poolwarden.startup.", "io.github.poolwarden.tracking.",
			"io.github.poolwarden.utilization.");

	private static final StackWalker walker = StackWalker.getInstance();

	private final String[] skipped;

	/**
	 * Create a finder.
	 * @param skipped the packages (ending in {@code .}) and classes to skip
	 */
	public CallSites(List<String> skipped) {
		this.skipped = skipped.toArray(String[]::new);
	}

	/**
	 * Find the call site on the current thread's stack.
	 * @return the call site as {@code SimpleName.method(File.java:line)}, or {@code null}
	 * when every frame is skipped
	 */
	public @Nullable String here() {
		Optional<StackWalker.StackFrame> frame = walker
			.walk((frames) -> frames.filter((each) -> !isSkipped(each.getClassName())).findFirst());
		return frame.map((each) -> format(each.getClassName(), each.getMethodName(), each.getFileName(),
				each.getLineNumber()))
			.orElse(null);
	}

	/**
	 * Find the first frame outside the skipped prefixes in a captured stack.
	 * @param stack the stack, innermost first
	 * @return the frame as {@code SimpleName.method(File.java:line)}, or {@code null}
	 */
	public @Nullable String in(StackTraceElement[] stack) {
		for (StackTraceElement element : stack) {
			if (!isSkipped(element.getClassName())) {
				return format(element.getClassName(), element.getMethodName(), element.getFileName(),
						element.getLineNumber());
			}
		}
		return null;
	}

	private boolean isSkipped(String className) {
		for (String skipped : this.skipped) {
			if (skipped.endsWith(".") ? className.startsWith(skipped)
					: className.equals(skipped) || className.startsWith(skipped + "$")) {
				return true;
			}
		}
		return className.contains("$$SpringCGLIB$$") || className.contains("$$EnhancerBySpringCGLIB$$")
				|| className.contains("$HibernateProxy$");
	}

	private static String format(String className, String method, @Nullable String file, int line) {
		String simpleName = className.substring(className.lastIndexOf('.') + 1);
		return simpleName + "." + method + "(" + ((file != null) ? file + ((line > 0) ? ":" + line : "") : "Unknown Source")
				+ ")";
	}

}
