package org.functorrent.tracker;

import static java.util.Objects.requireNonNull;

/**
 * What the announce loop knows about one tracker: not contacted yet, accepted our {@code started},
 * accepted our {@code completed}, or failed, with the reason.
 */
public sealed interface TrackerStatus {
  /** Not contacted yet, or stopped. */
  TrackerStatus NONE = new None();

  /** Not contacted yet, or stopped. */
  record None() implements TrackerStatus {}

  /** The tracker accepted our {@code started} (and later regular announces). */
  record Started() implements TrackerStatus {}

  /** The tracker accepted our {@code completed}. */
  record Completed() implements TrackerStatus {}

  /**
   * The last announce to this tracker failed: the tracker's own {@code failure reason}, a timeout,
   * an unreachable host, or a malformed response with what was wrong.
   */
  record Error(String reason) implements TrackerStatus {
    public Error {
      requireNonNull(reason, "reason");
    }
  }
}
