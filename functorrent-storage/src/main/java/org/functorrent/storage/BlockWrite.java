package org.functorrent.storage;

import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.ByteBuffer;

/**
 * One block for {@link Storage#writeBlocks}: {@code data}'s remaining bytes, to be written at
 * {@code offset} in {@code piece}.
 */
public record BlockWrite(int piece, int offset, ByteBuffer data) {
  public BlockWrite {
    checkNotNull(data, "data");
  }
}
