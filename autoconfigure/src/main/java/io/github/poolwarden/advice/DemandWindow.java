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

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * Demand over a rolling window, kept as {@value #SLICES} slices: the oldest slice leaves
 * the window whole, so the window is between its length and one slice longer. Each
 * sample is weighted by the time since the previous one (time-weighted demand), and each
 * holder seen at a sample adds that time to its call site's connection-time. Used by the
 * watch's thread only.
 *
 * @author PoolWarden authors
 */
final class DemandWindow {

	static final int SLICES = 20;

	/**
	 * The call sites kept per slice; connection-time of others counts as
	 * {@link #OTHER_SITES}.
	 */
	private static final int SITES_PER_SLICE = 32;

	static final String UNRECORDED = "an unrecorded call site";

	static final String OTHER_SITES = "other call sites";

	private final long windowNanos;

	private final long sliceNanos;

	private final ArrayDeque<Slice> slices = new ArrayDeque<>();

	private final long leakAfterNanos;

	private @Nullable DemandSample previous;

	/**
	 * Create a window.
	 * @param windowNanos its length
	 * @param leakAfterNanos from how long a hold counts as a leak
	 */
	DemandWindow(long windowNanos, long leakAfterNanos) {
		this.windowNanos = windowNanos;
		this.leakAfterNanos = leakAfterNanos;
		this.sliceNanos = Math.max(1, windowNanos / SLICES);
	}

	long windowNanos() {
		return this.windowNanos;
	}

	/**
	 * Add a sample, with what was counted since the previous one.
	 * @param sample the sample
	 * @param holds hold times drained since the previous sample
	 * @param waits waits drained since the previous sample (acquisitions that found the
	 * pool exhausted)
	 * @param timeouts callers that gave up since the previous sample
	 */
	void add(DemandSample sample, long[] holds, long[] waits, long timeouts) {
		DemandSample previous = this.previous;
		this.previous = sample;
		Slice slice = sliceAt(sample.nanoTime());
		addAll(slice.holds, holds);
		addAll(slice.waits, waits);
		slice.timeouts += timeouts;
		if (previous == null) {
			return;
		}
		long elapsed = sample.nanoTime() - previous.nanoTime();
		if (elapsed <= 0) {
			return;
		}
		slice.observedNanos += elapsed;
		slice.demand.merge(sample.demand(), elapsed, Long::sum);
		slice.demandMax = Math.max(slice.demandMax, sample.demand());
		slice.activeNanos += (double) sample.active() * elapsed;
		slice.waitingNanos += (double) sample.waiting() * elapsed;
		if (sample.demand() > sample.max()) {
			slice.saturatedNanos += elapsed;
		}
		if (sample.borrows() >= 0 && previous.borrows() >= 0) {
			slice.borrows += Math.max(0, sample.borrows() - previous.borrows());
			slice.borrowsCounted = true;
		}
		slice.nested += Math.max(0, sample.nested() - previous.nested());
		Set<String> threads = new HashSet<>();
		for (DemandSample.Held held : sample.holders()) {
			threads.add(held.thread());
			// the tracker's clock advances at each sample, so a holder's age is known to
			// within the time since the previous one: count the least it can be
			long age = Math.max(0, held.heldNanos() - elapsed);
			String site = (held.callSite() != null) ? held.callSite() : UNRECORDED;
			slice.connectionNanos += elapsed;
			SiteTime time = slice.sites.get(site);
			if (time == null) {
				site = (slice.sites.size() < SITES_PER_SLICE) ? site : OTHER_SITES;
				time = slice.sites.computeIfAbsent(site, (key) -> new SiteTime());
			}
			time.nanos += elapsed;
			time.ageSamples++;
			time.ageNanos += age;
			if (age >= this.leakAfterNanos) {
				time.longHeldNanos += elapsed;
			}
			if (held.waitingAt() != null) {
				slice.nestedSites.add(held.waitingAt() + " (holding one from " + site + ")");
			}
		}
		if (!sample.holders().isEmpty()) {
			slice.threadsMax = Math.max(slice.threadsMax, threads.size() + sample.waiting());
		}
	}

	/**
	 * Add a sample of the pool's sessions in the database.
	 * @param nanoTime when
	 * @param sessions the sessions seen
	 * @param waitingOnLock of those, the ones waiting on a lock
	 */
	void addLockSample(long nanoTime, int sessions, int waitingOnLock) {
		Slice slice = sliceAt(nanoTime);
		slice.lockSessions += sessions;
		slice.lockWaiting += waitingOnLock;
	}

	private Slice sliceAt(long nanoTime) {
		Slice last = this.slices.peekLast();
		if (last == null || nanoTime - last.start >= this.sliceNanos) {
			last = new Slice(nanoTime);
			this.slices.addLast(last);
		}
		while (!this.slices.isEmpty() && nanoTime - this.slices.peekFirst().start >= this.windowNanos + this.sliceNanos) {
			this.slices.removeFirst();
		}
		return last;
	}

	/**
	 * Sum up the window as it stands.
	 * @param nanoTime now
	 * @param measuresWaits whether waits are measured (the retry is on)
	 * @param serverBudget what the server can give this instance, or {@code null}
	 * @param workerCeiling the most threads that can ask at once, or {@code null}
	 * @return the demand
	 */
	Demand demand(long nanoTime, boolean measuresWaits, @Nullable Integer serverBudget, @Nullable Integer workerCeiling) {
		sliceAt(nanoTime);
		long observed = 0;
		long borrows = 0;
		boolean borrowsCounted = false;
		long timeouts = 0;
		long nested = 0;
		long saturated = 0;
		double activeNanos = 0;
		double waitingNanos = 0;
		long connectionNanos = 0;
		long lockSessions = 0;
		long lockWaiting = 0;
		long[] holds = new long[Durations.BUCKETS];
		long[] waits = new long[Durations.BUCKETS];
		TreeMap<Integer, Long> demand = new TreeMap<>();
		int demandMax = 0;
		int threadsMax = 0;
		Map<String, SiteTime> sites = new HashMap<>();
		Set<String> nestedSites = new LinkedHashSet<>();
		for (Slice slice : this.slices) {
			observed += slice.observedNanos;
			borrows += slice.borrows;
			borrowsCounted |= slice.borrowsCounted;
			timeouts += slice.timeouts;
			nested += slice.nested;
			saturated += slice.saturatedNanos;
			activeNanos += slice.activeNanos;
			waitingNanos += slice.waitingNanos;
			connectionNanos += slice.connectionNanos;
			lockSessions += slice.lockSessions;
			lockWaiting += slice.lockWaiting;
			addAll(holds, slice.holds);
			addAll(waits, slice.waits);
			slice.demand.forEach((value, nanos) -> demand.merge(value, nanos, Long::sum));
			demandMax = Math.max(demandMax, slice.demandMax);
			threadsMax = Math.max(threadsMax, slice.threadsMax);
			slice.sites.forEach((site, time) -> sites.computeIfAbsent(site, (key) -> new SiteTime()).add(time));
			nestedSites.addAll(slice.nestedSites);
		}
		double seconds = observed / 1e9;
		double borrowsPerSecond = (borrowsCounted && seconds > 0) ? borrows / seconds : 0;
		Long holdMean = (borrows > 0 && seconds > 0) ? Math.round(activeNanos / borrows / 1e6) : null;
		Long waitMean = (borrows > 0 && seconds > 0) ? Math.round(waitingNanos / borrows / 1e6) : null;
		Long waitP99 = measuresWaits ? millis(Durations.quantile(waits, Math.max(0, borrows - Durations.total(waits)), 0.99))
				: null;
		List<Evidence.CallSiteShare> top = topSites(sites, connectionNanos);
		Evidence evidence = new Evidence(TimeUnit.NANOSECONDS.toSeconds(observed),
				Math.round(borrowsPerSecond * 10) / 10.0, millis(Durations.quantile(holds, 0, 0.5)),
				millis(Durations.quantile(holds, 0, 0.99)), holdMean, quantile(demand, 0.5), quantile(demand, 0.99),
				demandMax, waitMean, waitP99, timeouts, nested, serverBudget, workerCeiling,
				(lockSessions > 0) ? Math.round(1000.0 * lockWaiting / lockSessions) / 1000.0 : null, top);
		String leakSite = null;
		double leakShare = 0;
		for (Map.Entry<String, SiteTime> entry : sites.entrySet()) {
			double share = (connectionNanos > 0) ? (double) entry.getValue().longHeldNanos / connectionNanos : 0;
			if (share > leakShare) {
				leakShare = share;
				leakSite = entry.getKey();
			}
		}
		return new Demand(evidence, this.windowNanos, this.leakAfterNanos, observed, borrows, saturated, leakSite, leakShare,
				nestedSites.isEmpty() ? null : nestedSites.iterator().next(), (threadsMax > 0) ? threadsMax : demandMax,
				throughputFlatAsActiveRises());
	}

	/**
	 * Whether more active connections brought no more borrows per second: across the
	 * slices in which callers waited, the half with the most active connections had at
	 * least 1.5 times as many active as the other half, and less than 1.2 times its
	 * borrows per second.
	 */
	private boolean throughputFlatAsActiveRises() {
		List<Slice> busy = new ArrayList<>();
		for (Slice slice : this.slices) {
			if (slice.observedNanos > 0 && slice.borrowsCounted && slice.borrows > 0 && slice.saturatedNanos > 0) {
				busy.add(slice);
			}
		}
		if (busy.size() < 4) {
			return false;
		}
		busy.sort(Comparator.comparingDouble(Slice::activeMean));
		List<Slice> low = busy.subList(0, busy.size() / 2);
		List<Slice> high = busy.subList(busy.size() - busy.size() / 2, busy.size());
		double lowActive = low.stream().mapToDouble(Slice::activeMean).average().orElse(0);
		double highActive = high.stream().mapToDouble(Slice::activeMean).average().orElse(0);
		double lowRate = low.stream().mapToDouble(Slice::rate).average().orElse(0);
		double highRate = high.stream().mapToDouble(Slice::rate).average().orElse(0);
		return lowActive > 0 && highActive >= 1.5 * lowActive && highRate < 1.2 * lowRate;
	}

	private static List<Evidence.CallSiteShare> topSites(Map<String, SiteTime> sites, long connectionNanos) {
		if (connectionNanos <= 0) {
			return List.of();
		}
		return sites.entrySet()
			.stream()
			.sorted(Map.Entry.<String, SiteTime>comparingByValue(Comparator.comparingLong((time) -> time.nanos))
				.reversed())
			.limit(3)
			.map((entry) -> new Evidence.CallSiteShare(entry.getKey(),
					Math.round(1000.0 * entry.getValue().nanos / connectionNanos) / 1000.0,
					TimeUnit.NANOSECONDS.toMillis(entry.getValue().ageNanos / Math.max(1, entry.getValue().ageSamples))))
			.toList();
	}

	private static int quantile(TreeMap<Integer, Long> weights, double quantile) {
		long total = 0;
		for (long nanos : weights.values()) {
			total += nanos;
		}
		if (total == 0) {
			return 0;
		}
		double rank = quantile * total;
		long seen = 0;
		for (Map.Entry<Integer, Long> entry : weights.entrySet()) {
			seen += entry.getValue();
			if (seen >= rank) {
				return entry.getKey();
			}
		}
		return weights.lastKey();
	}

	private static @Nullable Long millis(long nanos) {
		return (nanos < 0) ? null : Math.round(nanos / 1e6);
	}

	private static void addAll(long[] into, long[] counts) {
		for (int i = 0; i < into.length; i++) {
			into[i] += counts[i];
		}
	}

	/**
	 * The window summed up: the evidence, and what the rules need beyond it.
	 *
	 * @param evidence the evidence
	 * @param windowNanos the window's length
	 * @param leakAfterNanos from how long a hold counts as a leak
	 * @param observedNanos how much of it was observed
	 * @param borrows borrows in it
	 * @param saturatedNanos time in which callers waited
	 * @param leakSite the call site with the largest share of connection-time held past
	 * the leak threshold
	 * @param leakShare that share
	 * @param nestedSite where a thread holding a connection waited for another, if seen
	 * @param threads the most threads seen holding or waiting for connections at once
	 * (the demand max when holders are not tracked)
	 * @param throughputFlat whether more active connections brought no more throughput
	 */
	record Demand(Evidence evidence, long windowNanos, long leakAfterNanos, long observedNanos, long borrows, long saturatedNanos,
			@Nullable String leakSite, double leakShare, @Nullable String nestedSite, int threads,
			boolean throughputFlat) {
	}

	private static final class SiteTime {

		long nanos;

		long longHeldNanos;

		long ageNanos;

		long ageSamples;

		void add(SiteTime other) {
			this.nanos += other.nanos;
			this.longHeldNanos += other.longHeldNanos;
			this.ageNanos += other.ageNanos;
			this.ageSamples += other.ageSamples;
		}

	}

	private static final class Slice {

		final long start;

		long observedNanos;

		final Map<Integer, Long> demand = new HashMap<>();

		int demandMax;

		int threadsMax;

		double activeNanos;

		double waitingNanos;

		long saturatedNanos;

		long borrows;

		boolean borrowsCounted;

		long timeouts;

		long nested;

		long connectionNanos;

		int lockSessions;

		int lockWaiting;

		final long[] holds = new long[Durations.BUCKETS];

		final long[] waits = new long[Durations.BUCKETS];

		final Map<String, SiteTime> sites = new HashMap<>();

		final Set<String> nestedSites = new LinkedHashSet<>();

		Slice(long start) {
			this.start = start;
		}

		double activeMean() {
			return this.activeNanos / this.observedNanos;
		}

		double rate() {
			return this.borrows * 1e9 / this.observedNanos;
		}

	}

}
