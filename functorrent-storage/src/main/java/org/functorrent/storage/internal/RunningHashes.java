package org.functorrent.storage.internal;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
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
   * held past it by offset, none overlapping another and none before {@code hashed}. Once {@link
   * #take taken}, nothing changes it any more and it belongs to the verification.
   */
  static final class Running {
    final MessageDigest digest;
    long hashed;
    final TreeMap<Integer, Held> pending = new TreeMap<>();
    private boolean spilled;
    private boolean taken;

    Running(MessageDigest digest) {
      this.digest = digest;
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
    running.pending.put(offset, new Held(bytes, length));
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
    Map.Entry<Integer, Held> first = running.pending.firstEntry();
    while (first != null && first.getKey() == running.hashed) {
      running.pending.pollFirstEntry();
      Held block = first.getValue();
      running.digest.update(block.bytes, 0, block.length);
      running.hashed += block.length;
      give(block);
      first = running.pending.firstEntry();
    }
  }

  /** Drops the held blocks that overlap bytes {@code from..to}. */
  private void drop(Running running, long from, long to) {
    if (running.pending.isEmpty()) {
      return;
    }
    Map.Entry<Integer, Held> before = running.pending.lowerEntry((int) from);
    if (before != null && before.getKey() + (long) before.getValue().length > from) {
      running.pending.remove(before.getKey());
      give(before.getValue());
    }
    NavigableMap<Integer, Held> inside =
        running.pending.subMap((int) from, true, (int) Math.min(to, Integer.MAX_VALUE), false);
    for (Iterator<Held> it = inside.values().iterator(); it.hasNext(); ) {
      give(it.next());
      it.remove();
    }
  }

  private void discard(Running running) {
    running.hashed = -1;
    dropAll(running);
  }

  private void dropAll(Running running) {
    for (Held block : running.pending.values()) {
      give(block);
    }
    running.pending.clear();
  }

  private void give(Held block) {
    held.addAndGet(-block.bytes.length);
    arrays.give(block.bytes);
  }
}
