package org.functorrent.storage.internal;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SHA-1 of each partly written piece's leading bytes, fed as blocks are written front to
 * back, so that verifying a piece written in order does not read it back from disk. A block
 * written past the hashed prefix is left for the verification to read; a block written over the
 * hashed prefix discards the piece's running hash, since the bytes hashed may no longer be the
 * bytes stored. Thread-safe: blocks of one piece may be written on several threads at once.
 */
final class RunningHashes {
  /** Beyond this many pieces in progress, new pieces are hashed at verification only. */
  static final int MAX_PIECES = 4096;

  private final ConcurrentHashMap<Integer, Running> byPiece = new ConcurrentHashMap<>();

  /** The hash of a piece's first {@code hashed} bytes; {@code hashed < 0} once discarded. */
  static final class Running {
    final MessageDigest digest;
    long hashed;

    Running(MessageDigest digest) {
      this.digest = digest;
    }
  }

  /** {@code data} (its remaining bytes) was just stored at {@code offset} of {@code piece}. */
  void written(int piece, int offset, ByteBuffer data) {
    Running running = byPiece.get(piece);
    if (running == null) {
      if (offset != 0 || byPiece.size() >= MAX_PIECES) {
        return; // nothing to extend: the verification reads the piece
      }
      running = byPiece.computeIfAbsent(piece, p -> new Running(AbstractStorage.sha1()));
    }
    synchronized (running) {
      if (running.hashed < 0) {
        return;
      }
      if (offset == running.hashed) {
        running.hashed += data.remaining();
        running.digest.update(data);
      } else if (offset < running.hashed) {
        running.hashed = -1; // rewritten: the digest may not match the stored bytes
      }
    }
  }

  /**
   * A write at {@code offset} of {@code piece} failed: if it reached into the hashed prefix, the
   * bytes stored there are unknown now and the running hash is discarded.
   */
  void failed(int piece, long offset) {
    Running running = byPiece.get(piece);
    if (running != null) {
      synchronized (running) {
        if (offset < running.hashed) {
          running.hashed = -1;
        }
      }
    }
  }

  /**
   * Takes the running hash of {@code piece} for its verification, or null when there is none;
   * the piece starts afresh after this.
   */
  Running take(int piece) {
    Running running = byPiece.remove(piece);
    if (running == null) {
      return null;
    }
    synchronized (running) {
      return running.hashed > 0 ? running : null;
    }
  }

  /** Forgets every running hash (the storage is closing or the data moved). */
  void clear() {
    byPiece.clear();
  }
}
