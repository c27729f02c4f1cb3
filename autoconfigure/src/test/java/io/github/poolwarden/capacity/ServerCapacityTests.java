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

import io.github.poolwarden.capacity.ServerCapacity.Source;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ServerCapacity} and the arithmetic of each source.
 */
class ServerCapacityTests {

	@Test
	void postgresBindsOnTheSmallestLimit() {
		ServerCapacity capacity = new ServerCapacity(Source.POSTGRESQL, 100, 3, 40, "app", 30, 12, "orders", -1, 20);

		assertThat(capacity.serverUsable()).isEqualTo(97);
		assertThat(capacity.limit()).isEqualTo(30);
		assertThat(capacity.used()).isEqualTo(12);
		assertThat(capacity.headroomFor(2)).as("30 - (12 - 2)").isEqualTo(20);
		assertThat(capacity.describeLimit()).isEqualTo("role 'app' CONNECTION LIMIT 30");
		assertThat(capacity.describe(2)).isEqualTo("server max_connections 100 - 3 reserved, 38 in use by others; "
				+ "role 'app' CONNECTION LIMIT 30, 10 in use by others; database 'orders' no limit");
	}

	@Test
	void theServerBindsWhenNoOtherLimitIsSmaller() {
		ServerCapacity capacity = new ServerCapacity(Source.POSTGRESQL, 20, 3, 5, "app", -1, 5, "orders", 50, 5);

		assertThat(capacity.limit()).isEqualTo(17);
		assertThat(capacity.used()).isEqualTo(5);
		assertThat(capacity.describeLimit()).isEqualTo("server max_connections 20 - 3 reserved");
		ServerCapacity database = new ServerCapacity(Source.POSTGRESQL, 100, 0, 5, "app", -1, 5, "orders", 8, 4);
		assertThat(database.describeLimit()).isEqualTo("database 'orders' CONNECTION LIMIT 8");
		assertThat(database.used()).isEqualTo(4);
		assertThat(database.headroomFor(0)).isEqualTo(4);
	}

	@Test
	void mariaDbNamesTheAccountAndItsLimit() {
		ServerCapacity capacity = new ServerCapacity(Source.MARIADB, 151, 0, 9, "'app'@'%'", 3, 1, "shop", -1, 0);

		assertThat(capacity.limit()).isEqualTo(3);
		assertThat(capacity.describeLimit()).isEqualTo("account 'app'@'%' max_user_connections 3");
		assertThat(capacity.describe(1)).isEqualTo("server max_connections 151, 8 in use by others; account "
				+ "'app'@'%' max_user_connections 3, 0 in use by others");
		ServerCapacity unlimited = new ServerCapacity(Source.MARIADB, 151, 0, 9, "'app'@'%'", -1, 1, "shop", -1, 0);
		assertThat(unlimited.describeLimit()).isEqualTo("server max_connections 151");
		assertThat(unlimited.describe(0)).endsWith("account 'app'@'%' no limit");
	}

	@Test
	void mariaDbsAccountLimitPrefersTheAccountsOwn() {
		assertThat(MariaDbCapacity.effectiveAccountLimit(5, 10)).isEqualTo(5);
		assertThat(MariaDbCapacity.effectiveAccountLimit(0, 10)).isEqualTo(10);
		assertThat(MariaDbCapacity.effectiveAccountLimit(-1, 10)).isEqualTo(10);
		assertThat(MariaDbCapacity.effectiveAccountLimit(0, 0)).isEqualTo(-1);
		assertThat(MariaDbCapacity.account("app@%")).isEqualTo("'app'@'%'");
		assertThat(MariaDbCapacity.account("root@localhost")).isEqualTo("'root'@'localhost'");
		assertThat(MariaDbCapacity.account("plain")).isEqualTo("'plain'");
	}

	@Test
	void pgBouncerIsItsClientLimit() {
		ServerCapacity capacity = ServerCapacity.of(Source.PGBOUNCER, 100, 12);

		assertThat(capacity.limit()).isEqualTo(100);
		assertThat(capacity.used()).isEqualTo(12);
		assertThat(capacity.headroomFor(4)).isEqualTo(92);
		assertThat(capacity.describe(4)).isEqualTo("PgBouncer max_client_conn 100, 8 in use by other clients");
		assertThat(capacity.describeLimit()).isEqualTo("PgBouncer max_client_conn 100");
	}

	@Test
	void pgBouncerNeedsPrepareThresholdZeroUnlessItTracksPreparedStatementsOrPoolsSessions() {
		assertThat(new PgBouncerConsole.View("PgBouncer 1.18.0", 100, 0, "transaction", 0, 20).needsPrepareThresholdZero())
			.isTrue();
		assertThat(new PgBouncerConsole.View("PgBouncer 1.18.0", 100, 0, null, 0, 20).needsPrepareThresholdZero())
			.isTrue();
		assertThat(new PgBouncerConsole.View("PgBouncer 1.22.0", 100, 0, "transaction", 200, 20)
			.needsPrepareThresholdZero()).isFalse();
		assertThat(new PgBouncerConsole.View("PgBouncer 1.18.0", 100, 0, "session", 0, 20).needsPrepareThresholdZero())
			.isFalse();
	}

}
