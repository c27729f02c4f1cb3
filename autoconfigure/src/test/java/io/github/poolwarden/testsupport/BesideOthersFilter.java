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

package io.github.poolwarden.testsupport;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps the lines of pools named {@code beside-…} off the console: a test class that runs
 * beside the others ({@code @Execution(CONCURRENT)}) names its pools so, and reads its
 * lines from the logger itself, so the tests that count lines in the captured output never
 * see them.
 */
public class BesideOthersFilter extends Filter<ILoggingEvent> {

	/**
	 * The prefix of the pools whose lines stay off the console.
	 */
	public static final String POOL_PREFIX = "beside-";

	@Override
	public FilterReply decide(ILoggingEvent event) {
		String message = event.getFormattedMessage();
		return (message != null && message.startsWith(POOL_PREFIX)) ? FilterReply.DENY : FilterReply.NEUTRAL;
	}

}
