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

package io.github.poolwarden.advice;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Pool-size advice for one pool: counts what the hot and slow paths report (a few
 * counters, no clock read of its own), takes a {@link DemandSample} at the watch's pace,
 * and turns the window into a {@link PoolAdvice}. One INFO line when the verdict or the
 * size changes, at most once per window; none while there is not enough data.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class PoolAdvisor implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(PoolAdvisor.class);

	/**
	 * The shortest and longest windows accepted.
	 */
	public static final Duration MIN_WINDOW = Duration.ofSeconds(10);

	/**
	 * The longest window accepted.
	 */
	public static final Duration MAX_WINDOW = Duration.ofHours(24);

	private static final long LOCK_SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(1);

	/**
	 * How long the sampler's session is kept after the last sample with callers waiting
	 * and every connection in use: a sample taken while a connection changes hands (a
	 * moment with one in use fewer) does not close it, to open another a second later.
	 */
	static final long LOCK_SESSION_KEEP_NANOS = TimeUnit.SECONDS.toNanos(3);

	/**
	 * After a sample that could not be taken (the server refused the session, or the
	 * query failed), how long before the next try: a full server is not asked for a
	 * session every second.
	 */
	static final long LOCK_RETRY_NANOS = TimeUnit.SECONDS.toNanos(30);

	private final String pool;

	private final DemandWindow window;

	private final @Nullable Integer workerCeiling;

	private final int instances;

	private final boolean measuresWaits;

	private final @Nullable LockWaits lockWaits;

	private final LongSupplier clock;

	private final Durations holds = new Durations();

	private final Durations waits = new Durations();

	private final LongAdder timeouts = new LongAdder();

	private long timeoutsTaken;

	private long nextLockSample;

	private boolean lockSessionOpen;

	private long lastSaturatedSample;

	private @Nullable Integer serverBudget;

	private int max;

	private volatile @Nullable PoolAdvice latest;

	private @Nullable PoolAdvice logged;

	private long loggedAt;

	/**
	 * Create an advisor.
	 * @param pool the pool's name
	 * @param settings the window and what is known of the application
	 * @param lockWaits samples the pool's sessions in the database, or {@code null}
	 * @param clock the time, as {@link System#nanoTime()} gives it
	 */
	public PoolAdvisor(String pool, Settings settings, @Nullable LockWaits lockWaits, LongSupplier clock) {
		Assert.hasText(pool, "'pool' must not be empty");
		Assert.notNull(settings, "'settings' must not be null");
		this.pool = pool;
		this.window = new DemandWindow(settings.window().toNanos(),
				Math.min(settings.longHold().toNanos(), settings.window().toNanos() / 2));
		this.workerCeiling = settings.workerCeiling();
		this.instances = Math.max(1, settings.instances());
		this.measuresWaits = settings.measuresWaits();
		this.lockWaits = lockWaits;
		this.clock = clock;
	}

	/**
	 * Count how long a returned connection was held. Thread-safe.
	 * @param nanos the hold time
	 */
	public void recordHold(long nanos) {
		this.holds.record(nanos);
	}

	/**
	 * Count how long an acquisition that found the pool exhausted waited, whether it got
	 * a connection or gave up. Thread-safe.
	 * @param nanos the wait
	 */
	public void recordWait(long nanos) {
		this.waits.record(nanos);
	}

	/**
	 * Count a caller that gave up waiting for a connection. Thread-safe.
	 */
	public void recordTimeout() {
		this.timeouts.increment();
	}

	/**
	 * Add a sample of the pool, taken by the watch, and advise again.
	 * @param sample the sample
	 */
	public synchronized void sample(DemandSample sample) {
		long[] holds = new long[Durations.BUCKETS];
		long[] waits = new long[Durations.BUCKETS];
		this.holds.drainInto(holds);
		this.waits.drainInto(waits);
		long timeouts = this.timeouts.sum();
		this.window.add(sample, holds, waits, timeouts - this.timeoutsTaken);
		this.timeoutsTaken = timeouts;
		this.max = sample.max();
		this.serverBudget = budget(sample.serverHeadroom(), sample.serverLimit());
		sampleLocks(sample);
		PoolAdvice advice = advise(sample.nanoTime());
		this.latest = advice;
		tell(advice, sample.nanoTime());
	}

	private @Nullable Integer budget(@Nullable Integer headroom, @Nullable Integer limit) {
		if (headroom == null) {
			return null;
		}
		if (limit != null && this.instances > 1) {
			return Math.min(headroom, limit / this.instances);
		}
		return headroom;
	}

	/**
	 * Only while callers wait with every connection of the pool's maximum in use is it a
	 * question whether the database or the pool holds them up; then at most once a second.
	 * A pool short of its maximum may be waiting for the server to give it more, and the
	 * sampler's session must not take a slot from it.
	 */
	private void sampleLocks(DemandSample sample) {
		LockWaits lockWaits = this.lockWaits;
		if (lockWaits == null) {
			return;
		}
		if (sample.demand() <= sample.max() || sample.active() < sample.max()) {
			if (this.lockSessionOpen && sample.nanoTime() - this.lastSaturatedSample >= LOCK_SESSION_KEEP_NANOS) {
				lockWaits.close();
				this.lockSessionOpen = false;
			}
			return;
		}
		this.lastSaturatedSample = sample.nanoTime();
		if (sample.nanoTime() - this.nextLockSample < 0) {
			return;
		}
		this.nextLockSample = sample.nanoTime() + LOCK_SAMPLE_NANOS;
		LockWaits.Sessions sessions = lockWaits.sample();
		this.lockSessionOpen = true;
		if (sessions == null) {
			this.nextLockSample = sample.nanoTime() + LOCK_RETRY_NANOS;
		}
		else if (sessions.busy() > 0) {
			this.window.addLockSample(sample.nanoTime(), sessions.busy(), sessions.waitingOnLock());
		}
	}

	private PoolAdvice advise(long nanoTime) {
		return SizingRules.advise(this.pool, this.max,
				this.window.demand(nanoTime, this.measuresWaits, this.serverBudget, this.workerCeiling));
	}

	private void tell(PoolAdvice advice, long nanoTime) {
		PoolAdvice logged = this.logged;
		if (advice.sameAs(logged) || (logged == null && advice.verdict() == Verdict.NOT_ENOUGH_DATA)) {
			return;
		}
		if (logged != null && nanoTime - this.loggedAt < this.window.windowNanos()) {
			return;
		}
		this.logged = advice;
		this.loggedAt = nanoTime;
		logger.info(this.pool + " - pool-size advice: " + advice.verdict().value() + " (confidence "
				+ advice.confidence().value() + "): " + advice.message());
	}

	/**
	 * Return the advice as of the latest sample, or as of now before the first.
	 * @return the advice
	 */
	public PoolAdvice advice() {
		PoolAdvice latest = this.latest;
		if (latest != null) {
			return latest;
		}
		synchronized (this) {
			return advise(this.clock.getAsLong());
		}
	}

	@Override
	public void close() {
		LockWaits lockWaits = this.lockWaits;
		if (lockWaits != null) {
			lockWaits.close();
		}
	}

	/**
	 * What an advisor needs to know besides the samples.
	 *
	 * @param window the rolling window
	 * @param longHold from how long a hold counts as a leak (capped at half the window)
	 * @param workerCeiling the most threads that can ask at once, or {@code null} when not
	 * known
	 * @param instances how many instances share the server's limit (replicas and surge)
	 * @param measuresWaits whether every acquisition that found the pool exhausted is
	 * timed (the retry is on)
	 * @author PoolWarden authors
	 * @since 0.1.0
	 */
	public record Settings(Duration window, Duration longHold, @Nullable Integer workerCeiling, int instances,
			boolean measuresWaits) {

		public Settings {
			Assert.isTrue(window != null && window.compareTo(MIN_WINDOW) >= 0 && window.compareTo(MAX_WINDOW) <= 0,
					"'window' must be between 10s and 24h");
			Assert.isTrue(longHold != null && !longHold.isNegative() && !longHold.isZero(),
					"'longHold' must be positive");
		}

	}

}
