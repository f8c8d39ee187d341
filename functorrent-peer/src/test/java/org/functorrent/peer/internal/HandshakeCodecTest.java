package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.primitives.Bytes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandshakeCodecTest {
  static {
    NettyLeaks.install();
  }

  @AfterEach
  void noLeaks() {
    NettyLeaks.assertNoLeaks();
  }

  private static final byte[] HASH = filled(20, 0x11);
  private static final byte[] ID = filled(20, 0x22);

  private static byte[] filled(int n, int b) {
    byte[] a = new byte[n];
    Arrays.fill(a, (byte) b);
    return a;
  }

  /** BEP 3: 19, "BitTorrent protocol", 8 reserved bytes, info-hash, peer id. */
  private static byte[] wire(byte[] reserved) {
    ByteBuf b = Unpooled.buffer();
    b.writeByte(19).writeBytes("BitTorrent protocol".getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(reserved).writeBytes(HASH).writeBytes(ID);
    byte[] bytes = ByteBufUtil.getBytes(b);
    b.release();
    return bytes;
  }

  @Test
  void reservedBitsFromTheBeps() {
    // BEP 10: reserved_byte[5] & 0x10; BEP 6: reserved_byte[7] & 0x04; BEP 5: [7] & 0x01.
    byte[] reserved = {0, 0, 0, 0, 0, 0x10, 0, 0x05};
    EmbeddedChannel ch = new EmbeddedChannel(new HandshakeCodec.Decoder());
    ch.writeInbound(Unpooled.wrappedBuffer(wire(reserved)));
    Handshake h = ch.readInbound();
    assertThat(h.supportsExtensionProtocol()).isTrue();
    assertThat(h.supportsFastExtension()).isTrue();
    assertThat(h.supportsDht()).isTrue();
    assertThat(h.infoHash()).isEqualTo(InfoHash.of(HASH));
    assertThat(h.peerId()).isEqualTo(PeerId.of(ID));
    ByteBuf encoded = HandshakeCodec.encode(UnpooledByteBufAllocator.DEFAULT, h);
    assertThat(ByteBufUtil.getBytes(encoded)).isEqualTo(wire(reserved));
    encoded.release();
    Handshake plain = new Handshake(0, InfoHash.of(HASH), PeerId.of(ID));
    assertThat(plain.supportsExtensionProtocol() || plain.supportsFastExtension()).isFalse();
  }

  @Test
  void decoderRemovesItselfAndPassesTheRestOnAtEverySplitPoint() {
    byte[] rest = {0, 0, 0, 1, 2, 0, 0, 0, 0};
    byte[] all = Bytes.concat(wire(new byte[8]), rest);
    for (int split = 0; split <= all.length; split++) {
      EmbeddedChannel ch = new EmbeddedChannel(new HandshakeCodec.Decoder());
      ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(all, 0, split)));
      ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(all, split, all.length)));
      Object first = ch.readInbound();
      assertThat(first).isInstanceOf(Handshake.class);
      assertThat(ch.pipeline().get(HandshakeCodec.Decoder.class)).isNull();
      ByteBuf following = Unpooled.buffer();
      for (Object m; (m = ch.readInbound()) != null; ) {
        following.writeBytes((ByteBuf) m);
        ((ByteBuf) m).release();
      }
      assertThat(ByteBufUtil.getBytes(following)).as("split %s", split).isEqualTo(rest);
      following.release();
      assertThat(ch.finishAndReleaseAll()).isFalse();
    }
  }

  /**
   * The connection handler installs the message decoder in front of itself when it takes the
   * handshake; what followed the handshake in the same read must go through that decoder. (It
   * once reached the handler as raw bytes whenever no other handler sat between the two.)
   */
  @Test
  void bytesAfterTheHandshakeReachTheDecoderTheNextHandlerInstalls() {
    byte[] all = Bytes.concat(wire(new byte[8]), new byte[] {0, 0, 0, 5, 4, 0, 0, 0, 7});
    for (int split = Handshake.LENGTH; split <= all.length; split++) {
      List<Object> received = new ArrayList<>();
      ChannelInboundHandlerAdapter connection = new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (msg instanceof Handshake) {
            ctx.pipeline().addBefore(ctx.name(), "decoder", new MessageDecoder(1024));
          }
          received.add(msg);
        }
      };
      EmbeddedChannel ch = new EmbeddedChannel(new HandshakeCodec.Decoder(), connection);
      ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(all, 0, split)));
      ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(all, split, all.length)));
      assertThat(received).as("split %s", split).hasSize(2);
      assertThat(received.get(0)).isInstanceOf(Handshake.class);
      assertThat(received.get(1)).as("split %s", split).isEqualTo(new PeerMessage.Have(7));
      assertThat(ch.finishAndReleaseAll()).isFalse();
    }
  }

  @Test
  void wrongProtocolFailsOnTheFirstWrongByte() {
    EmbeddedChannel ch = new EmbeddedChannel(new HandshakeCodec.Decoder());
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {19, 'B', 'i'}));
    assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {'x'})))
        .isInstanceOf(DecoderException.class);
    EmbeddedChannel http = new EmbeddedChannel(new HandshakeCodec.Decoder());
    assertThatThrownBy(() -> http.writeInbound(Unpooled.wrappedBuffer("GET /".getBytes(
        StandardCharsets.US_ASCII)))).isInstanceOf(DecoderException.class);
  }
}
