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

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Describes holders grouped by call site, the group with the oldest holder first:
 * {@code 12 held by ReportJob.export(ReportJob.java:88), oldest 47 s (threads report-1,
 * report-2, +10 more)}.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class HolderSummary {

	/**
	 * How holders without a captured call site are grouped.
	 */
	public static final String UNKNOWN_CALL_SITE = "an unrecorded call site";

	/**
	 * The call site of a connection the pool counts as active but no holder was recorded
	 * for: borrowed from HikariCP directly, past PoolWarden, or changing hands at the
	 * moment it was read.
	 */
	public static final String NO_RECORDED_HOLDER = "no recorded holder (borrowed from HikariCP directly, or "
			+ "changing hands)";

	/**
	 * The thread of a connection without a recorded holder.
	 */
	public static final String UNKNOWN_THREAD = "unknown";

	private static final int THREADS_SHOWN = 3;

	private HolderSummary() {
	}

	/**
	 * Make a list of holders agree with the pool's count of active connections, read at
	 * another moment: connections counted but not recorded are added as
	 * {@linkplain #NO_RECORDED_HOLDER holders without a record}; holders beyond the count
	 * (returned between the two readings) are dropped, the most recent first. So every
	 * report names exactly as many holders as it counts active connections.
	 * @param holders the recorded holders, the oldest first
	 * @param active the active count the report gives
	 * @return exactly {@code active} holders, the oldest first
	 */
	public static List<ConnectionHolder> reconcile(List<ConnectionHolder> holders, int active) {
		int count = Math.max(0, active);
		if (holders.size() == count) {
			return holders;
		}
		if (holders.size() > count) {
			return List.copyOf(holders.subList(0, count));
		}
		List<ConnectionHolder> reconciled = new ArrayList<>(holders);
		java.time.Instant now = java.time.Instant.now();
		while (reconciled.size() < count) {
			reconciled.add(new ConnectionHolder(UNKNOWN_THREAD, now, Duration.ZERO, NO_RECORDED_HOLDER, null));
		}
		return reconciled;
	}

	/**
	 * Describe holders on one line.
	 * @param holders the holders, oldest first
	 * @param maxLength the longest description: groups that do not fit are left out and
	 * counted (the count itself may pass the length slightly)
	 * @return the description, or {@code "no connection is held"}
	 */
	public static String describe(List<ConnectionHolder> holders, int maxLength) {
		if (holders.isEmpty()) {
			return "no connection is held";
		}
		List<String> groups = new ArrayList<>();
		String nested = nested(holders);
		if (nested != null) {
			groups.add(nested);
		}
		groups.addAll(lines(holders));
		String first = groups.get(0);
		StringBuilder summary = new StringBuilder(
				(first.length() > maxLength) ? first.substring(0, Math.max(0, maxLength - 1)) + "…" : first);
		for (int i = 1; i < groups.size(); i++) {
			String next = "; " + groups.get(i);
			String rest = "; +" + (groups.size() - i) + " more call sites";
			boolean last = (i == groups.size() - 1);
			if (summary.length() + next.length() + (last ? 0 : rest.length()) > maxLength) {
				summary.append(rest);
				break;
			}
			summary.append(next);
		}
		return summary.toString();
	}

	/**
	 * Describe the holders that are themselves waiting for another connection of the
	 * same pool, on one line.
	 * @param holders the holders
	 * @return the description, or {@code null} when no holder is waiting
	 */
	public static @Nullable String nested(List<ConnectionHolder> holders) {
		Map<String, List<ConnectionHolder>> byThread = new LinkedHashMap<>();
		for (ConnectionHolder holder : holders) {
			if (holder.isWaitingForAnother()) {
				byThread.computeIfAbsent(holder.thread(), (key) -> new ArrayList<>()).add(holder);
			}
		}
		if (byThread.isEmpty()) {
			return null;
		}
		int waiting = byThread.values().stream().mapToInt(List::size).sum();
		StringBuilder line = new StringBuilder().append(waiting)
			.append(" of ")
			.append(holders.size())
			.append((holders.size() == 1) ? " connection is" : " connections are")
			.append(" held by threads waiting for another connection of this pool (nested acquisition: the pool "
					+ "cannot free up while they wait): ");
		boolean first = true;
		for (Map.Entry<String, List<ConnectionHolder>> entry : byThread.entrySet()) {
			List<ConnectionHolder> held = entry.getValue();
			List<String> sites = held.stream()
				.map((holder) -> (holder.callSite() != null) ? holder.callSite() : UNKNOWN_CALL_SITE)
				.distinct()
				.toList();
			line.append(first ? "" : "; ")
				.append("thread ")
				.append(entry.getKey())
				.append(" holds ")
				.append(held.size())
				.append(" borrowed at ")
				.append(String.join(", ", sites))
				.append(" and waits at ")
				.append(held.get(0).waitingAt());
			first = false;
		}
		return line.toString();
	}

	/**
	 * Describe holders as one line per call site, the oldest group first, after a line
	 * naming the holders that wait for another connection, if any.
	 * @param holders the holders, oldest first
	 * @return the lines
	 */
	public static List<String> report(List<ConnectionHolder> holders) {
		List<String> report = new ArrayList<>();
		String nested = nested(holders);
		if (nested != null) {
			report.add(nested);
		}
		report.addAll(lines(holders));
		return report;
	}

	/**
	 * Describe holders as one line per call site, the oldest group first.
	 * @param holders the holders, oldest first
	 * @return the lines
	 */
	public static List<String> lines(List<ConnectionHolder> holders) {
		Map<String, List<ConnectionHolder>> groups = new LinkedHashMap<>();
		for (ConnectionHolder holder : holders) {
			String site = (holder.callSite() != null) ? holder.callSite() : UNKNOWN_CALL_SITE;
			groups.computeIfAbsent(site, (key) -> new ArrayList<>()).add(holder);
		}
		List<String> lines = new ArrayList<>();
		groups.forEach((site, group) -> {
			if (site.equals(NO_RECORDED_HOLDER)) {
				lines.add(group.size() + " with " + NO_RECORDED_HOLDER);
				return;
			}
			List<String> threads = group.stream().map(ConnectionHolder::thread).distinct().toList();
			String shown = String.join(", ", threads.subList(0, Math.min(THREADS_SHOWN, threads.size())))
					+ ((threads.size() > THREADS_SHOWN) ? ", +" + (threads.size() - THREADS_SHOWN) + " more" : "");
			lines.add(group.size() + " held by " + site + ", oldest " + age(group.get(0).heldFor()) + " (thread"
					+ ((threads.size() == 1) ? " " : "s ") + shown + ")");
		});
		return lines;
	}

	/**
	 * Describe a duration briefly: {@code 850 ms}, {@code 47 s}, {@code 12 min}.
	 * @param duration the duration
	 * @return the description
	 */
	public static String age(Duration duration) {
		long millis = duration.toMillis();
		if (millis < 1000) {
			return millis + " ms";
		}
		long seconds = duration.toSeconds();
		if (seconds < 600) {
			return seconds + " s";
		}
		return duration.toMinutes() + " min";
	}

}
