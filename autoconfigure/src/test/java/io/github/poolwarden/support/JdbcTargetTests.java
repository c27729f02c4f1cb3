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

package io.github.poolwarden.support;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link JdbcTarget}: host-agnostic parsing, and a description for every URL
 * form that never shows credentials.
 */
class JdbcTargetTests {

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			jdbc:postgresql://127.0.0.1:5432/orders?user=a&password=b       | 127.0.0.1  | 5432 | orders
			jdbc:postgresql://localhost:5432/orders?user=a&password=b       | localhost  | 5432 | orders
			jdbc:postgresql://localhost/orders                              | localhost  |      | orders
			jdbc:postgresql://app:secret@db.example:6543/orders             | db.example | 6543 | orders
			jdbc:postgresql://[::1]:5432/orders                             | [::1]      | 5432 | orders
			jdbc:mariadb://127.0.0.1:3306/test                              | 127.0.0.1  | 3306 | test
			jdbc:sqlserver://db:1433;databaseName=orders;password=x         | db         | 1433 | orders
			""")
	void parsesHostPortAndDatabase(String url, String host, Integer port, String database) {
		JdbcTarget target = JdbcTarget.parse(url);

		assertThat(target.host()).isEqualTo(host);
		assertThat(target.port()).isEqualTo(port);
		assertThat(target.database()).isEqualTo(database);
		assertThat(target.describe()).doesNotContain("secret").doesNotContain("password");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			jdbc:postgresql://127.0.0.1:5432/orders?user=a&password=b       | 127.0.0.1:5432/orders
			jdbc:postgresql://localhost/orders                              | localhost/orders
			jdbc:h2:mem:testdb                                              | H2 mem:testdb
			jdbc:h2:mem:testdb;DB_CLOSE_DELAY=-1;PASSWORD=x                 | H2 mem:testdb
			jdbc:h2:file:/var/data/app                                      | H2 file:/var/data/app
			jdbc:hsqldb:mem:unit                                            | HSQLDB mem:unit
			jdbc:derby:memory:unit;create=true                              | Derby memory:unit
			jdbc:sqlite:/tmp/app.db                                         | SQLite /tmp/app.db
			jdbc:oracle:thin:scott/tiger@db.example:1521:orcl               | Oracle thin:@db.example:1521:orcl
			jdbc:postgresql:orders                                          | PostgreSQL orders
			""")
	void describesWhatItVerifiedForEveryForm(String url, String description) {
		assertThat(JdbcTarget.parse(url).describe()).isEqualTo(description).doesNotContain("?/?");
	}

	@Test
	void anUnknownTargetSaysSo() {
		assertThat(JdbcTarget.parse(null)).isEqualTo(JdbcTarget.UNKNOWN);
		assertThat(JdbcTarget.parse("not a url").describe()).isEqualTo("an unknown database");
	}

	@Test
	void theServerTellsPoolsOnTheSameHostAndPortApart() {
		assertThat(JdbcTarget.parse("jdbc:postgresql://db:5432/a").server())
			.isEqualTo(JdbcTarget.parse("jdbc:postgresql://db:5432/b?x=y").server());
		assertThat(JdbcTarget.parse("jdbc:postgresql://db:5433/a").server())
			.isNotEqualTo(JdbcTarget.parse("jdbc:postgresql://db:5432/a").server());
		assertThat(JdbcTarget.parse("jdbc:h2:mem:a").server()).isNull();
	}

}
