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

import java.util.List;

import io.github.poolwarden.pool.PoolSnapshot;

/**
 * A change of a pool's utilization level.
 *
 * @param snapshot the pool's state when the change was seen
 * @param from the level before
 * @param to the level now
 * @param holders who held the pool's connections when the change was seen, one line
 * per call site, oldest first; given when the pool rises into critical and its holders
 * are tracked, else empty
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record UtilizationTransition(PoolSnapshot snapshot, UtilizationLevel from, UtilizationLevel to,
		List<String> holders) {

	/**
	 * Create a transition without holders.
	 * @param snapshot the pool's state
	 * @param from the level before
	 * @param to the level now
	 */
	public UtilizationTransition(PoolSnapshot snapshot, UtilizationLevel from, UtilizationLevel to) {
		this(snapshot, from, to, List.of());
	}

	/**
	 * Copy the holders, so the transition cannot change under its listeners.
	 */
	public UtilizationTransition {
		holders = List.copyOf(holders);
	}

	/**
	 * Return this transition with the holders seen at the same moment.
	 * @param holders one line per call site, oldest first
	 * @return the transition
	 */
	public UtilizationTransition withHolders(List<String> holders) {
		return new UtilizationTransition(this.snapshot, this.from, this.to, holders);
	}

	/**
	 * Whether the pool got fuller: the new level is above the old one.
	 * @return whether this is a rise
	 */
	public boolean isRise() {
		return this.to.compareTo(this.from) > 0;
	}

}
