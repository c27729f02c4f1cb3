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

import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;

import io.github.poolwarden.support.ConnectionFailure;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a startup failure's report tells the user to do.
 */
class FailureActionsTests {

	@Test
	void mariaDbsAccessDeniedToADatabaseSaysTheNameMayBeWrong() {
		SQLSyntaxErrorException denied = new SQLSyntaxErrorException(
				"(conn=7) Access denied for user 'app'@'%' to database 'ordres'", "42000", 1044);
		denied.setStackTrace(new StackTraceElement[] {
				new StackTraceElement("org.mariadb.jdbc.message.server.ErrorPacket", "<init>", "ErrorPacket.java", 1) });
		ConnectionFailure failure = ConnectionFailure.of(denied);

		String action = FailureActions.forFailure(failure, "127.0.0.1:3306/ordres", false);

		assertThat(failure.meaning()).contains("or no database of that name exists");
		assertThat(action).startsWith("Check the database name in spring.datasource.url (127.0.0.1:3306/ordres): it "
				+ "may be mistyped.");
	}

	@Test
	void anUnknownDatabaseSaysCreateItOrFixTheName() {
		ConnectionFailure failure = ConnectionFailure.of(new SQLException("database \"ordres\" does not exist", "3D000"));

		assertThat(FailureActions.forFailure(failure, "db:5432/ordres", false))
			.isEqualTo("Create the database, or fix the database name in spring.datasource.url (db:5432/ordres).");
	}

}
