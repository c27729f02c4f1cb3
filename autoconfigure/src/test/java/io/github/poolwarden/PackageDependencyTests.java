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

package io.github.poolwarden;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages depend one way: core types at the bottom, each feature beside the others,
 * the decorator composing them, the periodic work, the views and the wiring on top.
 */
class PackageDependencyTests {

	private static final String[] FEATURES = { "retry", "tracking", "utilization", "capacity", "startup", "advice" };

	private static final String[] ABOVE = { "lifecycle", "watch", "health", "metrics", "endpoint" };

	private static final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.github.poolwarden");

	@Test
	void layersDependDownwardsOnly() {
		ArchRule rule = layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("Support")
			.definedBy("io.github.poolwarden.support..")
			.layer("Core")
			.definedBy("io.github.poolwarden.pool..")
			.layer("Features")
			.definedBy(packages(FEATURES))
			.layer("Decorator")
			.definedBy("io.github.poolwarden")
			.layer("Above")
			.definedBy(packages(ABOVE))
			.layer("Wiring")
			.definedBy("io.github.poolwarden.autoconfigure..")
			.whereLayer("Wiring")
			.mayNotBeAccessedByAnyLayer()
			.whereLayer("Above")
			.mayOnlyBeAccessedByLayers("Above", "Wiring")
			.whereLayer("Decorator")
			.mayOnlyBeAccessedByLayers("Above", "Wiring")
			.whereLayer("Features")
			.mayOnlyBeAccessedByLayers("Features", "Decorator", "Above", "Wiring")
			.whereLayer("Core")
			.mayOnlyBeAccessedByLayers("Features", "Decorator", "Above", "Wiring")
			.whereLayer("Support")
			.mayOnlyBeAccessedByLayers("Core", "Features", "Decorator", "Above", "Wiring");
		rule.check(classes);
	}

	@ParameterizedTest
	@ValueSource(strings = { "retry", "tracking", "utilization", "capacity", "startup", "advice" })
	void eachFeatureStandsBesideTheOthers(String feature) {
		String[] others = java.util.Arrays.stream(FEATURES)
			.filter((other) -> !other.equals(feature))
			.map((other) -> "io.github.poolwarden." + other + "..")
			.toArray(String[]::new);
		noClasses().that()
			.resideInAPackage("io.github.poolwarden." + feature + "..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(others)
			.check(classes);
	}

	@Test
	void noTwoPackagesDependOnEachOther() {
		slices().matching("io.github.poolwarden.(*)..").should().beFreeOfCycles().check(classes);
	}

	@Test
	void coreClassesKnowNothingOfConditionsMicrometerOrActuator() {
		noClasses().that()
			.resideOutsideOfPackages("io.github.poolwarden.autoconfigure..", "io.github.poolwarden.metrics..",
					"io.github.poolwarden.health..", "io.github.poolwarden.endpoint..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.boot.autoconfigure.condition..", "io.micrometer..",
					"org.springframework.boot.actuate..", "org.springframework.boot.health..")
			.check(classes);
	}

	private static String[] packages(String... names) {
		return java.util.Arrays.stream(names).map((name) -> "io.github.poolwarden." + name + "..").toArray(String[]::new);
	}

}
