package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.PeerOptions;
import org.functorrent.peer.PieceStore;
import org.functorrent.peer.SwarmListener;
import org.functorrent.peer.TestTorrents;
import org.functorrent.peer.internal.PeerMessage.Bitfield;
import org.functorrent.peer.internal.PeerMessage.BlockMessage;
import org.functorrent.peer.internal.PeerMessage.BlockMessageKind;
import org.functorrent.peer.internal.PeerMessage.ExtendedHandshake;
import org.functorrent.peer.internal.PeerMessage.Have;
import org.functorrent.peer.internal.PeerMessage.Piece;
import org.functorrent.peer.internal.PeerMessage.Port;
import org.functorrent.peer.internal.PeerMessage.Simple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection handler on an {@link EmbeddedChannel}, as an incoming connection of a torrent of
 * 8 pieces of 32 KiB; the test plays the remote peer. Time is a hand-advanced clock.
 */
class PeerConnectionTest {
  static {
    NettyLeaks.install();
  }

  private static final int PIECE = 32 * 1024;
  private static final PeerId OUR_ID = PeerId.random("-FT0001-");
  private static final PeerId THEIR_ID = PeerId.random("-XX0001-");
  private static final PeerOptions OPTIONS =
      PeerOptions.defaults().withBlockTimeout(Duration.ofSeconds(5)).withMaxPendingWrites(4);

  private final byte[] data = TestTorrents.randomData(7, 8 * PIECE);
  private final MetaInfo meta;
  private final AtomicLong clock = new AtomicLong();
  private final byte[] stored = new byte[data.length];
  private final List<Integer> verified = new ArrayList<>();
  private final List<CompletableFuture<Void>> heldWrites = new ArrayList<>();
  private boolean holdWrites;
  private final List<Map.Entry<CompletableFuture<ByteBuf>, ByteBuf>> heldReads =
      new ArrayList<>();
  private boolean holdReads;
  private EmbeddedChannel ch;
  private ClientCore core;
  private SwarmEngine swarm;
  private final ByteBuf received = Unpooled.buffer();

  PeerConnectionTest() throws Exception {
    meta = TestTorrents.torrent(data, PIECE);
  }

  @AfterEach
  void tearDown() {
    if (ch != null) {
      ch.finishAndReleaseAll();
    }
    received.release();
    NettyLeaks.assertNoLeaks();
  }

  /** A store that completes at once. */
  private final PieceStore store =
      new PieceStore() {
        @Override
        public CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length) {
          ByteBuf block = Unpooled.wrappedBuffer(data, piece * PIECE + offset, length);
          if (holdReads) {
            CompletableFuture<ByteBuf> held = new CompletableFuture<>();
            heldReads.add(Map.entry(held, block));
            return held;
          }
          return CompletableFuture.completedFuture(block);
        }

        @Override
        public CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuf buf) {
          buf.getBytes(buf.readerIndex(), stored, piece * PIECE + offset, buf.readableBytes());
          if (holdWrites) {
            CompletableFuture<Void> held = new CompletableFuture<>();
            heldWrites.add(held);
            return held;
          }
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> verifyPiece(int piece) {
          verified.add(piece);
          return CompletableFuture.completedFuture(Arrays.equals(
              Arrays.copyOfRange(stored, piece * PIECE, (piece + 1) * PIECE),
              Arrays.copyOfRange(data, piece * PIECE, (piece + 1) * PIECE)));
        }
      };

  private void open(BitSet have) {
    open(have, 0, node -> {});
  }

  /** With a DHT node on UDP {@code dhtPort} when it is not 0; the peer is 127.0.0.9:6889. */
  private void open(BitSet have, int dhtPort, Consumer<InetSocketAddress> dhtNodes) {
    ch =
        dhtPort == 0
            ? new EmbeddedChannel()
            : new EmbeddedChannel() {
              @Override
              protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("127.0.0.9", 6889);
              }
            };
    core = new ClientCore(ch.eventLoop(), OUR_ID, Runnable::run, OPTIONS, clock::get);
    if (dhtPort != 0) {
      core.dht(dhtPort, dhtNodes);
    }
    swarm = core.addTorrent(meta, store, have, new SwarmListener() {}, List.of());
    ch.pipeline()
        .addLast("hs-decoder", new HandshakeCodec.Decoder())
        .addLast("peer", new PeerConnection(swarm, false));
    ch.runPendingTasks();
  }

  private void send(Object... messages) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer();
    for (Object m : messages) {
      if (m instanceof Handshake h) {
        HandshakeCodec.write(h, buf);
      } else if (m instanceof Piece p) {
        buf.writeInt(9 + p.content().readableBytes()).writeByte(7).writeInt(p.piece())
            .writeInt(p.offset()).writeBytes(p.content());
        p.release();
      } else if (m instanceof byte[] raw) {
        buf.writeBytes(raw);
      } else {
        MessageCodec.write((PeerMessage) m, buf);
      }
    }
    ch.writeInbound(buf);
    ch.runPendingTasks();
  }

  private Handshake theirHandshake() {
    return new Handshake(Handshake.FAST_EXTENSION | Handshake.EXTENSION_PROTOCOL,
        meta.infoHash(), THEIR_ID);
  }

  private Handshake readHandshake() {
    drain();
    assertThat(received.readableBytes()).isGreaterThanOrEqualTo(Handshake.LENGTH);
    EmbeddedChannel decoder = new EmbeddedChannel(new HandshakeCodec.Decoder());
    decoder.writeInbound(received.readRetainedSlice(Handshake.LENGTH));
    Handshake h = decoder.readInbound();
    decoder.finishAndReleaseAll();
    return h;
  }

  private void drain() {
    for (Object m; (m = ch.readOutbound()) != null; ) {
      received.writeBytes((ByteBuf) m);
      ReferenceCountUtil.release(m);
    }
  }

  /** Every message we sent since the last call. */
  private List<PeerMessage> sent() {
    drain();
    List<PeerMessage> out = new ArrayList<>();
    while (received.readableBytes() >= 4
        && received.readableBytes() >= 4 + received.getInt(received.readerIndex())) {
      int length = received.readInt();
      ByteBuf frame = received.readSlice(length);
      PeerMessage m = MessageCodec.decode(frame);
      ReferenceCountUtil.release(m);
      out.add(m instanceof Piece p ? new Piece(p.piece(), p.offset(), Unpooled.EMPTY_BUFFER) : m);
    }
    return out;
  }

  private List<Block> sentOf(BlockMessageKind kind) {
    List<Block> blocks = new ArrayList<>();
    for (PeerMessage m : sent()) {
      if (m instanceof BlockMessage b && b.kind() == kind) {
        blocks.add(b.block());
      }
    }
    return blocks;
  }

  private void handshaken(BitSet have) {
    open(have);
    send(theirHandshake());
    Handshake ours = readHandshake();
    assertThat(ours.infoHash()).isEqualTo(meta.infoHash());
    assertThat(ours.peerId()).isEqualTo(OUR_ID);
    assertThat(ours.supportsFastExtension()).isTrue();
    assertThat(ours.supportsExtensionProtocol()).isTrue();
  }

  private static BitSet all() {
    BitSet b = new BitSet();
    b.set(0, 8);
    return b;
  }

  @Test
  void withoutDhtOurHandshakeHasNoDhtBitAndPortMessagesAreIgnored() {
    open(new BitSet());
    send(new Handshake(Handshake.DHT | Handshake.EXTENSION_PROTOCOL, meta.infoHash(), THEIR_ID));
    assertThat(readHandshake().supportsDht()).isFalse();
    assertThat(sent()).noneMatch(m -> m instanceof Port);
    send(new Port(7000));
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void withDhtWeSetTheBitSendOurPortAndHandTheirsToTheDhtOnce() {
    List<InetSocketAddress> nodes = new ArrayList<>();
    open(new BitSet(), 6999, nodes::add);
    send(new Handshake(Handshake.DHT | Handshake.EXTENSION_PROTOCOL, meta.infoHash(), THEIR_ID));
    assertThat(readHandshake().supportsDht()).as("BEP 5 reserved bit").isTrue();
    List<PeerMessage> first = sent();
    assertThat(first).contains(new Port(6999));
    assertThat(first.get(0)).as("the port message is not first").isNotInstanceOf(Port.class);
    send(new Port(0));
    assertThat(nodes).as("port 0 names no node").isEmpty();
    send(new Port(7001));
    send(new Port(7002));
    assertThat(nodes).as("one node a connection, at the peer's IP")
        .containsExactly(new InetSocketAddress("127.0.0.9", 7001));
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void withDhtNoPortMessageToAPeerWithoutTheBit() {
    open(new BitSet(), 6999, node -> {});
    send(theirHandshake());
    assertThat(readHandshake().supportsDht()).isTrue();
    assertThat(sent()).noneMatch(m -> m instanceof Port);
  }

  @Test
  void wrongInfoHashOrOurOwnPeerIdCloses() {
    open(new BitSet());
    byte[] other = new byte[20];
    send(new Handshake(0, InfoHash.of(other), THEIR_ID));
    assertThat(ch.isActive()).isFalse();
    ch.finishAndReleaseAll();
    open(new BitSet());
    send(new Handshake(0, meta.infoHash(), OUR_ID));
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void handshakeTimeoutCloses() throws Exception {
    open(new BitSet());
    ch.advanceTimeBy(OPTIONS.handshakeTimeout().toMillis() - 1000, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isActive()).isTrue();
    ch.advanceTimeBy(2, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void leecherDownloadsVerifiesAndAnnounces() {
    handshaken(new BitSet());
    List<PeerMessage> first = sent();
    assertThat(first.get(0)).as("BEP 6: have none first").isEqualTo(Simple.HAVE_NONE);
    assertThat(first.get(1)).isInstanceOf(ExtendedHandshake.class);
    ExtendedHandshake ext = (ExtendedHandshake) first.get(1);
    assertThat(ext.requestQueue()).hasValue(OPTIONS.maxServeQueue());
    send(Bitfield.of(all(), 8));
    assertThat(sent()).containsExactly(Simple.INTERESTED);
    send(Simple.UNCHOKE);
    List<Block> requests = sentOf(BlockMessageKind.REQUEST);
    assertThat(requests).hasSize(16).doesNotHaveDuplicates();
    // Answer the two blocks of the first requested piece.
    int piece = requests.get(0).piece();
    for (Block b : requests) {
      if (b.piece() == piece) {
        send(new Piece(b.piece(), b.offset(),
            Unpooled.wrappedBuffer(data, piece * PIECE + b.offset(), b.length())));
      }
    }
    assertThat(verified).containsExactly(piece);
    assertThat(sent()).contains(new Have(piece));
    assertThat(Arrays.copyOfRange(stored, piece * PIECE, (piece + 1) * PIECE))
        .isEqualTo(Arrays.copyOfRange(data, piece * PIECE, (piece + 1) * PIECE));
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void unrequestedBlocksAreDroppedWithoutClosing() throws Exception {
    handshaken(new BitSet());
    send(Bitfield.of(all(), 8));
    sent();
    send(new Piece(0, 0, Unpooled.wrappedBuffer(data, 0, 16384)));
    assertThat(ch.isActive()).isTrue();
    assertThat(verified).isEmpty();
    CompletableFuture<org.functorrent.peer.SwarmStats> stats = swarm.stats();
    ch.runPendingTasks();
    assertThat(stats.get().wastedBytes()).isEqualTo(16384);
    assertThat(stats.get().downloadedBytes()).isZero();
    assertThat(stats.get().connectedPeers()).isEqualTo(1);
  }

  /** We have nothing; the peer has every piece and unchokes us: we ask for all 16 blocks. */
  private List<Block> requestingTheWholeTorrent() {
    handshaken(new BitSet());
    send(Bitfield.of(all(), 8), Simple.UNCHOKE);
    List<Block> requests = sentOf(BlockMessageKind.REQUEST);
    assertThat(requests).as("the whole torrent").hasSize(16);
    return requests;
  }

  @Test
  void stalledRequestsAreCancelledAfterTheBlockTimeoutNotBefore() {
    List<Block> requests = requestingTheWholeTorrent();
    // A slow peer that delivers keeps its requests.
    for (int s = 0; s < 4; s++) {
      clock.addAndGet(TimeUnit.SECONDS.toNanos(3));
      Block b = requests.get(s);
      send(new Piece(b.piece(), b.offset(),
          Unpooled.wrappedBuffer(data, b.piece() * PIECE + b.offset(), b.length())));
      ch.advanceTimeBy(1, TimeUnit.SECONDS);
      ch.runScheduledPendingTasks();
      assertThat(sentOf(BlockMessageKind.CANCEL)).isEmpty();
    }
    // Then it stalls.
    clock.addAndGet(OPTIONS.blockTimeout().toNanos() + 1);
    ch.advanceTimeBy(1, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    List<PeerMessage> after = sent();
    List<Block> cancels = new ArrayList<>();
    for (PeerMessage m : after) {
      if (m instanceof BlockMessage b && b.kind() == BlockMessageKind.CANCEL) {
        cancels.add(b.block());
      }
    }
    assertThat(cancels).containsExactlyInAnyOrderElementsOf(requests.subList(4, 16));
    assertThat(ch.isActive()).isTrue();
  }

  private void tick() {
    ch.advanceTimeBy(1, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
  }

  @Test
  void aRequestPassedOverForTheBlockTimeoutIsCancelledAloneAndAskedAgainOnlyLater() {
    List<Block> requests = requestingTheWholeTorrent();
    Block skipped = requests.get(0);
    clock.addAndGet(TimeUnit.SECONDS.toNanos(3));
    for (int i = 1; i < 4; i++) {
      deliver(requests.get(i));
    }
    tick();
    assertThat(sentOf(BlockMessageKind.CANCEL)).as("not yet: 3 s of 5").isEmpty();
    clock.addAndGet(TimeUnit.SECONDS.toNanos(3));
    deliver(requests.get(4));
    tick();
    List<PeerMessage> after = sent();
    assertThat(after).contains(BlockMessage.cancel(skipped))
        .doesNotContain(BlockMessage.request(skipped));
    assertThat(after).filteredOn(m -> m instanceof BlockMessage b
        && b.kind() == BlockMessageKind.CANCEL).hasSize(1);
    assertThat(ch.isActive()).isTrue();
    CompletableFuture<org.functorrent.peer.SwarmStats> stats = swarm.stats();
    ch.runPendingTasks();
    assertThat(stats.join().timedOutBlocks()).isEqualTo(1);
    // The rest arrives; the skipped block is not asked of this peer again at once...
    for (int i = 5; i < 16; i++) {
      deliver(requests.get(i));
    }
    tick();
    assertThat(sentOf(BlockMessageKind.REQUEST)).isEmpty();
    // ...but once another block timeout has passed, with no one else to ask.
    clock.addAndGet(OPTIONS.blockTimeout().toNanos() + 1);
    tick();
    assertThat(sentOf(BlockMessageKind.REQUEST)).containsExactly(skipped);
    deliver(skipped);
    assertThat(verified).contains(0);
  }

  @Test
  void protocolViolationsClose() {
    Object[][] violations = {
      {new Bitfield(new byte[] {(byte) 0xFF, 0x01})}, // wrong length for 8 pieces
      {Simple.HAVE_NONE, new Bitfield(new byte[] {(byte) 0xFF, 0x01})}, // late and wrong length
      {new Have(8)}, // index out of range
      {BlockMessage.request(new Block(0, PIECE - 100, 16384))}, // past the piece's end
      {BlockMessage.request(new Block(9, 0, 16384))},
      {new byte[] {0, 0, 0, 2, 4, 0}}, // malformed have
      {new byte[] {0, 0, 0x7F, 0, 7}}, // frame over the limit
      {new Have(1), Simple.HAVE_ALL}, // have all, not first
    };
    for (Object[] v : violations) {
      handshaken(new BitSet());
      send(v);
      assertThat(ch.isActive()).as(Arrays.toString(v)).isFalse();
      ch.finishAndReleaseAll();
      received.clear();
    }
  }

  @Test
  void aLateBitfieldOnlyAddsPieces() {
    // aria2 announces "have none", then sums up its pieces in a bitfield once it has some.
    handshaken(new BitSet());
    send(Simple.HAVE_NONE);
    assertThat(sent()).doesNotContain(Simple.INTERESTED);
    send(new Bitfield(new byte[] {0x01})); // piece 7
    assertThat(ch.isActive()).isTrue();
    assertThat(sent()).contains(Simple.INTERESTED);
    send(new Bitfield(new byte[] {0x00})); // says nothing new: a peer never loses pieces
    assertThat(ch.isActive()).isTrue();
    assertThat(sent()).doesNotContain(Simple.NOT_INTERESTED);
  }

  @Test
  void seederRejectsChokedRequestsAndServesUnchokedOnes() {
    handshaken(all());
    assertThat(sent().get(0)).as("BEP 6: have all").isEqualTo(Simple.HAVE_ALL);
    Block block = new Block(3, 16384, 16384);
    send(BlockMessage.request(block));
    assertThat(sent()).containsExactly(BlockMessage.reject(block));
    send(Simple.INTERESTED);
    assertThat(sent()).containsExactly(Simple.UNCHOKE);
    send(BlockMessage.request(block));
    drain();
    ByteBuf expected = Unpooled.buffer();
    expected.writeInt(9 + 16384).writeByte(7).writeInt(3).writeInt(16384)
        .writeBytes(data, 3 * PIECE + 16384, 16384);
    assertThat(received).isEqualTo(expected);
    expected.release();
  }

  /** We have every piece; the peer is interested and unchoked; block reads wait for the test. */
  private void servingWithReadsHeld() {
    handshaken(all());
    sent();
    send(Simple.INTERESTED);
    assertThat(sent()).containsExactly(Simple.UNCHOKE);
    holdReads = true;
  }

  private void completeHeldReads() {
    for (Map.Entry<CompletableFuture<ByteBuf>, ByteBuf> read : List.copyOf(heldReads)) {
      read.getKey().complete(read.getValue());
    }
    ch.runPendingTasks();
  }

  @Test
  void aReadThatFinishesAfterWeChokedIsRejectedNotDropped() {
    servingWithReadsHeld();
    Block block = new Block(3, 16384, 16384);
    send(BlockMessage.request(block));
    assertThat(heldReads).as("the read started").hasSize(1);
    send(Simple.NOT_INTERESTED);
    tick();
    assertThat(sent()).as("choked, the read still running").containsExactly(Simple.CHOKE);
    Map.Entry<CompletableFuture<ByteBuf>, ByteBuf> read = heldReads.get(0);
    read.getKey().complete(read.getValue());
    ch.runPendingTasks();
    // BEP 6: a choke does not cancel a fast peer's requests; each must be answered. Dropping this
    // one silently left the peer waiting for it until its request timed out (30 s).
    assertThat(sent()).containsExactly(BlockMessage.reject(block));
  }

  @Test
  void requestsAFastPeerKeepsPastItsChokeUnansweredAreTakenBackAfterTheGraceNotBefore() {
    List<Block> requests = requestingTheWholeTorrent();
    deliver(requests.get(0));
    tick();
    sent();
    // BEP 6: the choke leaves the other 15 standing. It rejects one and then goes quiet.
    send(Simple.CHOKE, BlockMessage.reject(requests.get(1)));
    long grace = OPTIONS.blockTimeout().toNanos() / 2; // 2.5 s: under the 5 s cap
    clock.addAndGet(grace);
    tick();
    assertThat(sentOf(BlockMessageKind.CANCEL)).as("within the grace").isEmpty();
    // A repeated choke does not start the grace again.
    send(Simple.CHOKE);
    clock.addAndGet(1);
    tick();
    assertThat(sentOf(BlockMessageKind.CANCEL)).as("taken back, not yet stalled")
        .containsExactlyInAnyOrderElementsOf(requests.subList(2, 16));
    assertThat(ch.isActive()).isTrue();
    // Not held against it: once it unchokes us, the same blocks are asked of it at once.
    send(Simple.UNCHOKE);
    assertThat(sentOf(BlockMessageKind.REQUEST))
        .containsExactlyInAnyOrderElementsOf(requests.subList(1, 16));
  }

  @Test
  void aBlockCancelledWhileItsReadRunsIsRejectedInsteadOfSentUnlessAskedForAgain() {
    servingWithReadsHeld();
    Block kept = new Block(2, 0, 16384);
    Block cancelled = new Block(2, 16384, 16384);
    Block wantedAgain = new Block(5, 0, 16384);
    send(BlockMessage.request(kept), BlockMessage.request(cancelled),
        BlockMessage.request(wantedAgain));
    assertThat(heldReads).as("the three reads started").hasSize(3);
    send(BlockMessage.cancel(cancelled), BlockMessage.cancel(wantedAgain),
        BlockMessage.request(wantedAgain));
    completeHeldReads();
    List<PeerMessage> out = sent();
    // BEP 6: a cancelled request is answered with the piece or a reject; the reject is 13 bytes.
    assertThat(out).contains(BlockMessage.reject(cancelled))
        .doesNotContain(BlockMessage.reject(kept), BlockMessage.reject(wantedAgain));
    List<Block> pieces = new ArrayList<>();
    for (PeerMessage m : out) {
      if (m instanceof Piece p) {
        pieces.add(new Block(p.piece(), p.offset(), 16384));
      }
    }
    assertThat(pieces).contains(kept, wantedAgain).doesNotContain(cancelled);
  }

  @Test
  void slowStorageStopsReadingUntilWritesDrain() {
    handshaken(new BitSet());
    holdWrites = true;
    send(Bitfield.of(all(), 8), Simple.UNCHOKE);
    List<Block> requests = sentOf(BlockMessageKind.REQUEST);
    for (int i = 0; i < 3; i++) {
      deliver(requests.get(i));
      assertThat(ch.config().isAutoRead()).isTrue();
    }
    deliver(requests.get(3));
    assertThat(heldWrites).hasSize(4);
    assertThat(ch.config().isAutoRead()).as("4 writes pending: stop reading").isFalse();
    heldWrites.get(0).complete(null);
    ch.runPendingTasks();
    assertThat(ch.config().isAutoRead()).isFalse();
    heldWrites.get(1).complete(null);
    ch.runPendingTasks();
    assertThat(ch.config().isAutoRead()).as("drained to half: read again").isTrue();
    heldWrites.forEach(f -> f.complete(null));
    ch.runPendingTasks();
  }

  private void deliver(Block b) {
    send(new Piece(b.piece(), b.offset(),
        Unpooled.wrappedBuffer(data, b.piece() * PIECE + b.offset(), b.length())));
  }

  @Test
  void keepAlivesGoOutAndASilentPeerIsDropped() {
    handshaken(new BitSet());
    sent();
    long interval = OPTIONS.keepAliveInterval().toSeconds();
    // The first tick sees what the handshake wrote; a keep-alive is due an interval after it.
    for (long s = 1; s < interval; s++) {
      clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
      tick();
    }
    assertThat(sent()).as("nothing due yet").doesNotContain(PeerMessage.KeepAlive.INSTANCE);
    for (int s = 0; s < 2; s++) {
      clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
      tick();
    }
    assertThat(sent()).containsOnlyOnce(PeerMessage.KeepAlive.INSTANCE);
    assertThat(ch.isActive()).isTrue();
    ch.advanceTimeBy(OPTIONS.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isActive()).as("nothing received for the idle timeout").isFalse();
  }
}
