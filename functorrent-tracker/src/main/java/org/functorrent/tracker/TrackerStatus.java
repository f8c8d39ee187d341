package org.functorrent.tracker;

import static java.util.Objects.requireNonNull;

/**
 * What the announce loop knows about one tracker: not contacted yet, accepted our {@code started},
 * accepted our {@code completed}, or failed, with the reason.
 *
 * <p>The records write out {@code equals}, {@code hashCode} and {@code toString}, meaning what
 * the generated ones mean: the announce loop compares statuses on every download's start, and the
 * generated methods would make the JVM spin method-handle classes for it.
 */
public sealed interface TrackerStatus {
  /** Not contacted yet, or stopped. */
  TrackerStatus NONE = new None();

  /** Not contacted yet, or stopped. */
  record None() implements TrackerStatus {
    @Override
    public boolean equals(Object o) {
      return o instanceof None;
    }

    @Override
    public int hashCode() {
      return 0;
    }

    @Override
    public String toString() {
      return "None[]";
    }
  }

  /** The tracker accepted our {@code started} (and later regular announces). */
  record Started() implements TrackerStatus {
    @Override
    public boolean equals(Object o) {
      return o instanceof Started;
    }

    @Override
    public int hashCode() {
      return 0;
    }

    @Override
    public String toString() {
      return "Started[]";
    }
  }

  /** The tracker accepted our {@code completed}. */
  record Completed() implements TrackerStatus {
    @Override
    public boolean equals(Object o) {
      return o instanceof Completed;
    }

    @Override
    public int hashCode() {
      return 0;
    }

    @Override
    public String toString() {
      return "Completed[]";
    }
  }

  /**
   * The last announce to this tracker failed: the tracker's own {@code failure reason}, a timeout,
   * an unreachable host, or a malformed response with what was wrong.
   */
  record Error(String reason) implements TrackerStatus {
    public Error {
      requireNonNull(reason, "reason");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Error e && reason.equals(e.reason);
    }

    @Override
    public int hashCode() {
      return reason.hashCode();
    }

    @Override
    public String toString() {
      return "Error[reason=" + reason + "]";
    }
  }
}
