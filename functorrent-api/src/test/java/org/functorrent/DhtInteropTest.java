package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.functorrent.dht.DhtNode;
import org.functorrent.dht.DhtOptions;
import org.functorrent.interop.Libtorrent;
import org.functorrent.interop.LoopbackPorts;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A magnet with no tracker and no peer, resolved through the DHT against libtorrent's DHT on
 * loopback (lt_client.py --dht: libtorrent bootstrapped from our loopback node only). One node of
 * ours is the bootstrap node of everybody; nothing leaves 127.0.0.0/8.
 */
@Tag("interop")
class DhtInteropTest {
  private static final Duration PATIENCE = Duration.ofMinutes(2);

  @TempDir Path dir;
  private InteropData data;
  private Path torrentFile;
  private MetaInfo meta;
  private Libtorrent libtorrent;
  private EventLoopGroup group;
  private DhtNode bootstrap;

  @BeforeEach
  void setUp() throws Exception {
    data = InteropData.write(dir.resolve("seed").resolve("set"), 5, "a.bin", 3_000_017,
        "b/c.bin", 1_234_567);
    torrentFile = dir.resolve("set.torrent"); // no tracker
    Files.write(torrentFile, TorrentCreator.of(data.root()).pieceLength(32768).create());
    meta = MetaInfo.parse(torrentFile);
    libtorrent = Libtorrent.in(dir.resolve("libtorrent"));
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    bootstrap = DhtNode.create(loopback(), group);
    bootstrap.start().get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() {
    bootstrap.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static DhtOptions loopback() {
    return DhtOptions.defaults()
        .withBindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .withMaxNodesPerIp(1000)
        .loopbackOnly();
  }

  private InetSocketAddress bootstrapAddress() {
    return bootstrap.localAddress().orElseThrow();
  }

  private TorrentClient client() {
    return TorrentClient.builder()
        .listenPort(0)
        .bindAddress(InetAddress.getLoopbackAddress())
        .dht(loopback().withBootstrapNodes(List.of(bootstrapAddress())))
        .build();
  }

  /**
   * Waits until a get_peers lookup from a node of ours finds {@code peer} for {@code hash}: the
   * peer's announce has landed. The deadline is a safety net, not a measurement.
   */
  private void awaitAnnounced(InfoHash hash, InetSocketAddress peer, String context)
      throws Exception {
    DhtNode probe =
        DhtNode.create(loopback().withBootstrapNodes(List.of(bootstrapAddress())), group);
    try {
      probe.start().get(30, TimeUnit.SECONDS);
      probe.bootstrapped().get(60, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      List<InetSocketAddress> found = List.of();
      while (!found.contains(peer) && System.nanoTime() < deadline) {
        found = probe.getPeers(hash, p -> {}).get(60, TimeUnit.SECONDS);
        if (!found.contains(peer)) {
          Thread.sleep(500);
        }
      }
      assertThat(found).as("announced into the DHT? %s", context).contains(peer);
    } finally {
      probe.close();
    }
  }

  @Test
  void weDownloadATrackerlessMagnetFromALibtorrentSeederFoundThroughTheDht() throws Exception {
    int port = LoopbackPorts.free();
    try (Libtorrent.Peer seeder =
            libtorrent.seed(torrentFile, dir.resolve("seed"), port, List.of(),
                List.of(bootstrapAddress()));
        TorrentClient client = client()) {
      InetSocketAddress seederAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(),
          port);
      awaitAnnounced(meta.infoHash(), seederAddress, seeder.output());
      Download d =
          client.start(
              Torrent.magnet("magnet:?xt=urn:btih:" + meta.infoHash().toHex())
                  .withDirectory(dir.resolve("out")),
              TorrentListener.NONE);
      DownloadStats stats;
      try {
        stats = d.completion().get(3, TimeUnit.MINUTES);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("not done: " + d.stats() + "\nseeder:\n" + seeder.output(), e);
      }
      assertThat(stats.state()).isEqualTo(DownloadState.COMPLETED);
      assertThat(d.metaInfo().infoHash()).isEqualTo(meta.infoHash());
    }
    data.assertSameAs(dir.resolve("out").resolve("set"));
  }

  @Test
  void aLibtorrentLeecherWithATrackerlessMagnetFindsOurSeederThroughTheDht() throws Exception {
    try (TorrentClient client = client()) {
      InteropData.seed(client, torrentFile, dir.resolve("seed"));
      InetSocketAddress us = new InetSocketAddress(InetAddress.getLoopbackAddress(),
          client.listenAddress().getPort());
      // libtorrent looks a new torrent up at once and then rarely: let our announce land first.
      awaitAnnounced(meta.infoHash(), us, "our seeder");
      try (Libtorrent.Peer leecher =
          libtorrent.leechWithDht("magnet:?xt=urn:btih:" + meta.infoHash().toHex(),
              dir.resolve("out"), LoopbackPorts.free(), List.of(bootstrapAddress()),
              PATIENCE.plusMinutes(1))) {
        leecher.awaitDone(PATIENCE);
      }
    }
    data.assertSameAs(dir.resolve("out").resolve("set"));
  }
}
