package org.functorrent.storage.internal;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The SHA-1 of each partly written piece's leading bytes, fed as blocks are written, so that
 * verifying a piece does not read it back from disk.
 *
 * <p>A block written at the end of the hashed prefix extends it. A block written past it (peers
 * send the blocks of a piece in any order) is copied and held until the gap before it is filled;
 * then it is fed to the digest in order and its copy dropped. The copies of all pieces together
 * stay within a budget of bytes: a block that does not fit makes its piece give up holding (its
 * held blocks are dropped and it is never held again until it is taken), and the verification
 * reads back from disk what was neither hashed nor held.
 *
 * <p>What is hashed or held is always what is stored: a block written over the hashed prefix
 * discards the piece's running hash and held blocks, since the bytes hashed may no longer be the
 * bytes stored; a block written over a held one drops the held copy; a failed write discards
 * what it touched. Thread-safe: each piece's state is guarded by its own monitor.
 */
final class RunningHashes {
  /** Beyond this many pieces in progress, new pieces are hashed at verification only. */
  static final int MAX_PIECES = 4096;

  /** The length of the pooled arrays that hold blocks: the usual block size of BitTorrent. */
  static final int HELD_ARRAY = 16 * 1024;

  /**
   * Free held arrays kept for reuse, at most (2 MiB): enough for two whole 1 MiB pieces out of
   * order at once, which took the allocations of a shuffled 1 GiB write from 175 MiB to 65 MiB.
   */
  private static final int RETAINED_ARRAYS = 128;

  private final ConcurrentHashMap<Integer, Running> byPiece = new ConcurrentHashMap<>();
  private final long budget;
  private final AtomicLong held = new AtomicLong();
  private final ArrayPool arrays;

  /** @param budget the bytes that held copies may take, all pieces together; 0 holds none */
  RunningHashes(long budget) {
    this.budget = budget;
    this.arrays =
        new ArrayPool(HELD_ARRAY, (int) Math.min(RETAINED_ARRAYS, budget / HELD_ARRAY));
  }

  /** A copy of a block written past the hashed prefix; {@code bytes} may be longer. */
  static final class Held {
    final byte[] bytes;
    final int length;

    Held(byte[] bytes, int length) {
      this.bytes = bytes;
      this.length = length;
    }
  }

  /**
   * The hash of a piece's first {@code hashed} bytes ({@code < 0} once discarded) and the blocks
   * held past it in order of offset, none overlapping another and none before {@code hashed}. Once
   * {@link #take taken}, nothing changes it any more and it belongs to the verification.
   *
   * <p>The held blocks are two sorted arrays, not a sorted map: this runs for every block written,
   * and a map made a boxed key, an entry, and views and iterators to find overlaps.
   */
  static final class Running {
    private static final int[] NO_OFFSETS = new int[0];
    private static final Held[] NO_BLOCKS = new Held[0];

    final MessageDigest digest;
    long hashed;
    private int[] heldAt = NO_OFFSETS;
    private Held[] heldBlocks = NO_BLOCKS;
    private int heldCount;
    private boolean spilled;
    private boolean taken;

    Running(MessageDigest digest) {
      this.digest = digest;
    }

    /** The number of blocks held. */
    int heldCount() {
      return heldCount;
    }

    /** The offset of the {@code i}-th held block, in order of offset. */
    int heldOffset(int i) {
      return heldAt[i];
    }

    /** The {@code i}-th held block, in order of offset. */
    Held heldBlock(int i) {
      return heldBlocks[i];
    }

    /** The index of the first held block that ends after {@code from}. */
    private int firstEndingAfter(long from) {
      int lo = 0;
      int hi = heldCount;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (heldAt[mid] + (long) heldBlocks[mid].length > from) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return lo;
    }

    /** The index of the first held block that starts at or after {@code at}, from {@code lo}. */
    private int firstStartingAtOrAfter(int lo, long at) {
      int hi = heldCount;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (heldAt[mid] >= at) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return lo;
    }

    /** Holds {@code block} at {@code offset}, which no held block overlaps. */
    private void insert(int offset, Held block) {
      int i = firstStartingAtOrAfter(0, offset);
      if (heldCount == heldAt.length) {
        int grown = Math.max(4, heldCount * 2);
        heldAt = Arrays.copyOf(heldAt, grown);
        heldBlocks = Arrays.copyOf(heldBlocks, grown);
      }
      System.arraycopy(heldAt, i, heldAt, i + 1, heldCount - i);
      System.arraycopy(heldBlocks, i, heldBlocks, i + 1, heldCount - i);
      heldAt[i] = offset;
      heldBlocks[i] = block;
      heldCount++;
    }

    /** Forgets the held blocks {@code from} (inclusive) to {@code to} (exclusive), by index. */
    private void removeRange(int from, int to) {
      System.arraycopy(heldAt, to, heldAt, from, heldCount - to);
      System.arraycopy(heldBlocks, to, heldBlocks, from, heldCount - to);
      Arrays.fill(heldBlocks, heldCount - (to - from), heldCount, null);
      heldCount -= to - from;
    }
  }

  /** {@code data} (its remaining bytes) was just stored at {@code offset} of {@code piece}. */
  void written(int piece, int offset, ByteBuffer data) {
    if (!data.hasRemaining()) {
      return; // nothing stored, nothing changed
    }
    Running running = byPiece.get(piece);
    if (running == null) {
      if (byPiece.size() >= MAX_PIECES) {
        return; // the verification reads the piece
      }
      running = byPiece.computeIfAbsent(piece, p -> new Running(AbstractStorage.sha1()));
    }
    synchronized (running) {
      if (running.taken || running.hashed < 0) {
        return;
      }
      int length = data.remaining();
      if (offset < running.hashed) {
        discard(running); // rewritten: the digest may not match the stored bytes
        return;
      }
      drop(running, offset, offset + (long) length);
      if (offset == running.hashed) {
        running.digest.update(data);
        running.hashed += length;
        drain(running);
      } else if (!running.spilled) {
        hold(running, offset, data);
      }
    }
  }

  /**
   * A write of {@code length} bytes at {@code offset} of {@code piece} failed: the bytes stored
   * there are unknown now. If it reached into the hashed prefix, the running hash is discarded;
   * held copies of those bytes are dropped.
   */
  void failed(int piece, long offset, long length) {
    Running running = byPiece.get(piece);
    if (running != null) {
      synchronized (running) {
        if (running.taken) {
          return;
        }
        if (offset < running.hashed) {
          discard(running);
        } else {
          drop(running, offset, offset + length);
        }
      }
    }
  }

  /**
   * Takes the running hash of {@code piece} for its verification, or null when there is none;
   * the piece starts afresh after this. The caller hashes the held blocks and reads the rest,
   * then gives it back to {@link #release}.
   */
  Running take(int piece) {
    Running running = byPiece.remove(piece);
    if (running == null) {
      return null;
    }
    synchronized (running) {
      running.taken = true;
      if (running.hashed >= 0) {
        return running;
      }
    }
    return null;
  }

  /** Gives back the held arrays of a running hash from {@link #take}. */
  void release(Running running) {
    synchronized (running) {
      dropAll(running);
    }
  }

  /** Forgets the running hash of {@code piece}, if any, and what it holds. */
  void forget(int piece) {
    Running running = byPiece.remove(piece);
    if (running != null) {
      synchronized (running) {
        running.taken = true;
        dropAll(running);
      }
    }
  }

  /** Forgets every running hash and what they hold (the storage is closing or the data moved). */
  void clear() {
    for (Integer piece : byPiece.keySet()) {
      forget(piece);
    }
    arrays.clear();
  }

  /** The bytes held now, in the arrays that hold them. */
  long heldBytes() {
    return held.get();
  }

  /** The free arrays kept for reuse now. */
  int pooledArrays() {
    return arrays.freeCount();
  }

  private void hold(Running running, int offset, ByteBuffer data) {
    int length = data.remaining();
    int capacity = Math.max(length, HELD_ARRAY);
    if (!reserve(capacity)) {
      running.spilled = true; // past the budget: this piece is read back from its first gap
      dropAll(running);
      return;
    }
    byte[] bytes = capacity == HELD_ARRAY ? arrays.take() : new byte[capacity];
    data.duplicate().get(bytes, 0, length);
    running.insert(offset, new Held(bytes, length));
  }

  private boolean reserve(long bytes) {
    long now;
    do {
      now = held.get();
      if (now + bytes > budget) {
        return false;
      }
    } while (!held.compareAndSet(now, now + bytes));
    return true;
  }

  /** Feeds the held blocks that now follow the hashed prefix to the digest. */
  private void drain(Running running) {
    int n = 0;
    while (n < running.heldCount && running.heldAt[n] == running.hashed) {
      Held block = running.heldBlocks[n++];
      running.digest.update(block.bytes, 0, block.length);
      running.hashed += block.length;
      give(block);
    }
    if (n > 0) {
      running.removeRange(0, n);
    }
  }

  /** Drops the held blocks that overlap bytes {@code from..to}. */
  private void drop(Running running, long from, long to) {
    if (running.heldCount == 0) {
      return;
    }
    // Sorted and apart, the blocks that overlap are those from the first ending after from to
    // the last starting before to.
    int first = running.firstEndingAfter(from);
    int end = running.firstStartingAtOrAfter(first, to);
    if (first < end) {
      for (int i = first; i < end; i++) {
        give(running.heldBlocks[i]);
      }
      running.removeRange(first, end);
    }
  }

  private void discard(Running running) {
    running.hashed = -1;
    dropAll(running);
  }

  private void dropAll(Running running) {
    for (int i = 0; i < running.heldCount; i++) {
      give(running.heldBlocks[i]);
    }
    running.removeRange(0, running.heldCount);
  }

  private void give(Held block) {
    held.addAndGet(-block.bytes.length);
    arrays.give(block.bytes);
  }
}
