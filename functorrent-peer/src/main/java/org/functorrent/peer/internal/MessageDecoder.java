package org.functorrent.peer.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Splits the peer wire's length-prefixed frames and decodes each into a {@link PeerMessage} in one
 * step, straight from the received buffers: the frames a socket read holds whole are decoded where
 * they lie, and piece payloads are retained slices of the received buffer, never copies. Only the
 * frame that a read cuts off is copied, into a buffer of its own that the next reads complete.
 *
 * <p>Not a {@code ByteToMessageDecoder}: that one gathers every read into one cumulation buffer,
 * and once a decoded block holds a slice of it (until the block is on disk, which is always, on a
 * download) it cannot append in place, so it copied every read, whole, into a new cumulation. That
 * was a second copy of every byte downloaded.
 *
 * <p>A length prefix above the limit fails at once, before its frame arrives, with a {@link
 * TooLongFrameException}; a frame that does not parse fails with a {@link
 * io.netty.handler.codec.CorruptedFrameException}; both are {@link DecoderException}s. After a
 * failure the rest of the input is discarded (the connection is closing). One instance per
 * channel.
 */
public final class MessageDecoder extends ChannelInboundHandlerAdapter {
  private static final int PREFIX = 4;

  private final int maxFrameLength;
  /** The start of a frame that the last read cut off, or null: at least its first byte. */
  private ByteBuf partial;
  private boolean failed;
  private boolean firedInThisBatch;

  /** A decoder that refuses frames longer than {@code maxFrameLength} bytes (prefix excluded). */
  public MessageDecoder(int maxFrameLength) {
    this.maxFrameLength = maxFrameLength;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      if (failed) {
        return;
      }
      if (partial != null && !completePartial(ctx, in)) {
        return;
      }
      while (in.readableBytes() >= PREFIX) {
        int length = frameLength(in.getUnsignedInt(in.readerIndex()));
        if (in.readableBytes() < PREFIX + length) {
          break;
        }
        fire(ctx, decodeFrame(in, length));
      }
      if (in.isReadable()) {
        keepPartial(ctx, in);
      }
    } catch (RuntimeException e) {
      fail();
      throw e instanceof DecoderException d ? d : new DecoderException(e);
    } finally {
      in.release();
    }
  }

  /**
   * Adds the start of {@code in} to the cut-off frame; true once that frame was whole and passed
   * on, with {@code in} positioned after it.
   */
  private boolean completePartial(ChannelHandlerContext ctx, ByteBuf in) {
    if (partial.readableBytes() < PREFIX) {
      partial.writeBytes(in, Math.min(PREFIX - partial.readableBytes(), in.readableBytes()));
      if (partial.readableBytes() < PREFIX) {
        return false;
      }
      int length = frameLength(partial.getUnsignedInt(partial.readerIndex()));
      ByteBuf frame = ctx.alloc().buffer(PREFIX + length, PREFIX + length);
      frame.writeBytes(partial);
      partial.release();
      partial = frame;
    }
    int length = partial.getInt(partial.readerIndex());
    int missing = PREFIX + length - partial.readableBytes();
    partial.writeBytes(in, Math.min(missing, in.readableBytes()));
    if (partial.readableBytes() < PREFIX + length) {
      return false;
    }
    ByteBuf frame = partial;
    partial = null;
    try {
      fire(ctx, decodeFrame(frame, length));
    } finally {
      frame.release(); // a piece keeps its slice retained
    }
    return true;
  }

  /** Copies what is left of {@code in}, the start of a frame, into a buffer sized for it. */
  private void keepPartial(ChannelHandlerContext ctx, ByteBuf in) {
    int readable = in.readableBytes();
    int capacity =
        readable >= PREFIX ? PREFIX + frameLength(in.getUnsignedInt(in.readerIndex())) : PREFIX;
    partial = ctx.alloc().buffer(capacity, capacity);
    partial.writeBytes(in, readable);
  }

  /** Decodes the frame at {@code in}'s reader index, of {@code length} bytes after its prefix. */
  private static PeerMessage decodeFrame(ByteBuf in, int length) {
    int end = in.readerIndex() + PREFIX + length;
    in.skipBytes(PREFIX);
    PeerMessage message = MessageCodec.decode(in, length);
    in.readerIndex(end);
    return message;
  }

  private int frameLength(long length) {
    if (length > maxFrameLength) {
      throw new TooLongFrameException("frame of " + length + " bytes, more than " + maxFrameLength);
    }
    return (int) length;
  }

  private void fire(ChannelHandlerContext ctx, PeerMessage message) {
    if (message != null) { // null: an unknown message, skipped
      firedInThisBatch = true;
      ctx.fireChannelRead(message);
    }
  }

  private void fail() {
    failed = true;
    releasePartial();
  }

  private void releasePartial() {
    if (partial != null) {
      partial.release();
      partial = null;
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // With reading paused, a batch that completed no message would leave the cut-off frame
    // waiting for a read nobody asks for: ask for it.
    if (!firedInThisBatch && !ctx.channel().config().isAutoRead()) {
      ctx.read();
    }
    firedInThisBatch = false;
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releasePartial();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releasePartial();
  }
}
