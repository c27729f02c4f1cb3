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

package io.github.poolwarden.startup;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

import javax.sql.DataSource;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.autoconfigure.PoolWardenAutoConfiguration;
import io.github.poolwarden.retry.PoolExhaustedException;
import io.github.poolwarden.testsupport.PrivateCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Against a private cluster that requires {@code scram-sha-256} passwords on TCP, as a
 * default Debian install or the official image does: a missing password, a wrong one and
 * an unknown database fail at once with PoolWarden's report, whatever SQLState class the
 * driver chose, and no password ever shows.
 */
@ExtendWith(OutputCaptureExtension.class)
class PasswordServerTests {

	private static final String PASSWORD = "Right-horse-battery-41";

	private static final String WRONG = "Wrong-staple-canary-97";

	private static PrivateCluster cluster;

	@BeforeAll
	static void startCluster() {
		cluster = PrivateCluster.startRequiringPasswords(Map.of());
		cluster.execute("CREATE ROLE app LOGIN PASSWORD '" + PASSWORD + "'", "CREATE DATABASE app OWNER app",
				"CREATE ROLE locked NOLOGIN PASSWORD '" + PASSWORD + "'");
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	private static String url(String database) {
		return "jdbc:postgresql://127.0.0.1:" + cluster.port() + "/" + database;
	}

	private static ApplicationContextRunner runner(String... properties) {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + url("app"), "spring.datasource.username=app",
					"spring.datasource.hikari.pool-name=scram", "poolwarden.startup.timeout=30s")
			.withPropertyValues(properties);
	}

	@Test
	void theRightPasswordVerifies() {
		runner("spring.datasource.password=" + PASSWORD).run((context) -> {
			assertThat(context).hasNotFailed();
			try (Connection connection = context.getBean(DataSource.class).getConnection()) {
				assertThat(connection.isValid(1)).isTrue();
			}
		});
	}

	@Test
	void aMissingPasswordFailsAtOnceThoughItsSqlStateIsClass08() {
		runner().run((context) -> {
			StartupVerificationException failure = verificationFailure(context);

			assertThat(failure.getSqlState()).isEqualTo("08004");
			assertThat(failure.getFailure().meaning()).isEqualTo("no password was provided, and the server requires one");
			assertThat(failure.getAttempts()).isOne();
			assertThat(failure.isTimedOut()).isFalse();
			assertThat(failure.getWaited()).isLessThan(Duration.ofSeconds(5));
		});
	}

	@Test
	void aWrongPasswordFailsAtOnce(CapturedOutput output) {
		runner("spring.datasource.password=" + WRONG).run((context) -> {
			StartupVerificationException failure = verificationFailure(context);

			assertThat(failure.getSqlState()).isEqualTo("28P01");
			assertThat(failure.getAttempts()).isOne();
			assertThat(failure.getWaited()).isLessThan(Duration.ofSeconds(5));
		});
		assertThat(output.getAll()).doesNotContain(WRONG);
	}

	@Test
	void anUnknownDatabaseFailsAtOnce() {
		runner("spring.datasource.url=" + url("pw_no_such_database"), "spring.datasource.password=" + PASSWORD)
			.run((context) -> {
				StartupVerificationException failure = verificationFailure(context);

				assertThat(failure.getSqlState()).isEqualTo("3D000");
				assertThat(failure.getAttempts()).isOne();
			});
	}

	@Test
	void aWrongPasswordAtRunTimeIsNeverRetried() {
		runner("spring.datasource.password=" + WRONG, "poolwarden.startup.verify=false").run((context) -> {
			GuardedDataSource guarded = context.getBean(GuardedDataSource.class);

			Throwable failure = catchThrowable(() -> guarded.getConnection().close());

			assertThat(failure).isInstanceOf(SQLException.class).isNotInstanceOf(PoolExhaustedException.class);
			assertThat(((SQLException) failure).getSQLState()).isEqualTo("28P01");
			assertThat(guarded.getRetry().getStats().recovered() + guarded.getRetry().getStats().exhausted()).isZero();
			assertThat(failure.toString()).doesNotContain(WRONG);
		});
	}

	@Test
	void aFailureThatSurfacesThroughAnotherComponentGetsPoolWardensReport(CapturedOutput output) {
		Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(BorrowsAtStartup.class)
			.web(WebApplicationType.NONE)
			.properties("spring.datasource.url=" + url("app"), "spring.datasource.username=app",
					"spring.datasource.password=" + WRONG, "poolwarden.startup.verify=false",
					"spring.main.banner-mode=off")
			.run()
			.close());

		assertThat(failure).isNotNull();
		assertThat(output.getAll()).contains("PoolWarden found a database error that ended the startup while "
				+ "creating bean 'borrower'")
			.contains("SQLState:  28P01")
			.contains("Meaning:   bad credentials")
			.contains("Check spring.datasource.username and spring.datasource.password")
			.doesNotContain(WRONG);
	}

	/**
	 * The other classified failures that can end a startup through a component that
	 * borrows while the context starts: a role that may not log in, a database that does
	 * not exist, a server that refuses the connection. Each gets PoolWarden's report, with
	 * its SQLState, meaning and action, and never the password.
	 */
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			28000 | locked | app                 | | Check spring.datasource.username and spring.datasource.password
			3D000 | app    | pw_no_such_database | | Create the database, or fix the database name in spring.datasource.url
			08001 | app    | app                 | closed | Make sure the database at
			""")
	void otherFailuresThroughAnotherComponentGetPoolWardensReport(String sqlState, String user, String database,
			String port, String action, CapturedOutput output) {
		String url = ("closed".equals(port))
				? "jdbc:postgresql://127.0.0.1:" + io.github.poolwarden.testsupport.TcpForwarder.freePort() + "/" + database
				: url(database);
		Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(BorrowsAtStartup.class)
			.web(WebApplicationType.NONE)
			.properties("spring.datasource.url=" + url, "spring.datasource.username=" + user,
					"spring.datasource.password=" + PASSWORD, "poolwarden.startup.verify=false",
					"spring.datasource.hikari.connection-timeout=2000", "spring.main.banner-mode=off")
			.run()
			.close());

		assertThat(failure).isNotNull();
		assertThat(output.getAll()).contains("PoolWarden found a database error that ended the startup while "
				+ "creating bean 'borrower'")
			.contains("SQLState:  " + sqlState)
			.contains(action)
			.doesNotContain(PASSWORD);
	}

	@Test
	void withVerificationTheSameFailureIsReportedBeforeTheComponentBorrows(CapturedOutput output) {
		Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(BorrowsAtStartup.class)
			.web(WebApplicationType.NONE)
			.properties("spring.datasource.url=" + url("app"), "spring.datasource.username=app",
					"spring.datasource.password=" + WRONG, "spring.main.banner-mode=off")
			.run()
			.close());

		assertThat(failure).isNotNull();
		assertThat(output.getAll()).contains("PoolWarden could not verify the connection pool")
			.contains("SQLState:  28P01")
			.doesNotContain("BorrowsAtStartup.borrower(")
			.doesNotContain(WRONG);
	}

	private static StartupVerificationException verificationFailure(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		for (Throwable each = context.getStartupFailure(); each != null; each = each.getCause()) {
			if (each instanceof StartupVerificationException verification) {
				return verification;
			}
		}
		throw new AssertionError("Not a verification failure", context.getStartupFailure());
	}

	/**
	 * An application with a bean that borrows from the pool while the context starts, as
	 * a schema migration or an entity manager does.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, PoolWardenAutoConfiguration.class })
	static class BorrowsAtStartup {

		@Bean
		Integer borrower(DataSource dataSource) {
			return new JdbcTemplate(dataSource).queryForObject("SELECT 1", Integer.class);
		}

	}

}
