package org.functorrent.storage.internal;

import java.util.Arrays;

/**
 * A set of byte positions, kept as disjoint ranges {@code [start, end)} in ascending order with
 * touching ranges merged: blocks stored front to back stay one range that grows at its end, in
 * two arrays, without an object per range. Not thread-safe.
 */
final class ByteRanges {
  private long[] starts = new long[2];
  private long[] ends = new long[2];
  private int count;

  /** Adds the positions {@code start..end-1}. */
  void add(long start, long end) {
    if (start >= end) {
      return;
    }
    int last = count - 1;
    if (last >= 0 && start >= starts[last] && start <= ends[last]) {
      ends[last] = Math.max(ends[last], end); // the common case: at or within the last range
      return;
    }
    int from = firstEndingAtOrAfter(start);
    int to = from;
    while (to < count && starts[to] <= end) {
      to++;
    }
    // Ranges from..to-1 touch the new one: they become one range.
    long mergedStart = from < to ? Math.min(start, starts[from]) : start;
    long mergedEnd = from < to ? Math.max(end, ends[to - 1]) : end;
    replace(from, to, new long[] {mergedStart}, new long[] {mergedEnd}, 1);
  }

  /** Removes the positions {@code start..end-1}. */
  void remove(long start, long end) {
    if (start >= end) {
      return;
    }
    int from = firstEndingAtOrAfter(start + 1);
    int to = from;
    while (to < count && starts[to] < end) {
      to++;
    }
    if (from == to) {
      return;
    }
    long[] keptStarts = new long[2];
    long[] keptEnds = new long[2];
    int kept = 0;
    if (starts[from] < start) {
      keptStarts[kept] = starts[from];
      keptEnds[kept++] = start;
    }
    if (ends[to - 1] > end) {
      keptStarts[kept] = end;
      keptEnds[kept++] = ends[to - 1];
    }
    replace(from, to, keptStarts, keptEnds, kept);
  }

  /** Whether every position {@code start..end-1} is in the set. */
  boolean encloses(long start, long end) {
    if (start >= end) {
      return true;
    }
    int i = firstEndingAtOrAfter(start + 1);
    return i < count && starts[i] <= start && ends[i] >= end;
  }

  /** The number of disjoint ranges; for tests. */
  int rangeCount() {
    return count;
  }

  /** The first range whose end is at or after {@code position}, or {@code count}. */
  private int firstEndingAtOrAfter(long position) {
    int low = 0;
    int high = count;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (ends[mid] < position) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** Replaces ranges {@code from..to-1} with the first {@code n} of the given ones. */
  private void replace(int from, int to, long[] newStarts, long[] newEnds, int n) {
    int newCount = count - (to - from) + n;
    if (newCount > starts.length) {
      int capacity = Math.max(newCount, starts.length * 2);
      starts = Arrays.copyOf(starts, capacity);
      ends = Arrays.copyOf(ends, capacity);
    }
    System.arraycopy(starts, to, starts, from + n, count - to);
    System.arraycopy(ends, to, ends, from + n, count - to);
    System.arraycopy(newStarts, 0, starts, from, n);
    System.arraycopy(newEnds, 0, ends, from, n);
    count = newCount;
  }
}
