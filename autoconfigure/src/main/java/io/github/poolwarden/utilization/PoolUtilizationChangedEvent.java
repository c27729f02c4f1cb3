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

import org.springframework.context.ApplicationEvent;

/**
 * Published when a pool's utilization level changes, so an application can react: shed
 * load, page someone. The source is the pool name.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class PoolUtilizationChangedEvent extends ApplicationEvent {

	private final UtilizationTransition transition;

	/**
	 * Create an event.
	 * @param transition the change
	 */
	public PoolUtilizationChangedEvent(UtilizationTransition transition) {
		super(transition.snapshot().pool());
		this.transition = transition;
	}

	/**
	 * Return the pool's name.
	 * @return the pool name
	 */
	public String getPool() {
		return this.transition.snapshot().pool();
	}

	/**
	 * Return the level before.
	 * @return the old level
	 */
	public UtilizationLevel getFrom() {
		return this.transition.from();
	}

	/**
	 * Return the level now.
	 * @return the new level
	 */
	public UtilizationLevel getTo() {
		return this.transition.to();
	}

	/**
	 * Return the pool's state when the change was seen.
	 * @return the snapshot
	 */
	public PoolSnapshot getSnapshot() {
		return this.transition.snapshot();
	}

	/**
	 * Return the change.
	 * @return the transition
	 */
	public UtilizationTransition getTransition() {
		return this.transition;
	}

}
