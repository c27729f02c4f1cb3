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

package io.github.poolwarden.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration properties for guarded HikariCP pools.
 * <p>
 * Values are checked when they are bound, so a bad value stops the application at
 * startup with a message that names the property and the accepted range.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
@ConfigurationProperties("poolwarden")
public class PoolWardenProperties implements Validator {

	/**
	 * Whether to decorate HikariDataSource beans. When false, PoolWarden does nothing and
	 * the DataSource bean is the plain HikariDataSource.
	 */
	private boolean enabled = true;

	/**
	 * Names of DataSource beans that should not be decorated.
	 */
	private Set<String> excludedBeans = new LinkedHashSet<>();

	private final Startup startup = new Startup();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Set<String> getExcludedBeans() {
		return this.excludedBeans;
	}

	public void setExcludedBeans(Set<String> excludedBeans) {
		this.excludedBeans = excludedBeans;
	}

	public Startup getStartup() {
		return this.startup;
	}

	@Override
	public boolean supports(Class<?> type) {
		return PoolWardenProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		PoolWardenProperties properties = (PoolWardenProperties) target;
		PropertyChecks checks = new PropertyChecks("poolwarden", errors);
		checks.notNegative("startup.timeout", properties.getStartup().getTimeout());
	}

	/**
	 * Verification of each pool before the application takes traffic.
	 */
	public static class Startup {

		/**
		 * Whether to start, fill and validate each pool before the web server starts and
		 * readiness goes up.
		 */
		private boolean verify = true;

		/**
		 * How long to wait for a database that is not reachable yet (connection refused,
		 * starting up or in recovery, no connection slot free). Zero fails at the first
		 * error. Errors that waiting cannot fix, such as bad credentials or an unknown
		 * database, fail at once.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		public boolean isVerify() {
			return this.verify;
		}

		public void setVerify(boolean verify) {
			this.verify = verify;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

}
