package org.functorrent.storage.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntToLongFunction;

/**
 * The bytes of each piece that writes stored since the piece was last taken for verification, so
 * that a storage that closes before the pieces waiting for their hash check were checked can tell
 * which of them have every byte on disk. A write that failed takes its range out again: what it
 * left on disk is unknown. Thread-safe: blocks of one piece may be written on several threads at
 * once.
 */
final class WrittenRanges {
  /**
   * Beyond this many pieces in progress (about 150 bytes each), new pieces are not tracked: they
   * are not checked on close, only fetched again after a restart.
   */
  static final int MAX_PIECES = 16384;

  private final ConcurrentHashMap<Integer, ByteRanges> byPiece = new ConcurrentHashMap<>();

  /** {@code length} bytes were stored at {@code offset} of {@code piece}. */
  void written(int piece, long offset, long length) {
    ByteRanges ranges = byPiece.get(piece);
    if (ranges == null) {
      if (byPiece.size() >= MAX_PIECES) {
        return;
      }
      ranges = byPiece.computeIfAbsent(piece, p -> new ByteRanges());
    }
    synchronized (ranges) {
      ranges.add(offset, offset + length);
    }
  }

  /** A write of {@code length} bytes at {@code offset} failed: those bytes are unknown now. */
  void failed(int piece, long offset, long length) {
    ByteRanges ranges = byPiece.get(piece);
    if (ranges != null) {
      synchronized (ranges) {
        ranges.remove(offset, offset + length);
      }
    }
  }

  /** Forgets {@code piece}: it is being verified, and writes start afresh after this. */
  void forget(int piece) {
    byPiece.remove(piece);
  }

  /** The pieces whose every byte, {@code 0..size(piece)}, was written since they were taken. */
  List<Integer> wholePieces(IntToLongFunction size) {
    List<Integer> whole = new ArrayList<>();
    byPiece.forEach(
        (piece, ranges) -> {
          synchronized (ranges) {
            if (ranges.encloses(0, size.applyAsLong(piece))) {
              whole.add(piece);
            }
          }
        });
    whole.sort(null);
    return whole;
  }
}
