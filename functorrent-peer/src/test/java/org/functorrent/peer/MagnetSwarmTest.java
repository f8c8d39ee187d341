package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Magnet links on loopback: our leecher fetches the metadata (BEP 9) from our seeder, over
 * outgoing and incoming connections, past peers that lie, reject or announce absurd sizes, and
 * then downloads.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MagnetSwarmTest {
  static {
    NettyLeaks.install();
  }

  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
  private static final PeerOptions OPTIONS =
      PeerOptions.defaults().withBlockTimeout(Duration.ofSeconds(2));
  private static final List<List<String>> TRACKERS =
      List.of(List.of("http://127.0.0.1:9/announce"));

  private EventLoopGroup group;
  private ExecutorService disk;
  private ExecutorService callbacks;
  private final List<PeerClient> clients = new ArrayList<>();
  private final List<AutoCloseable> fakes = new ArrayList<>();
  private final byte[] data = TestTorrents.randomData(5, 1300 * 16384 + 1234);
  private final MetaInfo meta;

  MagnetSwarmTest() throws Exception {
    // 1301 pieces of 16 KiB: 26 KB of piece hashes, so the metadata takes two 16 KiB pieces.
    meta = TestTorrents.torrent(data, 16384);
  }

  @BeforeEach
  void setUp() {
    group = new MultiThreadIoEventLoopGroup(4, NioIoHandler.newFactory());
    disk = Executors.newFixedThreadPool(2);
    callbacks = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (PeerClient c : clients) {
      c.close();
    }
    for (AutoCloseable f : fakes) {
      f.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    disk.shutdown();
    callbacks.shutdown();
    assertThat(disk.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(callbacks.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    NettyLeaks.assertNoLeaks();
  }

  private PeerClient client(String prefix, PeerOptions options) {
    PeerClient c = PeerClient.create(group, PeerId.random(prefix), callbacks, options);
    clients.add(c);
    return c;
  }

  private InetSocketAddress seeder() throws Exception {
    PeerClient seeder = client("-FS0001-", OPTIONS);
    InetSocketAddress address = seeder.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    MemoryStore store = new MemoryStore(meta, data, disk);
    seeder.addTorrent(meta, store, store.all(), new SwarmListener() {});
    return address;
  }

  private FakeMetadataPeer fake(long claimedSize, java.util.function.IntFunction<byte[]> answer)
      throws Exception {
    FakeMetadataPeer f = new FakeMetadataPeer(meta.infoHash(), claimedSize, answer);
    fakes.add(f);
    return f;
  }

  private byte[] infoPiece(byte[] info, int piece) {
    int from = piece * 16384;
    return Arrays.copyOfRange(info, from, Math.min(info.length, from + 16384));
  }

  private void checkFetched(MetaInfo fetched) {
    assertThat(fetched.infoHash()).isEqualTo(meta.infoHash());
    assertThat(Arrays.equals(fetched.infoBytes(), meta.infoBytes())).isTrue();
    assertThat(fetched.trackerTiers()).isEqualTo(TRACKERS);
    assertThat(fetched.pieceCount()).isEqualTo(meta.pieceCount());
  }

  @Test
  void theMetadataTakesSeveralPieces() {
    assertThat(meta.infoBytes().length).isBetween(16385, 2 * 16384);
  }

  @Test
  void aLeecherFetchesTheMetadataFromOurSeederThenDownloads() throws Exception {
    InetSocketAddress seederAddress = seeder();
    PeerClient leecher = client("-FL0001-", OPTIONS);
    leecher.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    MetadataFetch fetch = leecher.fetchMetadata(meta.infoHash(), TRACKERS);
    assertThat(fetch.infoHash()).isEqualTo(meta.infoHash());
    fetch.addPeers(List.of(seederAddress));
    MetaInfo fetched = fetch.metaInfo().get(30, TimeUnit.SECONDS);
    checkFetched(fetched);
    assertThat(fetch.peers()).contains(seederAddress);

    MemoryStore store = new MemoryStore(fetched, null, disk);
    Swarm swarm = leecher.addTorrent(fetched, store, new BitSet(), new SwarmListener() {});
    swarm.addPeers(fetch.peers());
    swarm.completion().get(60, TimeUnit.SECONDS);
    assertThat(Arrays.equals(store.bytes(), data)).as("downloaded bytes").isTrue();
  }

  @Test
  void anIncomingConnectionDuringTheFetchIsRoutedToIt() throws Exception {
    PeerClient seeder = client("-FS0001-", OPTIONS);
    seeder.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    MemoryStore seedStore = new MemoryStore(meta, data, disk);
    Swarm seed = seeder.addTorrent(meta, seedStore, seedStore.all(), new SwarmListener() {});
    PeerClient leecher = client("-FL0001-", OPTIONS);
    InetSocketAddress leecherAddress = leecher.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    MetadataFetch fetch = leecher.fetchMetadata(meta.infoHash(), TRACKERS);
    seed.addPeers(List.of(leecherAddress)); // the seeder dials us; we know nobody
    checkFetched(fetch.metaInfo().get(30, TimeUnit.SECONDS));
    assertThat(fetch.peers())
        .as("the seeder's listen address, from its extended handshake")
        .contains(new InetSocketAddress("127.0.0.1", seeder.listenPort().getAsInt()));
  }

  @Test
  void aPeerAnnouncingTwoGigabytesIsNeverAsked() throws Exception {
    FakeMetadataPeer huge = fake(2L << 30, piece -> new byte[16384]);
    InetSocketAddress seederAddress = seeder();
    PeerClient leecher = client("-FL0001-", OPTIONS);
    MetadataFetch fetch = leecher.fetchMetadata(meta.infoHash(), TRACKERS);
    fetch.addPeers(List.of(huge.address()));
    huge.closedByPeer.get(20, TimeUnit.SECONDS);
    assertThat(huge.requested).isEmpty();
    fetch.addPeers(List.of(seederAddress));
    checkFetched(fetch.metaInfo().get(30, TimeUnit.SECONDS));
  }

  @Test
  void aLiarIsBannedAndAnHonestSeederFinishes() throws Exception {
    byte[] info = meta.infoBytes();
    FakeMetadataPeer liar =
        fake(info.length, piece -> {
          byte[] bad = infoPiece(info, piece);
          bad[0] ^= 1;
          return bad;
        });
    PeerClient leecher = client("-FL0001-", OPTIONS);
    MetadataFetch fetch = leecher.fetchMetadata(meta.infoHash(), TRACKERS);
    fetch.addPeers(List.of(liar.address()));
    liar.closedByPeer.get(20, TimeUnit.SECONDS); // sent everything, failed the hash, banned
    assertThat(liar.requested).containsExactlyInAnyOrder(0, 1);
    assertThat(fetch.peers()).doesNotContain(liar.address());
    assertThat(fetch.metaInfo()).isNotDone();
    fetch.addPeers(List.of(seeder()));
    checkFetched(fetch.metaInfo().get(30, TimeUnit.SECONDS));
    assertThat(liar.requested).as("a banned peer is not dialled again").hasSize(2);
  }

  @Test
  void rejectedPiecesComeFromAnotherPeer() throws Exception {
    byte[] info = meta.infoBytes();
    FakeMetadataPeer rejecter = fake(info.length, piece -> piece == 1 ? null : infoPiece(info,
        piece));
    FakeMetadataPeer other = fake(info.length, piece -> infoPiece(info, piece));
    PeerClient leecher = client("-FL0001-", OPTIONS);
    MetadataFetch fetch = leecher.fetchMetadata(meta.infoHash(), TRACKERS);
    fetch.addPeers(List.of(rejecter.address()));
    // Only the rejecter: piece 1 cannot be had; the fetch waits.
    Thread.sleep(500);
    assertThat(fetch.metaInfo()).isNotDone();
    fetch.addPeers(List.of(other.address()));
    checkFetched(fetch.metaInfo().get(30, TimeUnit.SECONDS));
    assertThat(other.requested).contains(1);
  }

  @Test
  void whileFetchingWeRejectRequestsForTheMetadata() throws Exception {
    byte[] info = meta.infoBytes();
    FakeMetadataPeer peer = fake(info.length, piece -> infoPiece(info, piece));
    PeerClient leecher = client("-FL0001-", OPTIONS);
    MetadataFetch fetch = leecher.fetchMetadata(meta.infoHash(), TRACKERS);
    fetch.addPeers(List.of(peer.address()));
    peer.answered.get(20, TimeUnit.SECONDS);
    assertThat(peer.answersToOurRequest).containsExactly(2L); // reject
    checkFetched(fetch.metaInfo().get(30, TimeUnit.SECONDS));
  }

  @Test
  void aSmallerLimitRefusesOurOwnMetadata() throws Exception {
    InetSocketAddress seederAddress = seeder();
    PeerClient leecher = client("-FL0001-", OPTIONS.withMaxMetadataSize(16384));
    MetadataFetch fetch = leecher.fetchMetadata(meta.infoHash(), TRACKERS);
    fetch.addPeers(List.of(seederAddress));
    Thread.sleep(1500);
    assertThat(fetch.connectedPeers()).isZero();
    assertThat(fetch.metaInfo()).isNotDone();
    fetch.close();
    assertThatThrownBy(() -> fetch.metaInfo().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(CancellationException.class);
  }

  @Test
  void aSecondFetchOrATorrentOfTheSameHashIsRefused() throws Exception {
    PeerClient leecher = client("-FL0001-", OPTIONS);
    MetadataFetch fetch = leecher.fetchMetadata(meta.infoHash(), TRACKERS);
    assertThatThrownBy(() -> leecher.fetchMetadata(meta.infoHash(), TRACKERS))
        .isInstanceOf(IllegalStateException.class);
    fetch.close();
    MemoryStore store = new MemoryStore(meta, null, disk);
    leecher.addTorrent(meta, store, new BitSet(), new SwarmListener() {});
    assertThatThrownBy(() -> leecher.fetchMetadata(meta.infoHash(), TRACKERS))
        .isInstanceOf(IllegalStateException.class);
  }
}
