package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.peer.internal.PeerMessage.AllowedFast;
import org.functorrent.peer.internal.PeerMessage.Bitfield;
import org.functorrent.peer.internal.PeerMessage.BlockMessage;
import org.functorrent.peer.internal.PeerMessage.BlockMessageKind;
import org.functorrent.peer.internal.PeerMessage.BlockMessages;
import org.functorrent.peer.internal.PeerMessage.Extended;
import org.functorrent.peer.internal.PeerMessage.ExtendedHandshake;
import org.functorrent.peer.internal.PeerMessage.Have;
import org.functorrent.peer.internal.PeerMessage.KeepAlive;
import org.functorrent.peer.internal.PeerMessage.Piece;
import org.functorrent.peer.internal.PeerMessage.Port;
import org.functorrent.peer.internal.PeerMessage.Simple;
import org.functorrent.peer.internal.PeerMessage.Suggest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Wire formats written down from BEP 3, 5, 6 and 10, not from the codec. */
class MessageCodecTest {
  static {
    NettyLeaks.install();
  }

  private static final int MAX_FRAME = MessageCodec.maxFrameLength(100);

  private final List<ByteBuf> inputs = new ArrayList<>();

  @AfterEach
  void everyInputReleased() {
    for (ByteBuf in : inputs) {
      assertThat(in.refCnt()).as("input buffer released").isZero();
    }
    NettyLeaks.assertNoLeaks();
  }

  private static byte[] hex(String hex) {
    return BaseEncoding.base16().lowerCase().decode(hex.replace(" ", ""));
  }

  private static EmbeddedChannel channel() {
    return new EmbeddedChannel(new MessageDecoder(MAX_FRAME), MessageCodec.INSTANCE);
  }

  private ByteBuf in(byte[] bytes) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
    inputs.add(buf);
    return buf;
  }

  private static byte[] extendedHandshakeBytes() {
    byte[] dict =
        ("d1:md11:ut_metadatai3e6:ut_pexi1ee13:metadata_sizei31235e1:pi6881e4:reqqi500e"
                + "1:v13:FuncTorrent 16:yourip4:\u007f\u0000\u0000\u0001e")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] frame = new byte[4 + 2 + dict.length];
    int len = 2 + dict.length;
    frame[0] = (byte) (len >>> 24);
    frame[1] = (byte) (len >>> 16);
    frame[2] = (byte) (len >>> 8);
    frame[3] = (byte) len;
    frame[4] = 20;
    frame[5] = 0;
    System.arraycopy(dict, 0, frame, 6, dict.length);
    return frame;
  }

  private static ExtendedHandshake extendedHandshake() throws Exception {
    return new ExtendedHandshake(
        com.google.common.collect.ImmutableMap.of("ut_metadata", 3, "ut_pex", 1),
        Optional.of("FuncTorrent 1"),
        OptionalInt.of(6881),
        OptionalInt.of(500),
        Optional.of(InetAddress.getByAddress(new byte[] {127, 0, 0, 1})),
        OptionalLong.of(31235));
  }

  /** Each message with its bytes on the wire, from the BEPs. */
  private static List<Map.Entry<byte[], PeerMessage>> catalogue() throws Exception {
    List<Map.Entry<byte[], PeerMessage>> all = new ArrayList<>();
    all.add(Map.entry(hex("00000000"), KeepAlive.INSTANCE));
    all.add(Map.entry(hex("00000001 00"), Simple.CHOKE));
    all.add(Map.entry(hex("00000001 01"), Simple.UNCHOKE));
    all.add(Map.entry(hex("00000001 02"), Simple.INTERESTED));
    all.add(Map.entry(hex("00000001 03"), Simple.NOT_INTERESTED));
    all.add(Map.entry(hex("00000005 04 00000007"), new Have(7)));
    BitSet bits = new BitSet();
    bits.set(0);
    bits.set(9);
    all.add(Map.entry(hex("00000003 05 8040"), new Bitfield(hex("8040"))));
    all.add(Map.entry(hex("0000000d 06 00000001 00004000 00004000"),
        BlockMessage.request(new Block(1, 16384, 16384))));
    all.add(Map.entry(hex("0000000d 08 00000001 00004000 00004000"),
        BlockMessage.cancel(new Block(1, 16384, 16384))));
    all.add(Map.entry(hex("00000003 09 1ae1"), new Port(6881)));
    all.add(Map.entry(hex("00000005 0d 0000002a"), new Suggest(42)));
    all.add(Map.entry(hex("00000001 0e"), Simple.HAVE_ALL));
    all.add(Map.entry(hex("00000001 0f"), Simple.HAVE_NONE));
    all.add(Map.entry(hex("0000000d 10 00000002 00000000 00004000"),
        BlockMessage.reject(new Block(2, 0, 16384))));
    all.add(Map.entry(hex("00000005 11 00000003"), new AllowedFast(3)));
    all.add(Map.entry(extendedHandshakeBytes(), extendedHandshake()));
    assertThat(Bitfield.of(bits, 10)).isEqualTo(new Bitfield(hex("8040")));
    return all;
  }

  @Test
  void decodesAndEncodesEveryMessage() throws Exception {
    for (Map.Entry<byte[], PeerMessage> e : catalogue()) {
      EmbeddedChannel ch = channel();
      assertThat(ch.writeInbound(in(e.getKey()))).isTrue();
      Object decoded = ch.readInbound();
      assertThat(decoded).as("decoded %s", e.getValue()).isEqualTo(e.getValue());
      ch.writeOutbound(e.getValue());
      assertThat(readAllOutbound(ch)).as("encoded %s", e.getValue()).isEqualTo(e.getKey());
      assertThat(ch.finishAndReleaseAll()).isFalse();
    }
  }

  @Test
  void aBatchOfRequestsOrCancelsIsOneBufferOfConsecutiveMessages() {
    EmbeddedChannel ch = channel();
    ch.writeOutbound(
        new BlockMessages(
            BlockMessageKind.REQUEST,
            List.of(new Block(1, 0, 16384), new Block(1, 16384, 16384), new Block(2, 0, 100))));
    ByteBuf out = ch.readOutbound();
    assertThat(BaseEncoding.base16().lowerCase().encode(io.netty.buffer.ByteBufUtil.getBytes(out)))
        .isEqualTo(
            "0000000d06000000010000000000004000"
                + "0000000d06000000010000400000004000"
                + "0000000d06000000020000000000000064");
    Object next = ch.readOutbound();
    assertThat(next).as("one buffer").isNull();
    out.release();
    ch.writeOutbound(
        new BlockMessages(BlockMessageKind.CANCEL, List.of(new Block(3, 16384, 16384))));
    assertThat(readAllOutbound(ch)).isEqualTo(hex("0000000d 08 00000003 00004000 00004000"));
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void pieceIsARetainedSliceAndEncodesWithoutCopy() {
    EmbeddedChannel ch = channel();
    ByteBuf frame = in(hex("0000000d 07 00000001 00004000 cafebabe"));
    ch.writeInbound(frame);
    Piece piece = ch.readInbound();
    try {
      assertThat(piece.piece()).isEqualTo(1);
      assertThat(piece.offset()).isEqualTo(16384);
      assertThat(piece.block()).isEqualTo(new Block(1, 16384, 4));
      assertThat(piece.content().unwrap()).as("a slice of the frame, not a copy").isNotNull();
      assertThat(frame.refCnt()).as("the slice keeps the frame").isPositive();
      ch.writeOutbound(piece.retain());
      ByteBuf header = ch.readOutbound();
      ByteBuf payload = ch.readOutbound();
      assertThat(BaseEncoding.base16().lowerCase().encode(io.netty.buffer.ByteBufUtil.getBytes(
          header))).isEqualTo("0000000d070000000100004000");
      assertThat(payload).as("the same buffer goes out").isSameAs(piece.content());
      header.release();
      payload.release();
    } finally {
      piece.release();
    }
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void onlyTheFrameThatAReadCutsOffIsCopied() {
    EmbeddedChannel ch = channel();
    byte[] a = hex("0000000d 07 00000000 00000000 aaaaaaaa");
    byte[] b = hex("0000000d 07 00000000 00004000 bbbbbbbb");
    byte[] c = hex("0000000d 07 00000000 00008000 cccccccc");
    // Read 1: all of A and the first 6 bytes of B; read 2: the rest of B and all of C.
    byte[] first = java.util.Arrays.copyOf(a, a.length + 6);
    System.arraycopy(b, 0, first, a.length, 6);
    byte[] second = new byte[b.length - 6 + c.length];
    System.arraycopy(b, 6, second, 0, b.length - 6);
    System.arraycopy(c, 0, second, b.length - 6, c.length);
    ByteBuf read1 = Unpooled.wrappedBuffer(first);
    ByteBuf read2 = Unpooled.wrappedBuffer(second);
    inputs.add(read1);
    inputs.add(read2);
    ch.writeInbound(read1);
    ch.writeInbound(read2);
    Piece pa = ch.readInbound();
    Piece pb = ch.readInbound();
    Piece pc = ch.readInbound();
    try {
      assertThat(List.of(pa.block(), pb.block(), pc.block()))
          .containsExactly(new Block(0, 0, 4), new Block(0, 16384, 4), new Block(0, 32768, 4));
      assertThat(List.of(pa.content(), pb.content(), pc.content()))
          .extracting(io.netty.buffer.ByteBufUtil::hexDump)
          .containsExactly("aaaaaaaa", "bbbbbbbb", "cccccccc");
      assertThat(sharesArray(pa.content(), first)).as("A is a slice of read 1").isTrue();
      assertThat(sharesArray(pc.content(), second)).as("C is a slice of read 2").isTrue();
      assertThat(sharesArray(pb.content(), first) || sharesArray(pb.content(), second))
          .as("B, cut in two, was copied into a buffer of its own")
          .isFalse();
    } finally {
      pa.release();
      pb.release();
      pc.release();
    }
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  private static boolean sharesArray(ByteBuf content, byte[] array) {
    return content.hasArray() && content.array() == array;
  }

  @Test
  void withReadingPausedABatchThatEndsNoFrameAsksForTheNextRead() {
    int[] reads = {0};
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new io.netty.channel.ChannelOutboundHandlerAdapter() {
              @Override
              public void read(io.netty.channel.ChannelHandlerContext ctx) {
                reads[0]++;
                ctx.read();
              }
            },
            new MessageDecoder(MAX_FRAME),
            MessageCodec.INSTANCE);
    ch.config().setAutoRead(false);
    int before = reads[0];
    ch.writeInbound(in(hex("00000005 04")));
    assertThat(reads[0]).as("half a have: the decoder asks for more").isEqualTo(before + 1);
    ch.writeInbound(in(hex("00000009")));
    assertThat(ch.<Object>readInbound()).isEqualTo(new Have(9));
    assertThat(reads[0]).as("a message came: the reader decides").isEqualTo(before + 1);
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void aPieceFrameIsTheHeaderWrittenInTheBlocksHeadroomAndPassesTheCodecAsItIs() {
    ByteBuf block = PooledByteBufAllocator.DEFAULT.directBuffer(13 + 4);
    block.writeZero(13).writeBytes(hex("cafebabe")).readerIndex(13);
    ByteBuf frame = MessageCodec.pieceFrame(1, 16384, block);
    assertThat(frame).as("the same buffer, no copy and no second buffer").isSameAs(block);
    EmbeddedChannel ch = channel();
    ch.writeOutbound(frame);
    ByteBuf out = ch.readOutbound();
    assertThat(out).as("the codec leaves a ready frame alone").isSameAs(block);
    assertThat(BaseEncoding.base16().lowerCase().encode(io.netty.buffer.ByteBufUtil.getBytes(out)))
        .isEqualTo("0000000d070000000100004000cafebabe");
    // And it decodes as the piece message it is.
    Piece piece = (Piece) MessageCodec.decode(out.skipBytes(4));
    assertThat(piece.block()).isEqualTo(new Block(1, 16384, 4));
    piece.release();
    out.release();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void aBlockWithoutHeadroomIsRefused() {
    ByteBuf block = Unpooled.wrappedBuffer(hex("cafebabe")).readerIndex(0);
    assertThatThrownBy(() -> MessageCodec.pieceFrame(0, 0, block))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("headroom");
    assertThat(block.getInt(0)).as("nothing written").isEqualTo(0xcafebabe);
    block.release();
  }

  @Test
  void extendedMessagePayloadPassesThrough() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(in(hex("00000006 14 03 64656565")));
    Extended ext = ch.readInbound();
    assertThat(ext.id()).isEqualTo(3);
    assertThat(ext.content().toString(StandardCharsets.US_ASCII)).isEqualTo("deee");
    ext.release();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void everySplitPointAndByteAtATime() throws Exception {
    List<Map.Entry<byte[], PeerMessage>> all = catalogue();
    byte[] pieceFrame = hex("0000000b 07 00000000 00000000 0102");
    ByteBuf stream = Unpooled.buffer();
    List<Object> expected = new ArrayList<>();
    for (Map.Entry<byte[], PeerMessage> e : all) {
      stream.writeBytes(e.getKey());
      expected.add(e.getValue());
    }
    stream.writeBytes(pieceFrame);
    stream.writeBytes(hex("00000002 ff 00")); // unknown id 255: dropped
    stream.writeBytes(hex("00000001 01"));
    byte[] bytes = io.netty.buffer.ByteBufUtil.getBytes(stream);
    stream.release();
    for (int split = 0; split <= bytes.length; split++) {
      EmbeddedChannel ch = channel();
      ch.writeInbound(in(java.util.Arrays.copyOfRange(bytes, 0, split)));
      ch.writeInbound(in(java.util.Arrays.copyOfRange(bytes, split, bytes.length)));
      assertReceived(ch, expected);
      for (ByteBuf b : inputs) {
        assertThat(b.refCnt()).as("split %s", split).isZero();
      }
    }
    EmbeddedChannel ch = channel();
    for (byte b : bytes) {
      ch.writeInbound(in(new byte[] {b}));
    }
    assertReceived(ch, expected);
  }

  private static void assertReceived(EmbeddedChannel ch, List<Object> expected) {
    List<Object> got = new ArrayList<>();
    for (Object m; (m = ch.readInbound()) != null; ) {
      got.add(m);
    }
    assertThat(got).hasSize(expected.size() + 2);
    assertThat(got.subList(0, expected.size())).isEqualTo(expected);
    Piece piece = (Piece) got.get(expected.size());
    assertThat(piece.block()).isEqualTo(new Block(0, 0, 2));
    assertThat(piece.content().getByte(1)).isEqualTo((byte) 2);
    piece.release();
    assertThat(got.get(expected.size() + 1)).isEqualTo(Simple.UNCHOKE);
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void malformedFramesFail() {
    String[] malformed = {
      "00000002 00 00", // choke with a payload
      "00000004 04 000000", // have, short
      "00000006 04 0000000000", // have, long
      "00000005 04 80000000", // have, negative index
      "0000000c 06 00000001 00000000 000040", // request, short
      "0000000d 06 00000001 00000000 80000000", // request, negative length
      "00000008 07 00000001 000000", // piece without a full header
      "00000002 09 00", // port, short
      "00000001 14", // extended without an id
      "00000004 14 00 6c65", // extended handshake that is not bencode
      "00000005 14 00 6c6565", // extended handshake that is a list
    };
    for (String hex : malformed) {
      EmbeddedChannel ch = channel();
      assertThatThrownBy(() -> ch.writeInbound(in(hex(hex))))
          .as(hex)
          .isInstanceOf(DecoderException.class);
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void frameOverTheLimitFailsBeforeItArrives() {
    EmbeddedChannel ch = channel();
    int tooLong = MAX_FRAME + 1;
    ByteBuf prefix = Unpooled.buffer().writeInt(tooLong).writeByte(7);
    inputs.add(prefix);
    assertThatThrownBy(() -> ch.writeInbound(prefix)).isInstanceOf(TooLongFrameException.class);
    ch.finishAndReleaseAll();
    EmbeddedChannel ok = channel();
    ByteBuf max = Unpooled.buffer().writeInt(MAX_FRAME).writeByte(7).writeInt(0).writeInt(0)
        .writeZero(MAX_FRAME - 9);
    inputs.add(max);
    ok.writeInbound(max);
    Piece piece = ok.readInbound();
    assertThat(piece.content().readableBytes()).isEqualTo(MAX_FRAME - 9);
    piece.release();
    ok.finishAndReleaseAll();
  }

  @Test
  void afterAMalformedFrameTheRestOfTheStreamIsDiscarded() {
    EmbeddedChannel ch = channel();
    // A have with a short payload, then a valid have and an unchoke in the same read and the next.
    assertThatThrownBy(() -> ch.writeInbound(in(hex("00000004 04 000000 00000005 04 00000001"))))
        .isInstanceOf(DecoderException.class);
    ch.writeInbound(in(hex("00000001 01")));
    assertThat(ch.<Object>readInbound()).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void anUnknownMessageIsSkippedAndTheNextOneDecoded() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(in(hex("00000003 63 abcd 00000005 04 00000009")));
    assertThat(ch.<Object>readInbound()).isEqualTo(new Have(9));
    assertThat(ch.<Object>readInbound()).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void maxFrameIsTheLargerOfBitfieldAndBlock() {
    assertThat(MessageCodec.maxFrameLength(8)).isGreaterThanOrEqualTo(9 + 16384);
    assertThat(MessageCodec.maxFrameLength(1_000_000)).isEqualTo(1 + 125_000);
  }

  @Test
  void bitfieldValidation() {
    assertThat(new Bitfield(hex("8040")).toBitSet(10)).isEqualTo(BitSet.valueOf(new long[] {
      (1L << 0) | (1L << 9)}));
    assertThat(new Bitfield(hex("8040")).toBitSet(17)).as("wrong length").isNull();
    assertThat(new Bitfield(hex("8020")).toBitSet(10)).as("spare bit set").isNull();
    assertThat(new Bitfield(hex("ffc0")).toBitSet(10).cardinality()).isEqualTo(10);
  }

  private static byte[] readAllOutbound(EmbeddedChannel ch) {
    ByteBuf all = Unpooled.buffer();
    for (Object m; (m = ch.readOutbound()) != null; ) {
      all.writeBytes((ByteBuf) m);
      ReferenceCountUtil.release(m);
    }
    byte[] bytes = io.netty.buffer.ByteBufUtil.getBytes(all);
    all.release();
    return bytes;
  }
}
