package org.functorrent.peer.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.functorrent.peer.internal.MetadataMessage.Data;
import org.functorrent.peer.internal.MetadataMessage.Reject;
import org.functorrent.peer.internal.MetadataMessage.Request;
import org.junit.jupiter.api.Test;

/** The BEP 9 {@code ut_metadata} message codec, from the BEP's examples. */
class MetadataMessageTest {
  private static MetadataMessage decode(String latin1) {
    ByteBuf buf = Unpooled.wrappedBuffer(latin1.getBytes(ISO_8859_1));
    try {
      return MetadataMessage.decode(buf);
    } finally {
      buf.release();
    }
  }

  private static String encode(MetadataMessage m) {
    ByteBuf buf = MetadataMessage.encode(m);
    try {
      return new String(ByteBufUtil.getBytes(buf), ISO_8859_1);
    } finally {
      buf.release();
    }
  }

  @Test
  void requestFromTheBep() {
    assertThat(decode("d8:msg_typei0e5:piecei0ee")).isEqualTo(new Request(0));
    assertThat(encode(new Request(0))).isEqualTo("d8:msg_typei0e5:piecei0ee");
  }

  @Test
  void dataFromTheBepCarriesTheBytesAfterTheDictionary() {
    MetadataMessage m = decode("d8:msg_typei1e5:piecei0e10:total_sizei34256eexxxxxxxx");
    assertThat(m).isInstanceOf(Data.class);
    Data d = (Data) m;
    assertThat(d.piece()).isZero();
    assertThat(d.totalSize()).isEqualTo(34256);
    assertThat(new String(d.bytes(), ISO_8859_1)).isEqualTo("xxxxxxxx");
    assertThat(encode(d)).isEqualTo("d8:msg_typei1e5:piecei0e10:total_sizei34256eexxxxxxxx");
  }

  @Test
  void rejectRoundTrips() {
    assertThat(decode("d8:msg_typei2e5:piecei3ee")).isEqualTo(new Reject(3));
    assertThat(encode(new Reject(3))).isEqualTo("d8:msg_typei2e5:piecei3ee");
  }

  @Test
  void aFullSixteenKibPieceRoundTrips() {
    byte[] bytes = new byte[MetadataMessage.PIECE_SIZE];
    Arrays.fill(bytes, (byte) 0xAB);
    Data d = new Data(5, 100_000, bytes);
    ByteBuf buf = MetadataMessage.encode(d);
    try {
      assertThat(MetadataMessage.decode(buf)).isEqualTo(d);
    } finally {
      buf.release();
    }
  }

  @Test
  void anUnknownMessageTypeIsIgnored() {
    assertThat(decode("d8:msg_typei7e5:piecei0ee")).isNull();
    assertThat(decode("d8:msg_typei-1e5:piecei0ee")).isNull();
  }

  @Test
  void keysOutOfOrderAreAccepted() {
    assertThat(decode("d5:piecei2e8:msg_typei0ee")).isEqualTo(new Request(2));
  }

  @Test
  void malformedMessagesFailWithAPeerProtocolException() {
    for (String bad :
        new String[] {
          "",
          "i0e",
          "d5:piecei0ee",
          "d8:msg_typei0ee",
          "d8:msg_type1:05:piecei0ee",
          "d8:msg_typei0e5:piecei-1ee",
          "d8:msg_typei0e5:piecei4294967296ee",
          "d8:msg_typei0e5:piecei0eextra",
          "d8:msg_typei2e5:piecei0eex",
          "d8:msg_typei1e5:piecei0ee",
          "d8:msg_typei1e5:piecei0e10:total_sizei-5ee",
          "d8:msg_typei1e5:piecei0e10:total_size",
          "l8:msg_typee",
        }) {
      assertThatThrownBy(() -> decode(bad)).as(bad).isInstanceOf(PeerProtocolException.class);
    }
  }

  @Test
  void aDataPieceOverSixteenKibIsRefused() {
    String dict = "d8:msg_typei1e5:piecei0e10:total_sizei99999ee";
    String tooLong = dict + "x".repeat(MetadataMessage.PIECE_SIZE + 1);
    assertThatThrownBy(() -> decode(tooLong))
        .isInstanceOf(PeerProtocolException.class)
        .hasMessageContaining("16385");
  }

  @Test
  void pieceArithmetic() {
    assertThat(MetadataMessage.pieceCount(1)).isEqualTo(1);
    assertThat(MetadataMessage.pieceCount(16384)).isEqualTo(1);
    assertThat(MetadataMessage.pieceCount(16385)).isEqualTo(2);
    assertThat(MetadataMessage.pieceLength(16385, 0)).isEqualTo(16384);
    assertThat(MetadataMessage.pieceLength(16385, 1)).isEqualTo(1);
    assertThat(MetadataMessage.pieceLength(34256, 2)).isEqualTo(34256 - 2 * 16384);
  }
}
