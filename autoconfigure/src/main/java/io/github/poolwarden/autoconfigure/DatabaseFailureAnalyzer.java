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

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.support.ConnectionFailure;
import io.github.poolwarden.support.CredentialMasker;
import io.github.poolwarden.support.JdbcTarget;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

/**
 * Gives PoolWarden's report for a database error PoolWarden can classify when it ends a
 * startup through another component (a schema migration, an entity manager, a SQL
 * initializer): the component, the database, the SQLState, what it means and what to
 * do, with every password masked, instead of the component's own stack trace. Errors
 * PoolWarden cannot classify are left to the other analyzers, and so is everything when
 * {@code poolwarden.enabled=false}.
 *
 * @author PoolWarden authors
 */
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class DatabaseFailureAnalyzer extends AbstractFailureAnalyzer<SQLException> {

	private final @Nullable BeanFactory beanFactory;

	private final @Nullable Environment environment;

	DatabaseFailureAnalyzer(@Nullable BeanFactory beanFactory, @Nullable Environment environment) {
		this.beanFactory = beanFactory;
		this.environment = environment;
	}

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, SQLException cause) {
		if (this.environment != null
				&& !this.environment.getProperty("poolwarden.enabled", Boolean.class, true)) {
			return null;
		}
		ConnectionFailure failure = ConnectionFailure.of(cause);
		if (failure.kind() == ConnectionFailure.Kind.OTHER || failure.sqlState() == null && failure.vendorCode() == 0) {
			return null;
		}
		List<String> passwords = new ArrayList<>();
		String target = target(passwords);
		String message = masked(innermost(cause).getMessage(), passwords);
		String component = component(rootFailure);
		String description = String.format("PoolWarden found a database error that ended the startup%s.%n%n"
				+ "    Database:  %s%n" + "    SQLState:  %s%s%n" + "    Meaning:   %s%n" + "    Cause:     %s%n",
				(component != null) ? " while creating " + component : "", target,
				FailureActions.orUnknown(failure.sqlState()),
				(failure.vendorCode() != 0) ? " (error " + failure.vendorCode() + ")" : "", failure.meaning(), message);
		return new FailureAnalysis(description, FailureActions.forFailure(failure, target, false), null);
	}

	private String target(List<String> passwords) {
		GuardedPools pools = pools();
		if (pools != null && !pools.asMap().isEmpty()) {
			List<String> targets = new ArrayList<>();
			for (GuardedDataSource pool : pools.asMap().values()) {
				targets.add(pool.getPoolName() + " (" + pool.describeTarget() + ")");
				if (pool.getPool().getPassword() != null) {
					passwords.add(pool.getPool().getPassword());
				}
			}
			return String.join(", ", targets);
		}
		if (this.environment != null) {
			String password = this.environment.getProperty("spring.datasource.password");
			if (password != null) {
				passwords.add(password);
			}
			String url = this.environment.getProperty("spring.datasource.url");
			if (url != null) {
				return JdbcTarget.parse(url).describe();
			}
		}
		return "(unknown)";
	}

	/**
	 * The guarded pools, if the context still holds them; a context whose refresh failed
	 * has usually destroyed its singletons, and the environment has to do.
	 */
	private @Nullable GuardedPools pools() {
		if (this.beanFactory instanceof ConfigurableListableBeanFactory factory) {
			try {
				for (String name : factory.getBeanNamesForType(GuardedPools.class, false, false)) {
					if (factory.getSingleton(name) instanceof GuardedPools pools) {
						return pools;
					}
				}
			}
			catch (RuntimeException ex) {
				return null;
			}
		}
		return null;
	}

	private static String masked(@Nullable String message, List<String> passwords) {
		String masked = (message != null) ? message : "(no message)";
		for (String password : passwords) {
			masked = CredentialMasker.mask(masked, password);
		}
		return CredentialMasker.mask(masked, null);
	}

	private static Throwable innermost(SQLException cause) {
		Throwable described = cause;
		int depth = 0;
		for (Throwable each = cause; each != null && depth < 16; each = each.getCause(), depth++) {
			if (each instanceof SQLException sql && sql.getSQLState() != null && sql.getMessage() != null) {
				described = each;
			}
		}
		return described;
	}

	private static @Nullable String component(Throwable rootFailure) {
		String bean = null;
		int depth = 0;
		for (Throwable each = rootFailure; each != null && depth < 32; each = each.getCause(), depth++) {
			if (each instanceof BeanCreationException creation && creation.getBeanName() != null) {
				bean = creation.getBeanName();
			}
		}
		return (bean != null) ? "bean '" + bean + "'" : null;
	}

}
