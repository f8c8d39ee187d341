package org.functorrent.peer.internal;

import static com.google.common.base.Preconditions.checkArgument;

/** A block of a piece: piece index, byte offset in the piece and length. */
public record Block(int piece, int offset, int length) {
  /** The block size every client requests (BEP 3: 16 KiB). */
  public static final int SIZE = 16 * 1024;

  public Block {
    checkArgument(piece >= 0, "piece: %s (expected: >= 0)", piece);
    checkArgument(offset >= 0, "offset: %s (expected: >= 0)", offset);
    checkArgument(length >= 0, "length: %s (expected: >= 0)", length);
  }
}
