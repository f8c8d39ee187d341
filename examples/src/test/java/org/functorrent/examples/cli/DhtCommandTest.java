package org.functorrent.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.functorrent.Download;
import org.functorrent.DownloadOptions;
import org.functorrent.DownloadState;
import org.functorrent.Torrent;
import org.functorrent.TorrentClient;
import org.functorrent.TorrentListener;
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
 * The {@code --dht-*} options: a magnet with no tracker and no peer, resolved through a DHT of
 * loopback nodes (one bootstrap node, our seeder's node, the command's node).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DhtCommandTest {
  @TempDir Path dir;
  private Path data;
  private MetaInfo meta;
  private EventLoopGroup group;
  private DhtNode bootstrap;
  private TorrentClient seeder;

  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        FuncTorrentCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(status, out.toString(), err.toString());
  }

  @BeforeEach
  void setUp() throws Exception {
    data = dir.resolve("seed").resolve("share");
    Files.createDirectories(data);
    byte[] bytes = new byte[500_000];
    new Random(23).nextBytes(bytes);
    Files.write(data.resolve("a.bin"), bytes);
    meta = MetaInfo.parse(TorrentCreator.of(data).pieceLength(16384).create());
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    bootstrap = DhtNode.create(loopback(), group);
    bootstrap.start().join();
  }

  @AfterEach
  void tearDown() {
    if (seeder != null) {
      seeder.close();
    }
    bootstrap.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static DhtOptions loopback() {
    return DhtOptions.defaults()
        .withBindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .withMaxNodesPerIp(1000)
        .loopbackOnly();
  }

  private String dhtNode() {
    return "127.0.0.1:" + bootstrap.localAddress().orElseThrow().getPort();
  }

  /** Our seeder in this JVM, with no tracker, announcing itself on the DHT. */
  private void seed() throws Exception {
    seeder =
        TorrentClient.builder()
            .listenPort(0)
            .bindAddress(InetAddress.getLoopbackAddress())
            .dht(loopback().withBootstrapNodes(List.of(bootstrap.localAddress().orElseThrow())))
            .build();
    Download d =
        seeder.start(
            Torrent.of(meta)
                .withOptions(
                    DownloadOptions.defaults().withDirectory(dir.resolve("seed")).withSeed(true)),
            TorrentListener.NONE);
    assertThat(d.completion().get(1, TimeUnit.MINUTES).state()).isEqualTo(DownloadState.SEEDING);
  }

  private String magnet() {
    return "magnet:?xt=urn:btih:" + meta.infoHash().toHex();
  }

  @Test
  void downloadATrackerlessMagnetThroughTheDht() throws Exception {
    seed();
    Path into = dir.resolve("leech");
    Run download =
        run("download", magnet(), "--dir", into.toString(), "--port", "0", "--bind",
            "127.0.0.1", "--dht-node", dhtNode());
    assertThat(download.status()).as(download.err()).isZero();
    assertThat(download.out()).contains("completed:");
    assertThat(Files.mismatch(into.resolve("share").resolve("a.bin"), data.resolve("a.bin")))
        .isEqualTo(-1L);
  }

  @Test
  void infoFetchThroughTheDht() throws Exception {
    seed();
    Run info =
        run("info", magnet(), "--fetch", "--port", "0", "--bind", "127.0.0.1", "--dht-node",
            dhtNode(), "--timeout", "60");
    assertThat(info.status()).as(info.err()).isZero();
    assertThat(info.out())
        .contains("name: share")
        .contains("info_hash: " + meta.infoHash().toHex());
  }

  @Test
  void dhtOptionsOfInfoNeedFetchAndABadNodeIsAUsageError() {
    Run info = run("info", magnet(), "--dht-node", dhtNode());
    assertThat(info.status()).isEqualTo(2);
    assertThat(info.err()).contains("--dht options need --fetch");
    Run bad = run("download", magnet(), "--port", "0", "--dht-node", "127.0.0.1");
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.err()).contains("--dht-node 127.0.0.1: expected HOST:PORT");
    Run seedHelp = run("seed", "--help");
    assertThat(seedHelp.out()).contains("--dht-node").contains("--dht-port").contains("--dht-public")
        .contains("--dht-state");
  }
}
