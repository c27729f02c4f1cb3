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

import com.zaxxer.hikari.SQLExceptionOverride;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PreparedStatementTrapOverride}: PgBouncer's three symptoms are
 * recognised, other errors are not, the WARN is said once, and eviction stays the
 * delegate's.
 */
@ExtendWith(OutputCaptureExtension.class)
class PreparedStatementTrapOverrideTests {

	@Test
	void recognisesTheThreeSymptomsOfATransactionPooler() {
		assertThat(PreparedStatementTrapOverride
			.isTrap(new SQLException("ERROR: prepared statement \"S_1\" already exists", "42P05"))).isTrue();
		assertThat(PreparedStatementTrapOverride
			.isTrap(new SQLException("ERROR: prepared statement \"S_3\" does not exist", "26000"))).isTrue();
		assertThat(PreparedStatementTrapOverride.isTrap(new SQLException(
				"ERROR: bind message supplies 2 parameters, but prepared statement \"S_2\" requires 1", "08P01")))
			.isTrue();
	}

	@Test
	void otherErrorsWithTheSameStatesAreNotTheTrap() {
		assertThat(PreparedStatementTrapOverride
			.isTrap(new SQLException("ERROR: prepared statement \"mine\" already exists", "42P05"))).isFalse();
		assertThat(PreparedStatementTrapOverride.isTrap(new SQLException("FATAL: no more connections allowed", "08P01")))
			.isFalse();
		assertThat(PreparedStatementTrapOverride.isTrap(new SQLException("duplicate key", "23505"))).isFalse();
	}

	@Test
	void warnsOncePerPoolAndLeavesEvictionToTheDelegate(CapturedOutput output) {
		PreparedStatementTrapOverride override = new PreparedStatementTrapOverride("orders",
				new SQLExceptionOverride() {

					@java.lang.Override
					public SQLExceptionOverride.Override adjudicate(SQLException ex) {
						return SQLExceptionOverride.Override.MUST_EVICT;
					}

				});
		SQLException trap = new SQLException("ERROR: prepared statement \"S_1\" does not exist", "26000");

		assertThat(override.adjudicate(trap)).isEqualTo(SQLExceptionOverride.Override.MUST_EVICT);
		override.adjudicate(trap);

		assertThat(override.isSeen()).isTrue();
		assertThat(output.getOut().lines().filter((line) -> line.contains("orders - a statement failed as pgjdbc's")))
			.hasSize(1);
	}

	@Test
	void withoutADelegateHikariCpDecides() {
		PreparedStatementTrapOverride override = new PreparedStatementTrapOverride("orders", null);

		assertThat(override.adjudicate(new SQLException("x", "23505")))
			.isEqualTo(SQLExceptionOverride.Override.CONTINUE_EVICT);
		assertThat(override.isSeen()).isFalse();
	}

}
