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

package io.github.poolwarden;

import io.github.poolwarden.pool.PoolSnapshot;
import io.github.poolwarden.utilization.UtilizationState;

/**
 * One reading of a guarded pool: a snapshot and the utilization level as it stands for
 * it, so that health, the endpoint and the logs report numbers that agree.
 *
 * @param snapshot the pool's state
 * @param utilization the level, and why the damping holds it, if it does
 * @author PoolWarden authors
 * @since 0.1.0
 */
public record PoolReading(PoolSnapshot snapshot, UtilizationState utilization) {

}
