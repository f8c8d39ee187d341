package org.functorrent.peer.internal;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A block of a piece: piece index, byte offset in the piece and length.
 *
 * <p>{@code equals}, {@code hashCode} and {@code toString} are written out: a block is a hash key
 * on the per-block path, and the record's generated methods would make the JVM spin
 * method-handle classes at start-up (see {@code scripts/jit-log.sh}). They mean what the
 * generated ones mean.
 */
public record Block(int piece, int offset, int length) {
  /** The block size every client requests (BEP 3: 16 KiB). */
  public static final int SIZE = 16 * 1024;

  public Block {
    checkArgument(piece >= 0, "piece: %s (expected: >= 0)", piece);
    checkArgument(offset >= 0, "offset: %s (expected: >= 0)", offset);
    checkArgument(length >= 0, "length: %s (expected: >= 0)", length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Block b && piece == b.piece && offset == b.offset && length == b.length;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * piece + offset) + length;
  }

  @Override
  public String toString() {
    return "Block[piece=" + piece + ", offset=" + offset + ", length=" + length + "]";
  }
}
