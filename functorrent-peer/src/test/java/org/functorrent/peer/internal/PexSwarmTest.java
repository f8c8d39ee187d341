package org.functorrent.peer.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableMap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.MemoryStore;
import org.functorrent.peer.PeerOptions;
import org.functorrent.peer.SwarmListener;
import org.functorrent.peer.TestTorrents;
import org.functorrent.peer.internal.PeerMessage.ExtendedHandshake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peer exchange (BEP 11) in a swarm: a peer learns of another only through PEX and connects to
 * it (three clients on loopback, the PEX interval shortened), what a peer's PEX message does to
 * the swarm (on an {@link EmbeddedChannel} with a hand clock), and none of it for a private
 * torrent (BEP 27).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PexSwarmTest {
  static {
    NettyLeaks.install();
  }

  private static final PeerOptions OPTIONS = PeerOptions.defaults();
  private final byte[] data = TestTorrents.randomData(3, 256 * 1024);
  private final List<ClientCore> cores = new ArrayList<>();
  private EventLoopGroup group;
  private ExecutorService disk;
  private ExecutorService callbacks;
  private EmbeddedChannel ch;
  private final ByteBuf received = Unpooled.buffer();

  @AfterEach
  void tearDown() throws Exception {
    for (ClientCore c : cores) {
      c.close();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      disk.shutdown();
      callbacks.shutdown();
    }
    if (ch != null) {
      ch.finishAndReleaseAll();
    }
    received.release();
    NettyLeaks.assertNoLeaks();
  }

  private static MetaInfo torrent(byte[] data, boolean isPrivate) throws Exception {
    MetaInfo plain = TestTorrents.torrent(data, 16384);
    BencodeDictionary.Builder info = plain.info().toBuilder();
    if (isPrivate) {
      info.put("private", 1);
    }
    return MetaInfo.parse(Bencode.encode(BencodeDictionary.builder().put("info", info.build())
        .build()));
  }

  /** A client with a one-second PEX interval, listening on loopback. */
  private ClientCore core(String prefix) throws Exception {
    ClientCore c =
        new ClientCore(group, PeerId.random(prefix), callbacks, OPTIONS).pexInterval(
            Duration.ofSeconds(1));
    c.listen(new InetSocketAddress("127.0.0.1", 0)).get(10, TimeUnit.SECONDS);
    cores.add(c);
    return c;
  }

  private static InetSocketAddress address(ClientCore c) {
    return new InetSocketAddress("127.0.0.1", c.listenPort().getAsInt());
  }

  /** Who connected to a swarm, by peer id. */
  static final class Connected implements SwarmListener {
    final Set<PeerId> ids = ConcurrentHashMap.newKeySet();

    @Override
    public void peerConnected(SocketAddress peer, PeerId peerId) {
      ids.add(peerId);
    }
  }

  @Test
  void aPeerLearnsOfAnotherOnlyThroughPexAndConnectsToIt() throws Exception {
    group = new MultiThreadIoEventLoopGroup(3, NioIoHandler.newFactory());
    disk = Executors.newFixedThreadPool(2);
    callbacks = Executors.newSingleThreadExecutor();
    // Nobody has any piece, so that no connection closes for lack of interest.
    MetaInfo meta = torrent(data, false);
    ClientCore a = core("-FA0001-");
    ClientCore b = core("-FB0001-");
    ClientCore c = core("-FC0001-");
    Connected seenByA = new Connected();
    a.addTorrent(meta, new MemoryStore(meta, null, disk), new BitSet(), seenByA, List.of());
    SwarmEngine swarmB =
        b.addTorrent(meta, new MemoryStore(meta, null, disk), new BitSet(),
            new SwarmListener() {}, List.of());
    SwarmEngine swarmC =
        c.addTorrent(meta, new MemoryStore(meta, null, disk), new BitSet(),
            new SwarmListener() {}, List.of());
    swarmB.addPeers(List.of(address(a)));
    swarmC.addPeers(List.of(address(b))); // C knows only B
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!seenByA.ids.contains(c.peerId()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(seenByA.ids).as("A saw C connect").contains(c.peerId());
    assertThat(swarmC.loop().submit(() -> swarmC.knows(address(a))).get()).isTrue();
  }

  // ---------------------------------------------------------------- one connection, hand clock

  private final AtomicLong clock = new AtomicLong();
  private SwarmEngine swarm;
  private int ourPexId;

  private ExtendedHandshake open(MetaInfo meta) {
    ch = new EmbeddedChannel();
    ClientCore core =
        new ClientCore(ch.eventLoop(), PeerId.random("-FT0001-"), Runnable::run, OPTIONS,
            clock::get).pexInterval(Duration.ofSeconds(60));
    swarm = core.addTorrent(meta, new NoStore(), new BitSet(), new SwarmListener() {}, List.of());
    ch.pipeline()
        .addLast("hs-decoder", new HandshakeCodec.Decoder())
        .addLast("peer", new PeerConnection(swarm, false));
    ch.runPendingTasks();
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer();
    HandshakeCodec.write(
        new Handshake(Handshake.EXTENSION_PROTOCOL, meta.infoHash(), PeerId.random("-XX0001-")),
        buf);
    MessageCodec.write(ExtendedHandshake.of(ImmutableMap.of("ut_pex", 9)), buf);
    ch.writeInbound(buf);
    ch.runPendingTasks();
    for (Object m; (m = ch.readOutbound()) != null; ) {
      received.writeBytes((ByteBuf) m);
      ReferenceCountUtil.release(m);
    }
    received.skipBytes(Handshake.LENGTH);
    while (received.readableBytes() >= 4) {
      int length = received.readInt();
      PeerMessage m = MessageCodec.decode(received.readSlice(length));
      if (m instanceof ExtendedHandshake h) {
        ourPexId = h.extensions().getOrDefault("ut_pex", 0);
        return h;
      }
      ReferenceCountUtil.release(m);
    }
    throw new AssertionError("no extended handshake");
  }

  private void sendPex(String dict) {
    byte[] payload = dict.getBytes(ISO_8859_1);
    ByteBuf frame = Unpooled.buffer();
    frame.writeInt(2 + payload.length).writeByte(PeerMessage.Ids.EXTENDED)
        .writeByte(ourPexId == 0 ? 1 : ourPexId).writeBytes(payload);
    ch.writeInbound(frame);
    ch.runPendingTasks();
  }

  private boolean knows(String ip, int port) {
    return swarm.knows(new InetSocketAddress(ip, port));
  }

  private static String compact(int lastByte, int port) {
    return "\u007f\0\0" + (char) lastByte + (char) (port >> 8) + (char) (port & 0xFF);
  }

  @Test
  void peersFromPexJoinTheSwarmAndAFloodIsIgnored() throws Exception {
    ExtendedHandshake ours = open(torrent(data, false));
    assertThat(ours.extensions()).containsKeys("ut_pex", "ut_metadata");
    sendPex("d5:added12:" + compact(2, 7001) + compact(3, 7002) + "e");
    assertThat(knows("127.0.0.2", 7001)).isTrue();
    assertThat(knows("127.0.0.3", 7002)).isTrue();
    // Ten seconds later: faster than BEP 11 allows, ignored.
    clock.addAndGet(TimeUnit.SECONDS.toNanos(10));
    sendPex("d5:added6:" + compact(4, 7003) + "e");
    assertThat(knows("127.0.0.4", 7003)).isFalse();
    clock.addAndGet(TimeUnit.SECONDS.toNanos(60));
    sendPex("d5:added6:" + compact(5, 7004) + "e");
    assertThat(knows("127.0.0.5", 7004)).isTrue();
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void aMalformedPexMessageClosesTheConnection() throws Exception {
    open(torrent(data, false));
    sendPex("d5:added5:12345e");
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void aPrivateTorrentNeitherOffersNorTakesPex() throws Exception {
    ExtendedHandshake ours = open(torrent(data, true));
    assertThat(ours.extensions()).containsKey("ut_metadata").doesNotContainKey("ut_pex");
    // Whatever id a peer tries other than ut_metadata's: nothing handles it.
    for (int id = 1; id <= 4; id++) {
      if (id == ours.extensions().get("ut_metadata")) {
        continue;
      }
      ourPexId = id;
      sendPex("d5:added6:" + compact(2, 7001) + "e");
    }
    assertThat(knows("127.0.0.2", 7001)).isFalse();
    assertThat(ch.isActive()).isTrue();
  }

  /** A store for a swarm that never gets a piece. */
  private static final class NoStore implements org.functorrent.peer.PieceStore {
    @Override
    public java.util.concurrent.CompletableFuture<ByteBuf> readBlock(int p, int o, int l) {
      return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException());
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> writeBlock(int p, int o, ByteBuf d) {
      return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException());
    }

    @Override
    public java.util.concurrent.CompletableFuture<Boolean> verifyPiece(int p) {
      return java.util.concurrent.CompletableFuture.completedFuture(false);
    }
  }
}
