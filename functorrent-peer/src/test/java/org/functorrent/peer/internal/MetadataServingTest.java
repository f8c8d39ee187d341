package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableMap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeString;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.PeerOptions;
import org.functorrent.peer.PieceStore;
import org.functorrent.peer.SwarmListener;
import org.functorrent.peer.internal.PeerMessage.Extended;
import org.functorrent.peer.internal.PeerMessage.ExtendedHandshake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Serving our metadata (BEP 9) on an {@link EmbeddedChannel}: the test plays a peer that asks for
 * the info dictionary of a torrent whose metadata takes three 16 KiB pieces (the last shorter).
 */
class MetadataServingTest {
  static {
    NettyLeaks.install();
  }

  private static final PeerId OUR_ID = PeerId.random("-FT0001-");
  private static final PeerId THEIR_ID = PeerId.random("-XX0001-");
  /** The id the test peer gives ut_metadata in its extended handshake. */
  private static final int THEIR_ID_FOR_METADATA = 7;

  private final MetaInfo meta;
  private final byte[] info;
  private EmbeddedChannel ch;
  private final ByteBuf received = Unpooled.buffer();

  MetadataServingTest() {
    // 2000 pieces of 16 KiB: 40000 bytes of hashes, so about 40 KB of metadata.
    byte[] hashes = new byte[2000 * 20];
    new Random(3).nextBytes(hashes);
    BencodeDictionary infoDict =
        BencodeDictionary.builder()
            .put("length", 2000L * 16384)
            .put("name", "big.bin")
            .put("piece length", 16384)
            .put("pieces", BencodeString.of(hashes))
            .build();
    meta = MetaInfo.parse(Bencode.encode(BencodeDictionary.builder().put("info", infoDict)
        .build()));
    info = meta.infoBytes();
  }

  @AfterEach
  void tearDown() {
    if (ch != null) {
      ch.finishAndReleaseAll();
    }
    received.release();
    NettyLeaks.assertNoLeaks();
  }

  private static final PieceStore NO_STORE =
      new PieceStore() {
        @Override
        public CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length) {
          return CompletableFuture.failedFuture(new UnsupportedOperationException());
        }

        @Override
        public CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuf data) {
          return CompletableFuture.failedFuture(new UnsupportedOperationException());
        }

        @Override
        public CompletableFuture<Boolean> verifyPiece(int piece) {
          return CompletableFuture.completedFuture(false);
        }
      };

  private ExtendedHandshake connect() {
    ch = new EmbeddedChannel();
    ClientCore core =
        new ClientCore(ch.eventLoop(), OUR_ID, Runnable::run, PeerOptions.defaults(), () -> 0L);
    SwarmEngine swarm =
        core.addTorrent(meta, NO_STORE, new BitSet(), new SwarmListener() {}, List.of());
    ch.pipeline()
        .addLast("hs-decoder", new HandshakeCodec.Decoder())
        .addLast("peer", new PeerConnection(swarm, false));
    ch.runPendingTasks();
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer();
    HandshakeCodec.write(
        new Handshake(Handshake.EXTENSION_PROTOCOL, meta.infoHash(), THEIR_ID), buf);
    MessageCodec.write(
        ExtendedHandshake.of(ImmutableMap.of(MetadataMessage.NAME, THEIR_ID_FOR_METADATA)), buf);
    ch.writeInbound(buf);
    ch.runPendingTasks();
    drain();
    received.skipBytes(Handshake.LENGTH);
    for (PeerMessage m : sent()) {
      if (m instanceof ExtendedHandshake h) {
        return h;
      }
    }
    throw new AssertionError("no extended handshake");
  }

  private void request(int piece) {
    ByteBuf payload = MetadataMessage.encode(new MetadataMessage.Request(piece));
    ByteBuf frame = PooledByteBufAllocator.DEFAULT.buffer();
    frame.writeInt(2 + payload.readableBytes()).writeByte(PeerMessage.Ids.EXTENDED)
        .writeByte(ourMetadataId).writeBytes(payload);
    payload.release();
    ch.writeInbound(frame);
    ch.runPendingTasks();
  }

  private int ourMetadataId;

  private void drain() {
    for (Object m; (m = ch.readOutbound()) != null; ) {
      received.writeBytes((ByteBuf) m);
      ReferenceCountUtil.release(m);
    }
  }

  private List<PeerMessage> sent() {
    drain();
    List<PeerMessage> out = new ArrayList<>();
    while (received.readableBytes() >= 4
        && received.readableBytes() >= 4 + received.getInt(received.readerIndex())) {
      int length = received.readInt();
      out.add(MessageCodec.decode(received.readSlice(length)));
    }
    return out;
  }

  /** The ut_metadata messages we sent since the last call, decoded. */
  private List<MetadataMessage> answers() {
    List<MetadataMessage> out = new ArrayList<>();
    for (PeerMessage m : sent()) {
      if (m instanceof Extended e) {
        assertThat(e.id()).as("sent with the id the peer chose").isEqualTo(THEIR_ID_FOR_METADATA);
        out.add(MetadataMessage.decode(e.content()));
        e.release();
      }
    }
    return out;
  }

  @Test
  void theExtendedHandshakeAdvertisesUtMetadataAndTheSize() {
    ExtendedHandshake h = connect();
    assertThat(h.extensions()).containsKey("ut_metadata");
    assertThat(h.extensions().get("ut_metadata")).isPositive();
    assertThat(h.metadataSize()).hasValue(info.length);
  }

  @Test
  void requestsGetSixteenKibPiecesTheLastShorter() {
    ourMetadataId = connect().extensions().get("ut_metadata");
    assertThat(MetadataMessage.pieceCount(info.length)).isEqualTo(3);
    byte[] assembled = new byte[info.length];
    for (int piece = 2; piece >= 0; piece--) {
      request(piece);
      List<MetadataMessage> answers = answers();
      assertThat(answers).hasSize(1);
      MetadataMessage.Data d = (MetadataMessage.Data) answers.get(0);
      assertThat(d.piece()).isEqualTo(piece);
      assertThat(d.totalSize()).isEqualTo(info.length);
      assertThat(d.length())
          .isEqualTo(piece < 2 ? 16384 : info.length - 2 * 16384);
      System.arraycopy(d.bytes(), 0, assembled, piece * 16384, d.length());
    }
    assertThat(assembled).isEqualTo(info);
  }

  @Test
  void aPieceOutOfRangeIsRejected() {
    ourMetadataId = connect().extensions().get("ut_metadata");
    request(3);
    request(Integer.MAX_VALUE);
    assertThat(answers())
        .containsExactly(new MetadataMessage.Reject(3),
            new MetadataMessage.Reject(Integer.MAX_VALUE));
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void aPeerGetsABoundedNumberOfPiecesThenRejectsThenIsClosed() {
    ourMetadataId = connect().extensions().get("ut_metadata");
    int budget = 2 * 3 + 8;
    for (int i = 0; i < budget; i++) {
      request(i % 3);
    }
    assertThat(answers()).hasSize(budget).allMatch(m -> m instanceof MetadataMessage.Data);
    request(0);
    assertThat(answers()).containsExactly(new MetadataMessage.Reject(0));
    for (int i = 1; i < MetadataServer.MAX_REJECTS; i++) {
      request(1);
    }
    assertThat(answers()).hasSize(MetadataServer.MAX_REJECTS - 1);
    assertThat(ch.isActive()).isTrue();
    request(1);
    assertThat(ch.isActive()).as("closed after too many requests").isFalse();
  }

  @Test
  void aMalformedRequestClosesTheConnection() {
    ourMetadataId = connect().extensions().get("ut_metadata");
    byte[] bad = "d8:msg_typei0ee".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    ByteBuf frame = Unpooled.buffer();
    frame.writeInt(2 + bad.length).writeByte(PeerMessage.Ids.EXTENDED).writeByte(ourMetadataId)
        .writeBytes(bad);
    ch.writeInbound(frame);
    ch.runPendingTasks();
    assertThat(ch.isActive()).isFalse();
  }
}
