package org.functorrent.peer.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;

/** Encoder and decoder of the 68-byte handshake. */
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

  /** Encodes {@link Handshake}s; stateless. */
  @Sharable
  public static final class Encoder extends MessageToByteEncoder<Handshake> {
    public Encoder() {
      super(Handshake.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Handshake msg, ByteBuf out) {
      HandshakeCodec.write(msg, out);
    }
  }

  /**
   * Decodes one handshake, then removes itself: the bytes that follow it go on, in order, to the
   * handler after it (which installs the message decoders when it sees the handshake). A wrong
   * protocol string fails with a {@link CorruptedFrameException} as soon as its first wrong byte
   * arrives.
   */
  public static final class Decoder extends ByteToMessageDecoder {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
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
      ctx.pipeline().remove(this);
    }
  }
}
