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
package io.github.poolwarden.capacity;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the SCRAM-SHA-256 client of {@link PgBouncerConsole}, on the exchange of
 * RFC 7677, section 3. (The console itself is read from a real PgBouncer in
 * {@code PgBouncerPostgresTests}.)
 */
class PgBouncerConsoleTests {

	private static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
			+ "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

	@Test
	void computesTheProofAndChecksTheServersSignatureOfRfc7677() throws SQLException {
		PgBouncerConsole.Scram scram = new PgBouncerConsole.Scram("pencil", "user", "rOprNGfwEbeRWgbNEkqO");

		assertThat(scram.clientFirst()).isEqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
		assertThat(scram.clientFinal(SERVER_FIRST)).isEqualTo("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
				+ "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
		scram.verify("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
	}

	@Test
	void rejectsAServerThatDoesNotKnowThePassword() throws SQLException {
		PgBouncerConsole.Scram scram = new PgBouncerConsole.Scram("pencil", "user", "rOprNGfwEbeRWgbNEkqO");
		scram.clientFirst();
		scram.clientFinal(SERVER_FIRST);

		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> scram.verify("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
			.withMessageContaining("could not prove it knows the password");
	}

	@Test
	void rejectsAChallengeThatDoesNotExtendItsNonce() {
		PgBouncerConsole.Scram scram = new PgBouncerConsole.Scram("pencil", "user", "rOprNGfwEbeRWgbNEkqO");
		scram.clientFirst();

		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> scram.clientFinal("r=someoneElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
			.withMessageContaining("invalid SCRAM challenge");
	}

}
