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

package io.github.poolwarden.incident004;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dozen test classes with distinct configurations, as a real suite has: Spring's
 * test-context cache keeps a context, and so a pool, for each. They are not run by the
 * build on their own (nested classes); {@link Incident004Tests} runs them through the
 * JUnit launcher, with and without PoolWarden.
 */
final class Incident004Fixtures {

	static final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

	private Incident004Fixtures() {
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class })
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

	@SpringBootTest(classes = App.class, properties = "fixture=01")
	static class Context01 extends Fixture {

	}

	@SpringBootTest(classes = App.class, properties = "fixture=02")
	static class Context02 extends Fixture {

	}

	@SpringBootTest(classes = App.class, properties = "fixture=03")
	static class Context03 extends Fixture {

	}

	@SpringBootTest(classes = App.class, properties = "fixture=04")
	static class Context04 extends Fixture {

	}

	@SpringBootTest(classes = App.class, properties = "fixture=05")
	static class Context05 extends Fixture {

	}

	@SpringBootTest(classes = App.class, properties = "fixture=06")
	static class Context06 extends Fixture {

	}

	@SpringBootTest(classes = App.class, properties = "fixture=07")
	static class Context07 extends Fixture {

	}

	@SpringBootTest(classes = App.class, properties = "fixture=08")
	static class Context08 extends Fixture {

	}

	@SpringBootTest(classes = App.class, properties = "fixture=09")
	static class Context09 extends Fixture {

	}

	@SpringBootTest(classes = App.class, properties = "fixture=10")
	static class Context10 extends Fixture {

	}

	@SpringBootTest(classes = App.class, properties = "fixture=11")
	static class Context11 extends Fixture {

	}

	@SpringBootTest(classes = App.class, properties = "fixture=12")
	static class Context12 extends Fixture {

	}

}
