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

package io.github.poolwarden.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.BooleanSupplier;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;

/**
 * Runs the sample application for development ({@code ./mvnw -pl sample-app
 * spring-boot:test-run}), the Spring Boot way: against the database named by
 * {@code SPRING_DATASOURCE_URL} when set; else against a PostgreSQL that Testcontainers
 * starts when a Docker engine answers; else against {@code localhost:5432}; else it says
 * what is missing.
 */
public final class TestSampleApplication {

	private TestSampleApplication() {
	}

	public static void main(String[] args) {
		Database database = choose(System.getenv("SPRING_DATASOURCE_URL"), TestSampleApplication::dockerAnswers,
				() -> answers("localhost", 5432));
		switch (database) {
			case URL -> SampleApplication.main(args);
			case CONTAINER -> SpringApplication.from(SampleApplication::main).with(ContainerDatabase.class).run(args);
			case LOCALHOST -> {
				System.out.println(LOCALHOST_MESSAGE);
				SampleApplication.main(args);
			}
			case NONE -> {
				System.err.println(NONE_MESSAGE);
				System.exit(1);
			}
		}
	}

	static final String LOCALHOST_MESSAGE = "No Docker engine answers: running against the PostgreSQL on localhost:5432.";

	static final String NONE_MESSAGE = "The sample application needs PostgreSQL: start a Docker engine (Testcontainers "
			+ "then starts postgres:15-alpine), or a PostgreSQL server on localhost:5432 with user postgres, or point "
			+ "SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD at one.";

	/**
	 * Where the application's database comes from, in the order asked.
	 */
	enum Database {

		/** {@code SPRING_DATASOURCE_URL}, as set. */
		URL,

		/** A PostgreSQL that Testcontainers starts. */
		CONTAINER,

		/** The PostgreSQL on {@code localhost:5432}. */
		LOCALHOST,

		/** None: the application says what is missing and exits. */
		NONE

	}

	/**
	 * Choose the database: the URL when set, else a container when Docker answers, else
	 * {@code localhost:5432} when it answers. Docker and the port are asked only when
	 * needed (asking Docker takes a moment).
	 */
	static Database choose(String url, BooleanSupplier docker, BooleanSupplier localhost) {
		if (url != null && !url.isBlank()) {
			return Database.URL;
		}
		if (docker.getAsBoolean()) {
			return Database.CONTAINER;
		}
		return localhost.getAsBoolean() ? Database.LOCALHOST : Database.NONE;
	}

	private static boolean dockerAnswers() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (Throwable ex) {
			return false;
		}
	}

	private static boolean answers(String host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * A PostgreSQL in a container, wired to the application through
	 * {@code @ServiceConnection}.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class ContainerDatabase {

		@Bean
		@ServiceConnection
		PostgreSQLContainer postgres() {
			return new PostgreSQLContainer("postgres:15-alpine");
		}

	}

}
