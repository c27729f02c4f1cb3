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

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongConsumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Knows who holds a pool's connections: wraps each borrowed connection in a
 * {@link GuardedConnection} and records its holder (thread, time, call site).
 * <p>
 * The registry has one slot per <em>physical</em> connection, created the first time the
 * pool lends it and reused on every later borrow: a borrow reads the map and writes the
 * slot, it never inserts or removes, so the registry is bounded by the pool's physical
 * connections and costs no contention. A holder is current while its wrapper is open
 * and both the pool's handle and the physical connection are open, so a connection
 * closed behind PoolWarden's back (through the pool's handle, an abort, an eviction) is
 * never reported as held. Slots of physical connections the pool has closed are removed
 * by {@link #prune()}.
 * <p>
 * Call sites are recorded as the JVM's native stack of the borrow and turned into a frame
 * only when a holder is reported; by default ({@link CallSiteCapture#ADAPTIVE}) on every
 * borrow up to a budget of about a thousand a second, renewed every tick, and on every
 * borrow under pressure or after an uncaptured long hold. A borrow reads no clock: the borrow time comes from the tracker's
 * own clock, which {@link #checkLongHolds()} (run every sample interval) and every
 * reader advance, so hold times are measured to within one sample interval, never
 * shorter than they are.
 * <p>
 * Each thread's count of connections it holds from this pool lives in a thread-local
 * {@link Holding}, so a borrow by a thread that already holds one (a nested acquisition:
 * {@code REQUIRES_NEW}, a query inside a row callback) is known without a search. Nested
 * acquisitions are counted, and while one waits, the thread and both call sites are
 * reported with the holders: a pool whose holders are all waiting for a second
 * connection never frees up on its own.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public class ConnectionTracker {

	private static final Log logger = LogFactory.getLog(ConnectionTracker.class);

	private static final VarHandle CURRENT;

	private static final VarHandle RETURNED_AT;

	static {
		try {
			CURRENT = MethodHandles.lookup().findVarHandle(Slot.class, "current", GuardedConnection.class);
			RETURNED_AT = MethodHandles.lookup().findVarHandle(Slot.class, "returnedAtNanos", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/**
	 * How long a connection whose physical connection was closed behind its wrapper's
	 * back may stay unreturned before its slot is given up.
	 */
	private static final long ABANDONED_AFTER_NANOS = TimeUnit.MINUTES.toNanos(1);

	/**
	 * In {@link CallSiteCapture#ADAPTIVE} mode, how many borrows a second have their call
	 * site captured at most, outside pressure and escalation.
	 */
	static final int ADAPTIVE_CAPTURES_PER_SECOND = 1000;

	/**
	 * How long {@link CallSiteCapture#ADAPTIVE} mode captures every borrow after a
	 * connection whose call site was not captured was held past the long-hold threshold.
	 */
	private static final long ESCALATION_NANOS = TimeUnit.MINUTES.toNanos(5);

	private volatile long clockNanos = System.nanoTime();

	private final String poolName;

	private final boolean trackHolders;

	private final boolean rollbackOnReturn;

	private final CallSiteCapture capture;

	private final CallSites callSites;

	private final Duration longHoldThreshold;

	private final Map<Connection, Slot> slots = new ConcurrentHashMap<>();

	private final ThreadLocal<Holding> holdings = ThreadLocal.withInitial(Holding::new);

	private final Map<Thread, NestedWait> nestedWaits = new ConcurrentHashMap<>();

	private final LongAdder prunedBorrows = new LongAdder();

	private final LongAdder prunedReturns = new LongAdder();

	private final LongAdder longHolds = new LongAdder();

	private final LongAdder abandoned = new LongAdder();

	private final LongAdder nested = new LongAdder();

	private volatile boolean underPressure;

	/**
	 * Borrows captured since the last tick, in {@link CallSiteCapture#ADAPTIVE} mode; once
	 * at the budget it is only read, so busy borrowers do not contend on it.
	 */
	private final AtomicInteger captured = new AtomicInteger();

	private volatile int captureBudget = ADAPTIVE_CAPTURES_PER_SECOND;

	private volatile long captureEveryBorrowUntil;

	private volatile long lastTickNanos = System.nanoTime();

	private volatile @Nullable String resetSql;

	private volatile Function<Thread, @Nullable String> longHoldAdvice = (thread) -> null;

	private volatile @Nullable LongConsumer holdTimes;

	/**
	 * The latest return of the connections whose slots {@link #prune()} dropped, when any
	 * had been returned.
	 */
	private volatile @Nullable Long prunedLatestReturn;

	/**
	 * When a connection last came back broken (closed by the pool after a connection
	 * error), by {@link System#nanoTime()}; a rare path, so it reads the real clock.
	 */
	private volatile @Nullable Long lastBrokenReturn;

	/**
	 * Create a tracker.
	 * @param poolName the pool's name, for log lines
	 * @param trackHolders whether to record holders; when false, connections are only
	 * wrapped for the rollback on return
	 * @param rollbackOnReturn whether to roll back uncommitted work when a connection is
	 * returned with auto-commit off
	 * @param capture when to capture call sites
	 * @param callSites finds call sites
	 * @param longHoldThreshold how long a connection may be held before one WARN line
	 */
	public ConnectionTracker(String poolName, boolean trackHolders, boolean rollbackOnReturn, CallSiteCapture capture,
			CallSites callSites, Duration longHoldThreshold) {
		Assert.hasText(poolName, "'poolName' must not be empty");
		Assert.notNull(capture, "'capture' must not be null");
		Assert.notNull(callSites, "'callSites' must not be null");
		Assert.isTrue(longHoldThreshold != null && !longHoldThreshold.isNegative() && !longHoldThreshold.isZero(),
				"'longHoldThreshold' must be positive");
		this.poolName = poolName;
		this.trackHolders = trackHolders;
		this.rollbackOnReturn = rollbackOnReturn;
		this.capture = capture;
		this.callSites = callSites;
		this.longHoldThreshold = longHoldThreshold;
	}

	/**
	 * Return the current thread's record of the connections it holds from this pool.
	 * @return the holding, or {@code null} when holders are not tracked
	 */
	public @Nullable Holding holding() {
		return this.trackHolders ? this.holdings.get() : null;
	}

	/**
	 * Wrap a connection just borrowed from the pool and record its holder.
	 * @param connection the pool's connection
	 * @param holding the borrowing thread's {@link #holding()}
	 * @return the connection to hand to the caller
	 * @throws SQLException if the pool's connection cannot be unwrapped
	 */
	public Connection track(Connection connection, @Nullable Holding holding) throws SQLException {
		if (!this.trackHolders) {
			return new GuardedConnection(connection, this, null, null, null, 0, null);
		}
		Connection physical;
		try {
			physical = connection.unwrap(Connection.class);
		}
		catch (SQLException | RuntimeException ex) {
			connection.close();
			throw ex;
		}
		Slot slot = this.slots.get(physical);
		if (slot == null) {
			slot = this.slots.computeIfAbsent(physical, (key) -> new Slot());
		}
		BorrowSite site = capturesThisBorrow() ? new BorrowSite() : null;
		GuardedConnection guarded = new GuardedConnection(connection, this, slot, Thread.currentThread(), holding,
				this.clockNanos, site);
		if (holding != null) {
			holding.add(1);
		}
		slot.borrows++;
		slot.current = guarded;
		return guarded;
	}

	private boolean capturesThisBorrow() {
		switch (this.capture) {
			case ALWAYS:
				return true;
			case NEVER:
				return false;
			case ON_PRESSURE:
				return this.underPressure;
			default:
				if (this.underPressure || this.clockNanos - this.captureEveryBorrowUntil < 0) {
					return true;
				}
				AtomicInteger count = this.captured;
				int budget = this.captureBudget;
				return count.get() < budget && count.incrementAndGet() <= budget;
		}
	}

	/**
	 * Note that the current thread, which already holds a connection of this pool, is
	 * about to wait for another: counted, and reported with the holders until
	 * {@link #endNested()}.
	 */
	public void beginNested() {
		this.nested.increment();
		// where it waits is captured as a borrow's call site is, and at the same price
		this.nestedWaits.put(Thread.currentThread(), new NestedWait(capturesThisBorrow() ? new BorrowSite() : null));
	}

	/**
	 * Note that the current thread's nested acquisition ended, with a connection or not.
	 */
	public void endNested() {
		this.nestedWaits.remove(Thread.currentThread());
	}

	void released(GuardedConnection connection) {
		Holding holding = connection.holding;
		if (holding != null) {
			holding.add(-1);
		}
		Slot slot = connection.slot;
		if (slot == null) {
			return;
		}
		// Called once per wrapper, before the pool takes the connection back, so no new
		// holder can be in the slot yet; the count is published by the volatile write
		// that follows.
		slot.returns++;
		// The tracker's clock, as a borrow reads it: a return is never stamped later than
		// it happened. Opaque: atomic, without a fence on the return path.
		RETURNED_AT.setOpaque(slot, this.clockNanos);
		CURRENT.compareAndSet(slot, connection, null);
		BorrowSite site = connection.site;
		if (site != null) {
			// only borrows whose call site was captured: they paid for a stack already
			heldFor(site);
		}
		if (connection.longHoldReported) {
			Duration heldFor = Duration.ofNanos(tick() - connection.borrowedAtNanos);
			logger.info(this.poolName + " - connection held by thread '" + describe(connection.thread) + "'"
					+ describeCallSite(connection.callSite()) + " returned after " + HolderSummary.age(heldFor));
		}
	}

	private void heldFor(BorrowSite site) {
		LongConsumer holdTimes = this.holdTimes;
		if (holdTimes != null) {
			holdTimes.accept(System.nanoTime() - site.atNanos);
		}
	}

	/**
	 * Note that a returned connection came back broken: the pool had already closed it
	 * after a connection error, or it could not be cleaned up.
	 */
	void returnedBroken() {
		this.lastBrokenReturn = System.nanoTime();
	}

	/**
	 * Return when a tracked connection was last returned, broken or not, by the tracker's
	 * clock (never later than it happened, and at most one sample interval earlier).
	 * @return the time, as {@link System#nanoTime()} gives it, or empty when no tracked
	 * connection was ever returned (or holders are not tracked)
	 */
	public OptionalLong latestReturn() {
		Long pruned = this.prunedLatestReturn;
		boolean any = pruned != null;
		long latest = any ? pruned : 0;
		for (Slot slot : this.slots.values()) {
			if (slot.returns > 0) {
				long returnedAt = (long) RETURNED_AT.getOpaque(slot);
				if (!any || returnedAt - latest > 0) {
					latest = returnedAt;
					any = true;
				}
			}
		}
		return any ? OptionalLong.of(latest) : OptionalLong.empty();
	}

	/**
	 * Return when a connection was last returned in working order: the latest return,
	 * when no connection came back broken after it. The pool's own traffic is then the
	 * evidence that its database answers, and a health check need not ask it.
	 * @return the time, as {@link System#nanoTime()} gives it, or empty when the latest
	 * return may have come back broken, or none was tracked
	 */
	public OptionalLong latestHealthyReturn() {
		OptionalLong latest = latestReturn();
		Long broken = this.lastBrokenReturn;
		if (latest.isEmpty() || (broken != null && latest.getAsLong() - broken <= 0)) {
			return OptionalLong.empty();
		}
		return latest;
	}

	CallSites callSites() {
		return this.callSites;
	}

	boolean rollsBackOnReturn() {
		return this.rollbackOnReturn;
	}

	@Nullable String resetSql() {
		return this.resetSql;
	}

	/**
	 * Run a statement on every connection when it is returned, after the rollback, to
	 * reset session state HikariCP does not reset (for PostgreSQL, {@code DISCARD ALL}:
	 * search_path, SET ROLE, temporary tables, advisory locks, prepared statements).
	 * @param resetSql the statement, or {@code null} for none
	 */
	public void setResetSql(@Nullable String resetSql) {
		this.resetSql = resetSql;
	}

	/**
	 * Set what to add to the WARN line about a connection held past the long-hold
	 * threshold, from what its holder's thread is doing (for example blocked reading a
	 * socket that has no timeout).
	 * @param advice gives the advice for a holder's thread, or {@code null} for none
	 */
	public void setLongHoldAdvice(Function<Thread, @Nullable String> advice) {
		Assert.notNull(advice, "'advice' must not be null");
		this.longHoldAdvice = advice;
	}

	/**
	 * Be told how long each connection whose call site was captured was held, when it is
	 * returned (measured with {@link System#nanoTime()}, which the other borrows never
	 * read).
	 * @param holdTimes told the hold time in nanoseconds
	 */
	public void setHoldTimes(LongConsumer holdTimes) {
		this.holdTimes = holdTimes;
	}

	/**
	 * Tell the tracker whether the pool is short of connections, which switches call-site
	 * capture on in {@link CallSiteCapture#ON_PRESSURE} mode.
	 * @param underPressure whether the pool is at the warning level or above
	 */
	public void setUnderPressure(boolean underPressure) {
		this.underPressure = underPressure;
	}

	/**
	 * Return the current holders, the oldest first, each with where its thread is
	 * waiting for another connection of this pool, if it is.
	 * @return the holders
	 */
	public List<ConnectionHolder> holders() {
		long nowNanos = tick();
		Instant now = Instant.now();
		List<ConnectionHolder> holders = new ArrayList<>();
		for (Map.Entry<Connection, Slot> entry : this.slots.entrySet()) {
			GuardedConnection current = entry.getValue().current;
			if (current != null && current.isHeld(entry.getKey())) {
				holders.add(current.toHolder(nowNanos, now, waitingAt(current.thread)));
			}
		}
		holders.sort(Comparator.comparing(ConnectionHolder::heldFor).reversed());
		return holders;
	}

	private @Nullable String waitingAt(@Nullable Thread thread) {
		NestedWait wait = (thread != null) ? this.nestedWaits.get(thread) : null;
		if (wait == null) {
			return null;
		}
		BorrowSite recorded = wait.site();
		String site = (recorded != null) ? this.callSites.in(recorded.getStackTrace()) : null;
		return (site != null) ? site : "an unrecorded call site";
	}

	/**
	 * Return how long the oldest current holder has held its connection.
	 * @return the time, zero when nothing is held
	 */
	public Duration oldestHold() {
		long nowNanos = tick();
		long oldest = 0;
		for (Map.Entry<Connection, Slot> entry : this.slots.entrySet()) {
			GuardedConnection current = entry.getValue().current;
			if (current != null && current.isHeld(entry.getKey())) {
				oldest = Math.max(oldest, nowNanos - current.borrowedAtNanos);
			}
		}
		return Duration.ofNanos(oldest);
	}

	/**
	 * Log one WARN line for each connection held past the long-hold threshold, once per
	 * borrow, and drop what the pool no longer has. Run every sample interval.
	 */
	public void checkLongHolds() {
		long nowNanos = tick();
		renewCaptureBudget(nowNanos);
		long threshold = this.longHoldThreshold.toNanos();
		for (Map.Entry<Connection, Slot> entry : this.slots.entrySet()) {
			Slot slot = entry.getValue();
			GuardedConnection current = slot.current;
			if (current == null) {
				continue;
			}
			if (!current.isHeld(entry.getKey())) {
				// Closed behind the wrapper's back: no longer a holder, but its wrapper may
				// still be closed and counted, so the slot stays until then (or until it is
				// given up as abandoned).
				if (slot.deadSinceNanos == 0) {
					slot.deadSinceNanos = nowNanos;
				}
				continue;
			}
			long heldFor = nowNanos - current.borrowedAtNanos;
			if (heldFor >= threshold && !current.longHoldReported) {
				current.longHoldReported = true;
				this.longHolds.increment();
				String callSite = current.callSite();
				if (callSite == null) {
					escalate(nowNanos, heldFor);
				}
				String advice = (current.thread != null) ? this.longHoldAdvice.apply(current.thread) : null;
				logger.warn(this.poolName + " - connection held for " + HolderSummary.age(Duration.ofNanos(heldFor))
						+ " (poolwarden.tracking.long-hold-threshold=" + HolderSummary.age(this.longHoldThreshold)
						+ ") by thread '" + describe(current.thread) + "'" + describeCallSite(callSite)
						+ ((callSite != null) ? "" : whereNow(current.thread)) + ((advice != null) ? "; " + advice : ""));
			}
		}
		prune();
	}

	/**
	 * A new budget of captures for the time since the last tick, about
	 * {@value #ADAPTIVE_CAPTURES_PER_SECOND} a second.
	 */
	private void renewCaptureBudget(long nowNanos) {
		long elapsed = Math.max(0, nowNanos - this.lastTickNanos);
		this.lastTickNanos = nowNanos;
		long budget = ADAPTIVE_CAPTURES_PER_SECOND * elapsed / TimeUnit.SECONDS.toNanos(1);
		this.captureBudget = (int) Math.max(16, Math.min(ADAPTIVE_CAPTURES_PER_SECOND, budget));
		this.captured.set(0);
	}

	/**
	 * A connection whose call site was not captured has been held long: the next leaks
	 * of the same code will be, for a while.
	 */
	private void escalate(long nowNanos, long heldFor) {
		if (this.capture != CallSiteCapture.ADAPTIVE) {
			return;
		}
		boolean already = nowNanos - this.captureEveryBorrowUntil < 0;
		this.captureEveryBorrowUntil = nowNanos + ESCALATION_NANOS;
		if (!already) {
			logger.info(this.poolName + " - a connection borrowed without a recorded call site has been held "
					+ HolderSummary.age(Duration.ofNanos(heldFor)) + ": recording the call site of every borrow for "
					+ "the next 5 min");
		}
	}

	private long tick() {
		long now = System.nanoTime();
		this.clockNanos = now;
		return now;
	}

	/**
	 * Drop the slots of physical connections the pool has closed.
	 */
	public synchronized void prune() {
		long now = System.nanoTime();
		this.slots.entrySet().removeIf((entry) -> {
			Slot slot = entry.getValue();
			if (!isClosed(entry.getKey())) {
				return false;
			}
			boolean abandoned = slot.current != null && slot.deadSinceNanos != 0
					&& now - slot.deadSinceNanos > ABANDONED_AFTER_NANOS;
			if (slot.current == null || abandoned) {
				this.prunedBorrows.add(slot.borrows);
				this.prunedReturns.add(slot.returns);
				if (slot.returns > 0) {
					long returnedAt = (long) RETURNED_AT.getOpaque(slot);
					Long latest = this.prunedLatestReturn;
					if (latest == null || returnedAt - latest > 0) {
						this.prunedLatestReturn = returnedAt;
					}
				}
				if (abandoned) {
					this.abandoned.increment();
				}
				return true;
			}
			return false;
		});
	}

	private static boolean isClosed(Connection physical) {
		try {
			return physical.isClosed();
		}
		catch (SQLException ex) {
			return true;
		}
	}

	private String whereNow(@Nullable Thread thread) {
		if (thread == null) {
			return "";
		}
		if (!thread.isAlive()) {
			return " (the thread has ended: the connection was never closed)";
		}
		String now = this.callSites.in(thread.getStackTrace());
		return (now != null) ? ", thread now at " + now : "";
	}

	private static String describeCallSite(@Nullable String callSite) {
		return (callSite != null) ? " at " + callSite : "";
	}

	/**
	 * Describe a thread for a report: its name, or for a thread without one (as virtual
	 * threads are by default) {@code virtual thread #21} or {@code thread #21}.
	 * @param thread the thread
	 * @return the description
	 */
	@SuppressWarnings("deprecation")
	public static String describe(@Nullable Thread thread) {
		if (thread == null) {
			return "unknown";
		}
		String name = thread.getName();
		if (!name.isEmpty()) {
			return name;
		}
		boolean virtual = thread.getClass().getName().equals("java.lang.VirtualThread");
		return (virtual ? "virtual thread #" : "thread #") + thread.getId();
	}

	/**
	 * Return a one-line summary of the holders, grouped by call site, bounded in length.
	 * @param maxLength the longest summary
	 * @return the summary
	 */
	public String summary(int maxLength) {
		return HolderSummary.describe(holders(), maxLength);
	}

	/**
	 * Return how many connections were borrowed through the tracker.
	 * @return the count
	 */
	public synchronized long borrowed() {
		long sum = this.prunedBorrows.sum();
		for (Slot slot : this.slots.values()) {
			sum += slot.borrows;
		}
		return sum;
	}

	/**
	 * Return how many tracked connections were returned through the tracker.
	 * @return the count
	 */
	public synchronized long returned() {
		long sum = this.prunedReturns.sum();
		for (Slot slot : this.slots.values()) {
			sum += slot.returns;
		}
		return sum;
	}

	/**
	 * Return how many borrowed connections were given up: their physical connection
	 * was closed behind the wrapper's back (evicted, aborted, killed) and the wrapper was
	 * not closed within a minute. {@code borrowed = returned + abandoned + held}.
	 * @return the count
	 */
	public long abandoned() {
		return this.abandoned.sum();
	}

	/**
	 * Return how many connections were held past the long-hold threshold.
	 * @return the count
	 */
	public long longHolds() {
		return this.longHolds.sum();
	}

	/**
	 * Return how many acquisitions were made by a thread that already held a connection
	 * of this pool.
	 * @return the count
	 */
	public long nestedAcquisitions() {
		return this.nested.sum();
	}

	/**
	 * Return the registry's size: the physical connections it has a slot for.
	 * @return the size
	 */
	public int registrySize() {
		return this.slots.size();
	}

	/**
	 * Return whether holders are recorded.
	 * @return whether holders are tracked
	 */
	public boolean isTrackingHolders() {
		return this.trackHolders;
	}

	/**
	 * Return when call sites are captured.
	 * @return the capture mode
	 */
	public CallSiteCapture getCapture() {
		return this.capture;
	}

	/**
	 * How many connections of one pool a thread holds. Changed by the thread that
	 * borrows and by whichever thread returns.
	 */
	public static final class Holding {

		private static final VarHandle COUNT;

		static {
			try {
				COUNT = MethodHandles.lookup().findVarHandle(Holding.class, "count", int.class);
			}
			catch (ReflectiveOperationException ex) {
				throw new ExceptionInInitializerError(ex);
			}
		}

		private volatile int count;

		/**
		 * Whether the thread holds at least one connection of the pool.
		 * @return whether it holds one
		 */
		public boolean holdsOne() {
			return this.count > 0;
		}

		void add(int delta) {
			COUNT.getAndAdd(this, delta);
		}

	}

	/**
	 * A nested acquisition in progress: where it was asked for, when that was recorded.
	 */
	private record NestedWait(@Nullable BorrowSite site) {
	}

}
