package org.functorrent.peer;

import static com.google.common.base.Preconditions.checkNotNull;

import io.netty.buffer.ByteBuf;

/**
 * A block a peer sent, for {@link PieceStore#writeBlocks}: {@code data}'s readable bytes belong at
 * {@code offset} in {@code piece}. The buffer stays the swarm's, as in {@link
 * PieceStore#writeBlock}.
 */
public record ReceivedBlock(int piece, int offset, ByteBuf data) {
  public ReceivedBlock {
    checkNotNull(data, "data");
  }
}
