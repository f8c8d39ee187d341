package org.functorrent.peer.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;

/** The 68-byte handshake: its decoder, and its bytes for writing. */
public final class HandshakeCodec {
  private static final byte[] PROTOCOL = Handshake.PROTOCOL.getBytes(StandardCharsets.US_ASCII);

  private HandshakeCodec() {}

  /** Writes a handshake. */
  public static void write(Handshake handshake, ByteBuf out) {
    out.writeByte(PROTOCOL.length);
    out.writeBytes(PROTOCOL);
    out.writeLong(handshake.reserved());
    out.writeBytes(handshake.infoHash().toByteArray());
    out.writeBytes(handshake.peerId().toByteArray());
  }

  /**
   * Our handshake as a buffer to write. There is no encoder in the pipeline: a connection sends
   * one handshake, and an encoder would stay for every later message of the connection, with a
   * type check that the JIT compiles into the write path of every message.
   */
  public static ByteBuf encode(ByteBufAllocator alloc, Handshake handshake) {
    ByteBuf out = alloc.buffer(Handshake.LENGTH);
    write(handshake, out);
    return out;
  }

  /**
   * Decodes one handshake, then removes itself: the bytes that follow it go on, in order, to the
   * handler after it (which installs the message decoders when it sees the handshake). A wrong
   * protocol string fails with a {@link CorruptedFrameException} as soon as its first wrong byte
   * arrives.
   *
   * <p>It removes itself only once the handshake has been passed on, not while decoding it: the
   * next handler installs the message decoder in front of itself as it takes the handshake, and
   * the bytes after the handshake must reach that decoder. A context removed during its own
   * decode keeps pointing at the handler that followed it then, and would hand them past it.
   */
  public static final class Decoder extends ByteToMessageDecoder {
    private boolean decoded;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      super.channelRead(ctx, msg);
      if (decoded && !ctx.isRemoved()) {
        ctx.pipeline().remove(this); // passes what is left of the input to the next handler
      }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (decoded) {
        return; // what follows the handshake waits here until this decoder is removed
      }
      int readable = Math.min(in.readableBytes(), 1 + PROTOCOL.length);
      int start = in.readerIndex();
      for (int i = 0; i < readable; i++) {
        int expected = i == 0 ? PROTOCOL.length : PROTOCOL[i - 1];
        if (in.getByte(start + i) != expected) {
          in.skipBytes(in.readableBytes());
          throw new CorruptedFrameException("not a BitTorrent handshake (byte " + i + ")");
        }
      }
      if (in.readableBytes() < Handshake.LENGTH) {
        return;
      }
      in.skipBytes(1 + PROTOCOL.length);
      long reserved = in.readLong();
      byte[] hash = new byte[InfoHash.LENGTH];
      in.readBytes(hash);
      byte[] id = new byte[PeerId.LENGTH];
      in.readBytes(id);
      out.add(new Handshake(reserved, InfoHash.of(hash), PeerId.of(id)));
      decoded = true;
    }
  }
}
