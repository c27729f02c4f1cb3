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

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.poolwarden.GuardedDataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Wraps every {@link HikariDataSource} bean in a {@link GuardedDataSource}, verified
 * before the bean is handed to anything that could borrow from it.
 * <p>
 * Runs after initialization, so Boot has already bound {@code spring.datasource.hikari.*}
 * and applied its connection details, and with a high precedence, so the guard wraps the
 * pool itself rather than another wrapper. When another post-processor has wrapped the
 * pool first in a {@link DelegatingDataSource} (Boot's lazy connection proxy under
 * {@code spring.datasource.connection-fetch=lazy}, ordered differently), the guard is put
 * between that wrapper and the pool.
 *
 * @author PoolWarden authors
 */
class GuardedDataSourceBeanPostProcessor implements BeanPostProcessor, BeanFactoryAware, Ordered {

	private static final Log logger = LogFactory.getLog(GuardedDataSourceBeanPostProcessor.class);

	private @Nullable ObjectProvider<GuardedDataSourceFactory> factory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
		this.factory = beanFactory.getBeanProvider(GuardedDataSourceFactory.class);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		if (bean instanceof HikariDataSource pool) {
			GuardedDataSourceFactory factory = this.factory.getObject();
			return factory.isExcluded(beanName) ? pool : factory.guard(beanName, pool);
		}
		if (bean instanceof DelegatingDataSource wrapper && !(bean instanceof GuardedDataSource)) {
			guardInside(wrapper, beanName);
		}
		return bean;
	}

	private void guardInside(DelegatingDataSource wrapper, String beanName) {
		DelegatingDataSource holder = wrapper;
		while (holder.getTargetDataSource() instanceof DelegatingDataSource next && !(next instanceof GuardedDataSource)) {
			holder = next;
		}
		DataSource target = holder.getTargetDataSource();
		if (target instanceof HikariDataSource pool) {
			GuardedDataSourceFactory factory = this.factory.getObject();
			if (!factory.isExcluded(beanName)) {
				holder.setTargetDataSource(factory.guard(beanName, pool));
				logger.debug("Guarded the HikariCP pool inside " + wrapper.getClass().getName() + " bean '" + beanName
						+ "'");
			}
		}
	}

	@Override
	public int getOrder() {
		// Before Boot's lazy connection proxy (order 0), so the guard wraps the pool.
		return Ordered.HIGHEST_PRECEDENCE + 100;
	}

}
