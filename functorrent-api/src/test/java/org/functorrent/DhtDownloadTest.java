package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.functorrent.dht.DhtNode;
import org.functorrent.dht.DhtOptions;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DHT wired into {@link TorrentClient}, between clients of our own on 127.0.0.1 and one
 * bootstrap {@link DhtNode} on loopback: no tracker anywhere, nothing outside 127.0.0.0/8.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DhtDownloadTest {
  private static final int SIZE = 700_001;

  @TempDir Path dir;
  private EventLoopGroup group;
  private DhtNode bootstrap;
  private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    bootstrap = DhtNode.create(loopback(DhtOptions.defaults()), group);
    bootstrap.start().join();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    bootstrap.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** On 127.0.0.1, any port, talking to loopback only, every node of 127.0.0.1 accepted. */
  private static DhtOptions loopback(DhtOptions options) {
    return options
        .withBindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .withMaxNodesPerIp(1000)
        .loopbackOnly();
  }

  private DhtOptions bootstrappedToOurNode() {
    return loopback(DhtOptions.defaults())
        .withBootstrapNodes(List.of(bootstrap.localAddress().orElseThrow()));
  }

  private TorrentClient client(DhtOptions dht) {
    TorrentClient.Builder builder =
        TorrentClient.builder().listenPort(0).bindAddress(InetAddress.getLoopbackAddress());
    if (dht != null) {
      builder.dht(dht);
    }
    TorrentClient client = builder.build();
    toClose.add(client);
    return client;
  }

  /** A torrent of one file of random bytes, with no tracker. */
  private MetaInfo torrent(String name, boolean isPrivate, int seed) throws Exception {
    Path data = dir.resolve("seed").resolve(name);
    Files.createDirectories(data.getParent());
    byte[] bytes = new byte[SIZE];
    new Random(seed).nextBytes(bytes);
    Files.write(data, bytes);
    return MetaInfo.parse(
        TorrentCreator.of(data).pieceLength(16 * 1024).privateTorrent(isPrivate).create());
  }

  private void seed(TorrentClient client, MetaInfo meta) throws Exception {
    Download seeding =
        client.start(
            Torrent.of(meta)
                .withOptions(DownloadOptions.defaults().withDirectory(dir.resolve("seed"))
                    .withSeed(true)),
            TorrentListener.NONE);
    assertThat(seeding.completion().get(1, TimeUnit.MINUTES).state())
        .isEqualTo(DownloadState.SEEDING);
  }

  private void assertDownloaded(Path into, MetaInfo meta) throws Exception {
    assertThat(Files.mismatch(into.resolve(meta.name()), dir.resolve("seed").resolve(meta.name())))
        .isEqualTo(-1L);
  }

  private static final class Discovered implements TorrentListener {
    final List<InetSocketAddress> peers = new CopyOnWriteArrayList<>();

    @Override
    public void peersDiscovered(List<InetSocketAddress> found) {
      peers.addAll(found);
    }
  }

  @Test
  void aMagnetWithNoTrackerAndNoPeerResolvesThroughTheDhtAndDownloads() throws Exception {
    MetaInfo meta = torrent("public.bin", false, 1);
    TorrentClient seeder = client(bootstrappedToOurNode());
    seed(seeder, meta);
    TorrentClient leecher = client(bootstrappedToOurNode());
    assertThat(leecher.dht()).isPresent();
    String magnet = "magnet:?xt=urn:btih:" + meta.infoHash().toHex();
    Path into = dir.resolve("leech");
    Discovered discovered = new Discovered();
    Download d = leecher.start(Torrent.magnet(magnet).withDirectory(into), discovered);
    assertThat(d.completion().get(2, TimeUnit.MINUTES).state())
        .isEqualTo(DownloadState.COMPLETED);
    assertDownloaded(into, meta);
    assertThat(discovered.peers).as("the seeder, found through the DHT")
        .contains(new InetSocketAddress(InetAddress.getLoopbackAddress(),
            seeder.listenAddress().getPort()));
  }

  @Test
  void aPrivateTorrentNeverUsesTheDht() throws Exception {
    MetaInfo open = torrent("public.bin", false, 2);
    MetaInfo closed = torrent("private.bin", true, 3);
    TorrentClient seeder = client(bootstrappedToOurNode());
    seed(seeder, closed);
    seed(seeder, open);
    // A leecher of the private torrent, from a magnet with the seeder as x.pe: the magnet phase
    // may look it up, the download that knows it is private must not announce it.
    TorrentClient leecher = client(bootstrappedToOurNode());
    Path into = dir.resolve("leech");
    Download d =
        leecher.start(
            Torrent.magnet("magnet:?xt=urn:btih:" + closed.infoHash().toHex() + "&x.pe=127.0.0.1:"
                    + seeder.listenAddress().getPort())
                .withDirectory(into),
            TorrentListener.NONE);
    assertThat(d.completion().get(2, TimeUnit.MINUTES).state())
        .isEqualTo(DownloadState.COMPLETED);
    assertDownloaded(into, closed);

    // The public torrent, started after the private one, is announced: wait until a node of the
    // DHT finds it, then the private one has had every chance to be announced too.
    InetSocketAddress seederAddress =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), seeder.listenAddress().getPort());
    DhtNode probe = DhtNode.create(bootstrappedToOurNode(), group);
    toClose.add(probe);
    probe.start().join();
    probe.bootstrapped().get(30, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<InetSocketAddress> found = List.of();
    while (!found.contains(seederAddress) && System.nanoTime() < deadline) {
      found = probe.getPeers(open.infoHash(), peers -> {}).get(30, TimeUnit.SECONDS);
      if (!found.contains(seederAddress)) {
        Thread.sleep(200);
      }
    }
    assertThat(found).as("the public torrent is announced").contains(seederAddress);
    assertThat(probe.getPeers(closed.infoHash(), peers -> {}).get(30, TimeUnit.SECONDS))
        .as("the private torrent is announced by nobody").isEmpty();
    assertThat(bootstrap.stats().storedInfoHashes()).as("only the public torrent").isEqualTo(1);
  }

  @Test
  void withoutDhtOptionsOrWithoutBootstrapTheClientRunsNoDht() {
    assertThat(client(null).dht()).isEmpty();
    assertThat(client(loopback(DhtOptions.defaults())).dht())
        .as("enabled but no bootstrap node and no state file").isEmpty();
    assertThat(client(bootstrappedToOurNode().withEnabled(false)).dht()).isEmpty();
  }

  @Test
  void theDhtBindsTheClientsAddressWhenItsOptionsSayAnyAddress() {
    TorrentClient client =
        client(DhtOptions.defaults()
            .withBindAddress(new InetSocketAddress(0))
            .withMaxNodesPerIp(1000)
            .loopbackOnly()
            .withBootstrapNodes(List.of(bootstrap.localAddress().orElseThrow())));
    InetSocketAddress bound = client.dht().orElseThrow().localAddress().orElseThrow();
    assertThat(bound.getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
    assertThat(bound.getPort()).isPositive();
  }
}
