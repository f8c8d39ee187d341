package org.functorrent.storage.internal;

import java.util.ArrayDeque;

/**
 * A few byte arrays of one size kept for reuse, so that a buffer needed over and over (a block
 * held for hashing, a read-back buffer) is not allocated, and zeroed, each time. At most {@code
 * retained} free arrays are kept; beyond that a returned array is left to the garbage collector.
 * Thread-safe.
 */
final class ArrayPool {
  private final int arrayLength;
  private final int retained;
  private final ArrayDeque<byte[]> free = new ArrayDeque<>();

  ArrayPool(int arrayLength, int retained) {
    this.arrayLength = arrayLength;
    this.retained = retained;
  }

  /** The length of every array of this pool. */
  int arrayLength() {
    return arrayLength;
  }

  /** A free array of {@link #arrayLength()} bytes, with any contents. */
  byte[] take() {
    synchronized (free) {
      byte[] array = free.pollFirst();
      if (array != null) {
        return array;
      }
    }
    return new byte[arrayLength];
  }

  /** Gives back an array from {@link #take()}; the caller must not use it after this. */
  void give(byte[] array) {
    if (array.length != arrayLength) {
      return;
    }
    synchronized (free) {
      if (free.size() < retained) {
        free.addFirst(array);
      }
    }
  }

  /** The number of free arrays kept now. */
  int freeCount() {
    synchronized (free) {
      return free.size();
    }
  }

  /** Drops every free array. */
  void clear() {
    synchronized (free) {
      free.clear();
    }
  }
}
