package org.functorrent.peer.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the peer wire's length-prefixed frames and decodes each into a {@link PeerMessage} in one
 * step, straight from the received bytes: no frame buffer between the two, and one pipeline stage
 * instead of two on the path every block takes. Piece payloads are retained slices of what was
 * received, never copies. A length prefix above the limit fails at once, before its frame arrives,
 * with a {@link TooLongFrameException}; a frame that does not parse fails with a {@link
 * io.netty.handler.codec.CorruptedFrameException}. After a failure the rest of the input is
 * discarded (the connection is closing). One instance per channel.
 */
public final class MessageDecoder extends ByteToMessageDecoder {
  private static final int PREFIX = 4;

  private final int maxFrameLength;
  private boolean failed;

  /** A decoder that refuses frames longer than {@code maxFrameLength} bytes (prefix excluded). */
  public MessageDecoder(int maxFrameLength) {
    this.maxFrameLength = maxFrameLength;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    while (in.readableBytes() >= PREFIX) {
      int start = in.readerIndex();
      long length = in.getUnsignedInt(start);
      if (length > maxFrameLength) {
        failed = true;
        in.skipBytes(in.readableBytes());
        throw new TooLongFrameException(
            "frame of " + length + " bytes, more than " + maxFrameLength);
      }
      if (in.readableBytes() < PREFIX + length) {
        return;
      }
      int end = start + PREFIX + (int) length;
      in.readerIndex(start + PREFIX);
      PeerMessage message;
      try {
        message = MessageCodec.decode(in, (int) length);
      } catch (RuntimeException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        throw e;
      }
      in.readerIndex(end);
      if (message != null) {
        out.add(message);
      }
    }
  }
}
