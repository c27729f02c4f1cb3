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

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * Keeps the lines of pools named {@code beside-…} (see {@link BesideOthersFilter}) for the
 * test that reads them. Declared in {@code logback-test.xml} rather than attached by the
 * test: a Spring application started by another test meanwhile resets Logback, which
 * detaches what a test attached and configures this again. The lines are kept in a static
 * queue, so they outlive that.
 */
public class BesideOthersAppender extends AppenderBase<ILoggingEvent> {

	private static final ConcurrentLinkedQueue<ILoggingEvent> lines = new ConcurrentLinkedQueue<>();

	@Override
	protected void append(ILoggingEvent event) {
		String message = event.getFormattedMessage();
		if (message != null && message.startsWith(BesideOthersFilter.POOL_PREFIX)) {
			event.prepareForDeferredProcessing();
			lines.add(event);
		}
	}

	/**
	 * Return the lines kept so far whose message starts with {@code prefix}, oldest first.
	 * @param prefix the start of the message, such as {@code "beside-minute - "}
	 * @return the lines
	 */
	public static List<ILoggingEvent> lines(String prefix) {
		return lines.stream().filter((event) -> event.getFormattedMessage().startsWith(prefix)).toList();
	}

}
