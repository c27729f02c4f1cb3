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

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CredentialMasker} and {@link JdbcTarget}.
 */
class CredentialMaskerTests {

	@Test
	void masksAKnownPasswordAnywhere() {
		assertThat(CredentialMasker.mask("login failed with s3cr3t!", "s3cr3t!")).isEqualTo("login failed with ******");
	}

	@Test
	void masksPasswordParametersInBothUrlForms() {
		assertThat(CredentialMasker.mask("jdbc:postgresql://h:5432/db?user=a&password=x1&ssl=true", null))
			.isEqualTo("jdbc:postgresql://h:5432/db?user=a&password=******&ssl=true");
		assertThat(CredentialMasker.mask("jdbc:mysql://app:x1@h:3306/db", null))
			.isEqualTo("jdbc:mysql://app:******@h:3306/db");
		assertThat(CredentialMasker.mask("jdbc:sqlserver://h;user=a;Password=x1;db=b", null))
			.isEqualTo("jdbc:sqlserver://h;user=a;Password=******;db=b");
	}

	@Test
	void leavesTextWithoutCredentialsAlone() {
		assertThat(CredentialMasker.mask("Connection to 127.0.0.1:5432 refused.", "")).isEqualTo(
				"Connection to 127.0.0.1:5432 refused.");
		assertThat(CredentialMasker.mask(null, "x")).isNull();
	}

}
