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

package io.github.poolwarden.benchmarks;

import java.util.List;
import java.util.Optional;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Two ways to record where a borrow came from, at the bottom of a stack of the given
 * depth: a {@code Throwable} whose stack the JVM fills natively and which is resolved
 * to frames only when it is reported (what PoolWarden does), and a {@code StackWalker}
 * that walks to the first frame outside skipped packages at once (what PoolWarden did
 * before).
 */
@State(Scope.Thread)
public class StackCaptureBenchmark {

	private static final StackWalker walker = StackWalker.getInstance();

	private static final List<String> skipped = List.of("java.", "jdk.", "sun.", "org.openjdk.jmh.",
			"io.github.poolwarden.benchmarks.StackCaptureBenchmark");

	@Param({ "30", "120" })
	public int depth;

	private int recursion = -1;

	@Benchmark
	public Object nativeStackResolvedLater() {
		return descend(depth(), true);
	}

	@Benchmark
	public Object stackWalkerToTheCallSite() {
		return descend(depth(), false);
	}

	private int depth() {
		if (this.recursion < 0) {
			this.recursion = Math.max(0, this.depth - new Throwable().getStackTrace().length);
		}
		return this.recursion;
	}

	private Object descend(int remaining, boolean throwable) {
		if (remaining > 0) {
			return descend(remaining - 1, throwable);
		}
		if (throwable) {
			return new Throwable();
		}
		Optional<StackWalker.StackFrame> frame = walker
			.walk((frames) -> frames.filter((each) -> skipped.stream().noneMatch(each.getClassName()::startsWith))
				.findFirst());
		return frame.orElse(null);
	}

}
