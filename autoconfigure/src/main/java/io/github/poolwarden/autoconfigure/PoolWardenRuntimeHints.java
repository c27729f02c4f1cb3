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

package io.github.poolwarden.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * What PoolWarden reads by reflection or as a resource, declared for Spring AOT and
 * GraalVM native images (registered in {@code META-INF/spring/aot.factories}):
 * <ul>
 * <li>the fields behind its {@code VarHandle}s (a connection's closed flag, a slot's
 * holder and last return, a thread's count of held connections);</li>
 * <li>HikariCP's {@code pom.properties}, from which it reads HikariCP's version;</li>
 * <li>the types whose presence decides the pool-size advice's worker ceiling (Tomcat and
 * a servlet web application context), so a presence check answers as on the JVM.</li>
 * </ul>
 * The actuator endpoint's response types need nothing here: Spring Boot registers the
 * binding hints of every {@code @ReadOperation}'s return type.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class PoolWardenRuntimeHints implements RuntimeHintsRegistrar {

	static final String HIKARI_POM_PROPERTIES = "META-INF/maven/com.zaxxer/HikariCP/pom.properties";

	static final String[][] VAR_HANDLE_FIELDS = { { "io.github.poolwarden.tracking.GuardedConnection", "closed" },
			{ "io.github.poolwarden.tracking.SlotFields", "current" },
			{ "io.github.poolwarden.tracking.SlotFields", "returnedAtNanos" },
			{ "io.github.poolwarden.tracking.ConnectionTracker$Holding", "count" } };

	static final String[] PRESENCE_CHECKED = { "org.apache.catalina.startup.Tomcat",
			"org.springframework.web.context.WebApplicationContext" };

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		for (String[] field : VAR_HANDLE_FIELDS) {
			hints.reflection().registerType(TypeReference.of(field[0]), (type) -> type.withField(field[1]));
		}
		hints.resources().registerPattern(HIKARI_POM_PROPERTIES);
		for (String type : PRESENCE_CHECKED) {
			hints.reflection().registerType(TypeReference.of(type));
		}
	}

}
