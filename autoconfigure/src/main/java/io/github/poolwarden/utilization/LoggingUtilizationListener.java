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

package io.github.poolwarden.utilization;

import io.github.poolwarden.pool.PoolSnapshot;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.Ordered;

/**
 * Logs each utilization change as one log event: WARN into warning, ERROR into critical
 * (with the holders seen at that moment, one line per call site), INFO back down. Lines
 * start with the pool name, as HikariCP's do.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class LoggingUtilizationListener implements UtilizationListener, Ordered {

	private static final Log logger = LogFactory.getLog(LoggingUtilizationListener.class);

	private final UtilizationThresholds thresholds;

	/**
	 * Create a listener.
	 * @param thresholds the thresholds, quoted in the messages
	 */
	public LoggingUtilizationListener(UtilizationThresholds thresholds) {
		this.thresholds = thresholds;
	}

	@Override
	public void onTransition(UtilizationTransition transition) {
		PoolSnapshot snapshot = transition.snapshot();
		String state = snapshot.pool() + " - utilization " + snapshot.utilizationPercent() + "% (active="
				+ snapshot.active() + ", max=" + snapshot.max()
				+ ((snapshot.capacity() < snapshot.max()) ? ", server capacity=" + snapshot.capacity() : "")
				+ ", waiting=" + snapshot.waiting() + ")";
		switch (transition.to()) {
			case CRITICAL -> logger.error(state + " crossed critical threshold " + percent(this.thresholds.critical())
					+ holders(transition));
			case WARNING -> {
				if (transition.isRise()) {
					logger.warn(state + " crossed warning threshold " + percent(this.thresholds.warning()));
				}
				else {
					logger.info(state + " back below critical threshold " + percent(this.thresholds.critical()));
				}
			}
			case NORMAL -> logger.info(state + " back below warning threshold " + percent(this.thresholds.warning()));
		}
	}

	@Override
	public int getOrder() {
		return 0;
	}

	private static String holders(UtilizationTransition transition) {
		if (transition.holders().isEmpty()) {
			return "";
		}
		StringBuilder lines = new StringBuilder("; holders, by call site, oldest first:");
		transition.holders().forEach((line) -> lines.append(System.lineSeparator()).append("    ").append(line));
		return lines.toString();
	}

	private static String percent(double ratio) {
		return Math.round(ratio * 100) + "%";
	}

}
