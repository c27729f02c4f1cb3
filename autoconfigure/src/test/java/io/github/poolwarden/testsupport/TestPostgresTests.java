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
package io.github.poolwarden.testsupport;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The URL handling that routes tests through a fault proxy works whatever host the test
 * server is named by: {@code localhost} (Testcontainers), {@code 127.0.0.1}, IPv6, no port.
 */
class TestPostgresTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			jdbc:postgresql://127.0.0.1:5432/pw_x?user=postgres               | jdbc:postgresql://127.0.0.1:40000/pw_x?user=postgres
			jdbc:postgresql://localhost:32768/test?loggerLevel=OFF&user=test  | jdbc:postgresql://127.0.0.1:40000/test?loggerLevel=OFF&user=test
			jdbc:postgresql://localhost/test                                  | jdbc:postgresql://127.0.0.1:40000/test
			jdbc:postgresql://db.example.com:6432/app?password=s3cret         | jdbc:postgresql://127.0.0.1:40000/app?password=s3cret
			jdbc:postgresql://[::1]:5432/app                                  | jdbc:postgresql://127.0.0.1:40000/app
			jdbc:postgresql://localhost:5432?user=postgres                    | jdbc:postgresql://127.0.0.1:40000?user=postgres
			""")
	void replacesHostAndPortOnly(String url, String expected) {
		assertThat(TestPostgres.withHostAndPort(url, "127.0.0.1", 40000)).isEqualTo(expected);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			jdbc:postgresql://127.0.0.1:5432/pw_x?user=postgres | pw_y | jdbc:postgresql://127.0.0.1:5432/pw_y?user=postgres
			jdbc:postgresql://localhost:32768/test?user=test    | pw_y | jdbc:postgresql://localhost:32768/pw_y?user=test
			jdbc:postgresql://localhost/test                    | pw_y | jdbc:postgresql://localhost/pw_y
			""")
	void replacesTheDatabaseOnly(String url, String database, String expected) {
		assertThat(TestPostgres.withDatabase(url, database)).isEqualTo(expected);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			::1     | jdbc:postgresql://[::1]:40000/app
			[::1]   | jdbc:postgresql://[::1]:40000/app
			""")
	void bracketsAnIpv6Host(String host, String expected) {
		assertThat(TestPostgres.withHostAndPort("jdbc:postgresql://localhost:5432/app", host, 40000))
			.isEqualTo(expected);
	}

}
