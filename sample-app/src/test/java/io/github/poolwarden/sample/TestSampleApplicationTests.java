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

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import io.github.poolwarden.sample.TestSampleApplication.Database;
import org.junit.jupiter.api.Test;

import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@code spring-boot:test-run} finds its database: the URL, else Testcontainers, else
 * {@code localhost:5432}, else a message saying what is missing. CI also runs the command
 * itself ({@code scripts/check-test-run.sh}), on the branch its machine takes.
 */
class TestSampleApplicationTests {

	private static final BooleanSupplier NEVER_ASKED = () -> {
		throw new AssertionError("asked although the choice was already made");
	};

	@Test
	void aUrlIsUsedAsSetWithoutAskingDocker() {
		assertThat(TestSampleApplication.choose("jdbc:postgresql://db:5432/app", NEVER_ASKED, NEVER_ASKED))
			.isEqualTo(Database.URL);
	}

	@Test
	void withoutAUrlAContainerIsStartedWhenDockerAnswers() {
		assertThat(TestSampleApplication.choose(null, () -> true, NEVER_ASKED)).isEqualTo(Database.CONTAINER);
		assertThat(TestSampleApplication.choose(" ", () -> true, NEVER_ASKED)).isEqualTo(Database.CONTAINER);
	}

	@Test
	void withoutDockerLocalhostIsTheFallback() {
		AtomicInteger asked = new AtomicInteger();
		assertThat(TestSampleApplication.choose(null, () -> false, () -> asked.incrementAndGet() > 0))
			.isEqualTo(Database.LOCALHOST);
		assertThat(asked).hasValue(1);
		assertThat(TestSampleApplication.LOCALHOST_MESSAGE).contains("localhost:5432");
	}

	@Test
	void withNeitherTheMessageSaysWhatToProvide() {
		assertThat(TestSampleApplication.choose("", () -> false, () -> false)).isEqualTo(Database.NONE);
		assertThat(TestSampleApplication.NONE_MESSAGE).contains("start a Docker engine")
			.contains("localhost:5432")
			.contains("SPRING_DATASOURCE_URL");
	}

	@Test
	void theContainerIsWiredThroughAServiceConnection() throws Exception {
		var method = TestSampleApplication.ContainerDatabase.class.getDeclaredMethod("postgres");
		assertThat(method.isAnnotationPresent(Bean.class)).isTrue();
		assertThat(method.isAnnotationPresent(ServiceConnection.class)).isTrue();
	}

}
