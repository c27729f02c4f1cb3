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

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.util.Set;
import java.util.stream.Collectors;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.pool.HikariVersion;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every reflective and resource access of PoolWarden's is declared for AOT, and the
 * declarations name what the code really reads.
 */
class PoolWardenRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	PoolWardenRuntimeHintsTests() {
		new PoolWardenRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
	}

	@Test
	void theRegistrarIsFoundThroughAotFactories() {
		assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
			.load(RuntimeHintsRegistrar.class)).hasAtLeastOneElementOfType(PoolWardenRuntimeHints.class);
	}

	@Test
	void everyVarHandleFieldIsDeclaredAndExists() throws Exception {
		for (String[] declared : PoolWardenRuntimeHints.VAR_HANDLE_FIELDS) {
			Class<?> type = ClassUtils.forName(declared[0], getClass().getClassLoader());
			Field field = type.getDeclaredField(declared[1]);
			assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(field)).as("%s.%s", declared[0], declared[1])
				.accepts(this.hints);
		}
	}

	@Test
	void hikariCpsVersionIsReadFromADeclaredResource() {
		assertThat(RuntimeHintsPredicates.resource().forResource(PoolWardenRuntimeHints.HIKARI_POM_PROPERTIES))
			.accepts(this.hints);
		assertThat(HikariDataSource.class.getResource("/" + PoolWardenRuntimeHints.HIKARI_POM_PROPERTIES)).isNotNull();
		assertThat(HikariVersion.current()).isNotBlank();
	}

	@Test
	void theTypesWhosePresenceDecidesTheWorkerCeilingAreDeclared() {
		for (String type : PoolWardenRuntimeHints.PRESENCE_CHECKED) {
			assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(type))).as(type).accepts(this.hints);
		}
	}

	/**
	 * A new {@code VarHandle} must be declared too: the lookups are in these classes only.
	 */
	@Test
	void noOtherClassLooksUpAVarHandle() {
		JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("io.github.poolwarden");
		Set<String> lookingUp = classes.stream()
			.filter((type) -> type.getMethodCallsFromSelf()
				.stream()
				.anyMatch((call) -> call.getTarget().getOwner().isEquivalentTo(MethodHandles.Lookup.class)
						&& call.getTarget().getName().equals("findVarHandle")))
			.map(JavaClass::getName)
			.collect(Collectors.toSet());

		assertThat(lookingUp).containsExactlyInAnyOrder("io.github.poolwarden.tracking.GuardedConnection",
				"io.github.poolwarden.tracking.ConnectionTracker", "io.github.poolwarden.tracking.ConnectionTracker$Holding");
	}

}
