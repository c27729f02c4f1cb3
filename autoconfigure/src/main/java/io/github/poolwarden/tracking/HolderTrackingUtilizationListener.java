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

package io.github.poolwarden.tracking;

import java.util.List;

import io.github.poolwarden.GuardedDataSource;
import io.github.poolwarden.GuardedPools;
import io.github.poolwarden.utilization.UtilizationLevel;
import io.github.poolwarden.utilization.UtilizationListener;
import io.github.poolwarden.utilization.UtilizationTransition;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.Ordered;

/**
 * Connects holder tracking to utilization: switches call-site capture on while a pool
 * is at the warning level or above, and logs the holders, grouped by call site, once
 * each time a pool crosses into critical. Runs after the listener that logs the
 * crossing itself.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class HolderTrackingUtilizationListener implements UtilizationListener, Ordered {

	private static final Log logger = LogFactory.getLog(HolderTrackingUtilizationListener.class);

	private final GuardedPools pools;

	/**
	 * Create a listener.
	 * @param pools the guarded pools, to find a pool's tracker by pool name
	 */
	public HolderTrackingUtilizationListener(GuardedPools pools) {
		this.pools = pools;
	}

	@Override
	public void onTransition(UtilizationTransition transition) {
		GuardedDataSource pool = this.pools.findByPoolName(transition.snapshot().pool());
		ConnectionTracker tracker = (pool != null) ? pool.getTracker() : null;
		if (tracker == null || !tracker.isTrackingHolders()) {
			return;
		}
		tracker.setUnderPressure(transition.to() != UtilizationLevel.NORMAL);
		if (transition.to() == UtilizationLevel.CRITICAL) {
			List<ConnectionHolder> holders = tracker.holders();
			StringBuilder dump = new StringBuilder(transition.snapshot().pool()).append(" - ")
				.append(holders.size())
				.append((holders.size() == 1) ? " connection held" : " connections held")
				.append(", by call site, oldest first:");
			HolderSummary.lines(holders).forEach((line) -> dump.append(System.lineSeparator()).append("    ").append(line));
			logger.warn(dump);
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
