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

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Wraps every {@link HikariDataSource} bean in a {@link GuardedDataSource}.
 * <p>
 * Runs after initialization, so Boot has already bound {@code spring.datasource.hikari.*}
 * and applied its connection details, and with the highest precedence, so the guard
 * wraps the pool itself rather than another wrapper (such as Boot's lazy connection
 * proxy).
 *
 * @author PoolWarden authors
 */
class GuardedDataSourceBeanPostProcessor implements BeanPostProcessor, BeanFactoryAware, Ordered {

	private ObjectProvider<GuardedDataSourceFactory> factory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
		this.factory = beanFactory.getBeanProvider(GuardedDataSourceFactory.class);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		if (bean instanceof HikariDataSource pool) {
			return this.factory.getObject().guard(beanName, pool);
		}
		return bean;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 100;
	}

}
