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

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What PoolWarden says about virtual threads and HikariCP's version, on every JDK line,
 * whichever JDK runs the build: the WARN for JDK 21 to 24 is reached here on JDK 17 too.
 */
class VirtualThreadAdviceTests {

	@ParameterizedTest(name = "virtual={0}, JDK {1}, HikariCP {2}: {3}")
	@CsvSource(textBlock = """
			true,  17, 7.0.2, NONE
			true,  21, 7.0.2, WARN
			true,  24, 7.0.2, WARN
			true,  25, 7.0.2, INFO
			true,  21, 6.3.0, WARN
			true,  21, 7.1.0, NONE
			true,  24, 7.2.0-SNAPSHOT, NONE
			false, 21, 7.0.2, NONE
			""")
	void adviceByJdkAndHikariVersion(boolean virtualThreads, int jdk, String hikari,
			GuardedDataSourceFactory.Advice expected) {
		assertThat(GuardedDataSourceFactory.virtualThreadAdvice(virtualThreads, jdk, hikari)).isEqualTo(expected);
	}

}
