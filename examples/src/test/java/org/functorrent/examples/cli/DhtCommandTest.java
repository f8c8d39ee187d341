package org.functorrent.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.functorrent.examples.cli.CommandRun.run;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.functorrent.dht.DhtNode;
import org.functorrent.dht.DhtOptions;
import org.functorrent.metainfo.MetaInfo;
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
  private OneFileSeeder seeder;
  private MetaInfo meta;
  private EventLoopGroup group;
  private DhtNode bootstrap;

  @BeforeEach
  void setUp() throws Exception {
    seeder = OneFileSeeder.create(dir.resolve("seed"), 500_000, 23);
    meta = seeder.meta();
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    bootstrap = DhtNode.create(loopback(), group);
    bootstrap.start().join();
  }

  @AfterEach
  void tearDown() {
    seeder.close();
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

  /**
   * Our seeder in this JVM, with no tracker, announcing itself on the DHT; returns once the
   * bootstrap node stores its announce. Else the command's first get_peers could run before it
   * and find nobody, and a lookup that found nobody is retried only after a minute, which is as
   * long as the command waits: the test failed whenever a warm JVM (other test classes run
   * first) started the command quickly enough.
   */
  private void seed() throws Exception {
    seeder.seed(
        OneFileSeeder.loopbackClient()
            .dht(loopback().withBootstrapNodes(List.of(bootstrap.localAddress().orElseThrow()))));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (bootstrap.stats().storedPeers() == 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the seeder's DHT announce never reached " + bootstrap);
      }
      Thread.sleep(10);
    }
  }

  private String magnet() {
    return "magnet:?xt=urn:btih:" + meta.infoHash().toHex();
  }

  @Test
  void downloadATrackerlessMagnetThroughTheDht() throws Exception {
    seed();
    Path into = dir.resolve("leech");
    CommandRun download =
        run("download", magnet(), "--dir", into.toString(), "--port", "0", "--bind",
            "127.0.0.1", "--dht-node", dhtNode());
    assertThat(download.status()).as(download.err()).isZero();
    assertThat(download.out()).contains("completed:");
    seeder.assertDownloadedInto(into);
  }

  @Test
  void infoFetchThroughTheDht() throws Exception {
    seed();
    CommandRun info =
        run("info", magnet(), "--fetch", "--port", "0", "--bind", "127.0.0.1", "--dht-node",
            dhtNode(), "--timeout", "60");
    assertThat(info.status()).as(info.err()).isZero();
    assertThat(info.out())
        .contains("name: share")
        .contains("info_hash: " + meta.infoHash().toHex());
  }

  @Test
  void dhtOptionsOfInfoNeedFetchAndABadNodeIsAUsageError() {
    CommandRun info = run("info", magnet(), "--dht-node", dhtNode());
    assertThat(info.status()).isEqualTo(2);
    assertThat(info.err()).contains("--dht options need --fetch");
    CommandRun bad = run("download", magnet(), "--port", "0", "--dht-node", "127.0.0.1");
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.err()).contains("--dht-node 127.0.0.1: expected HOST:PORT");
    CommandRun seedHelp = run("seed", "--help");
    assertThat(seedHelp.out()).contains("--dht-node").contains("--dht-port")
        .contains("--dht-public").contains("--dht-state");
  }
}
