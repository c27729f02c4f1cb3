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
		String url = System.getenv("SPRING_DATASOURCE_URL");
		if (url != null && !url.isBlank()) {
			SampleApplication.main(args);
		}
		else if (dockerAnswers()) {
			SpringApplication.from(SampleApplication::main).with(ContainerDatabase.class).run(args);
		}
		else if (answers("localhost", 5432)) {
			System.out.println("No Docker engine answers: running against the PostgreSQL on localhost:5432.");
			SampleApplication.main(args);
		}
		else {
			System.err.println("The sample application needs PostgreSQL: start a Docker engine (Testcontainers then "
					+ "starts postgres:15-alpine), or a PostgreSQL server on localhost:5432 with user postgres, or "
					+ "point SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD at one.");
			System.exit(1);
		}
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
