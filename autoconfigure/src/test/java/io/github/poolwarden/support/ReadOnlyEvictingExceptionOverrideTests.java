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

import java.sql.SQLException;

import com.zaxxer.hikari.SQLExceptionOverride.Override;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ReadOnlyEvictingExceptionOverride}: which answers mean the database is
 * read-only (evict), for PostgreSQL by SQLState and for MariaDB and MySQL by error code.
 */
class ReadOnlyEvictingExceptionOverrideTests {

	private static SQLException from(String driverClass, String sqlState, int code, String message) {
		SQLException ex = new SQLException(message, sqlState, code);
		ex.setStackTrace(new StackTraceElement[] { new StackTraceElement(driverClass, "create", "Driver.java", 1) });
		return ex;
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			org.postgresql.core.v3.QueryExecutorImpl | 25006 | 0    | cannot execute INSERT in a read-only transaction                                    | MUST_EVICT
			org.mariadb.jdbc.export.ExceptionFactory | 25006 | 1792 | Cannot execute statement in a READ ONLY transaction                                 | MUST_EVICT
			org.mariadb.jdbc.export.ExceptionFactory | HY000 | 1836 | Running in read-only mode                                                           | MUST_EVICT
			com.mysql.cj.jdbc.exceptions.SQLError    | HY000 | 1290 | The MySQL server is running with the --read-only option so it cannot execute this statement | MUST_EVICT
			org.mariadb.jdbc.export.ExceptionFactory | HY000 | 1290 | The MariaDB server is running with the --secure-file-priv option so it cannot execute this statement | CONTINUE_EVICT
			org.h2.message.DbException              | HY000 | 1290 | an H2 error that happens to share the number                                        | CONTINUE_EVICT
			org.postgresql.core.v3.QueryExecutorImpl | 23505 | 0    | duplicate key value violates unique constraint                                      | CONTINUE_EVICT
			org.mariadb.jdbc.export.ExceptionFactory | 23000 | 1062 | Duplicate entry                                                                     | CONTINUE_EVICT
			org.postgresql.core.v3.QueryExecutorImpl |       | 0    | no state                                                                            | CONTINUE_EVICT
			""")
	void evictsConnectionsToAReadOnlyDatabaseOnly(String driverClass, String sqlState, int code, String message,
			Override expected) {
		assertThat(new ReadOnlyEvictingExceptionOverride().adjudicate(from(driverClass, sqlState, code, message)))
			.isEqualTo(expected);
	}

}
