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

package io.github.poolwarden.incident004.slices;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.data.jdbc.test.autoconfigure.DataJdbcTest;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.boot.jooq.test.autoconfigure.JooqTest;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Incident 004's suite written with test slices, as a real one is: three classes each of
 * {@code @JdbcTest}, {@code @DataJpaTest}, {@code @DataJdbcTest} and {@code @JooqTest} on
 * the real database, each with its own configuration, so Spring's test-context cache
 * keeps a context, and so a pool, for each. Not run by the build on their own (nested
 * classes); {@code Incident004Tests} runs them through the JUnit launcher, with and
 * without PoolWarden.
 */
public final class Incident004SliceFixtures {

	/**
	 * The contexts the fixtures ran in, for the runner to close.
	 */
	public static final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

	private Incident004SliceFixtures() {
	}

	/**
	 * The application the slices belong to.
	 */
	@SpringBootConfiguration
	@AutoConfigurationPackage
	static class App {

	}

	abstract static class Fixture {

		@Autowired
		DataSource dataSource;

		@Autowired
		ConfigurableApplicationContext context;

		@Test
		void queriesThroughItsOwnPool() throws Exception {
			contexts.add(this.context);
			try (Connection connection = this.dataSource.getConnection();
					Statement statement = connection.createStatement();
					ResultSet resultSet = statement.executeQuery("SELECT 1")) {
				assertThat(resultSet.next()).isTrue();
			}
		}

	}

	@JdbcTest(properties = "fixture=slice-01")
	@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
	static class Slice01 extends Fixture {

	}

	@JdbcTest(properties = "fixture=slice-02")
	@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
	static class Slice02 extends Fixture {

	}

	@JdbcTest(properties = "fixture=slice-03")
	@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
	static class Slice03 extends Fixture {

	}

	@DataJpaTest(properties = "fixture=slice-04")
	@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
	static class Slice04 extends Fixture {

	}

	@DataJpaTest(properties = "fixture=slice-05")
	@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
	static class Slice05 extends Fixture {

	}

	@DataJpaTest(properties = "fixture=slice-06")
	@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
	static class Slice06 extends Fixture {

	}

	@DataJdbcTest(properties = "fixture=slice-07")
	@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
	static class Slice07 extends Fixture {

	}

	@DataJdbcTest(properties = "fixture=slice-08")
	@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
	static class Slice08 extends Fixture {

	}

	@DataJdbcTest(properties = "fixture=slice-09")
	@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
	static class Slice09 extends Fixture {

	}

	@JooqTest(properties = "fixture=slice-10")
	@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
	static class Slice10 extends Fixture {

	}

	@JooqTest(properties = "fixture=slice-11")
	@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
	static class Slice11 extends Fixture {

	}

	@JooqTest(properties = "fixture=slice-12")
	@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
	static class Slice12 extends Fixture {

	}

}
