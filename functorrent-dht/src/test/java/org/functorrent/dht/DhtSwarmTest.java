package org.functorrent.dht;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.InfoHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hundreds of our nodes in one JVM on 127.0.0.1, sharing one event loop group. Each bootstraps
 * from the node started before it (a chain through loopback only); then nodes announce torrents,
 * and every node's get_peers lookup must find the announced peers, also after a fifth of the
 * nodes have left.
 */
class DhtSwarmTest {
  private static final int NODES = 300;
  private static final int IN_PARALLEL = 25;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void everyNodeFindsThePeersAnnouncedByOthers() throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    ExecutorService callbacks = Executors.newFixedThreadPool(2);
    List<DhtNode> nodes = new ArrayList<>();
    try {
      long started = System.nanoTime();
      InetSocketAddress previous = null;
      for (int i = 0; i < NODES; i++) {
        DhtNode node = DhtNode.create(
            previous == null ? LoopbackDht.options() : LoopbackDht.options(previous),
            group, callbacks);
        nodes.add(node);
        previous = node.start().get(30, TimeUnit.SECONDS);
        node.bootstrapped().get(60, TimeUnit.SECONDS);
      }
      long bootstrapMillis = (System.nanoTime() - started) / 1_000_000;

      List<InfoHash> hashes = new ArrayList<>();
      List<InetSocketAddress> expected = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        byte[] b = new byte[20];
        random.nextBytes(b);
        InfoHash hash = InfoHash.of(b);
        DhtNode announcer = nodes.get(random.nextInt(NODES));
        int port = 20000 + k;
        AnnounceResult result = announcer.announce(hash, port).get(60, TimeUnit.SECONDS);
        assertThat(result.storedAt()).as("seed %s", seed).isGreaterThanOrEqualTo(4);
        hashes.add(hash);
        expected.add(new InetSocketAddress(announcer.localAddress().orElseThrow().getAddress(),
            port));
      }

      long lookupsStarted = System.nanoTime();
      long queriesBefore = nodes.stream().mapToLong(n -> n.stats().queriesSent()).sum();
      int missing = 0;
      List<String> misses = new ArrayList<>();
      for (int k = 0; k < hashes.size(); k++) {
        for (int from = 0; from < NODES; from += IN_PARALLEL) {
          List<CompletableFuture<List<InetSocketAddress>>> batch = new ArrayList<>();
          for (int i = from; i < Math.min(NODES, from + IN_PARALLEL); i++) {
            batch.add(nodes.get(i).getPeers(hashes.get(k), p -> {}));
          }
          for (int j = 0; j < batch.size(); j++) {
            List<InetSocketAddress> peers = batch.get(j).get(60, TimeUnit.SECONDS);
            if (!peers.contains(expected.get(k))) {
              missing++;
              misses.add("node " + (from + j) + " hash " + k + " got " + peers);
            }
          }
        }
      }
      long lookupMillis = (System.nanoTime() - lookupsStarted) / 1_000_000;
      long queries =
          nodes.stream().mapToLong(n -> n.stats().queriesSent()).sum() - queriesBefore;
      // Among honest nodes nothing is malformed or from the wrong address; an answer may come
      // after its query timed out on a busy machine (counted as an unknown transaction).
      long dropped = nodes.stream().mapToLong(n -> n.stats().droppedMalformed()
          + n.stats().droppedOversized() + n.stats().droppedWrongAddress()
          + n.stats().droppedFiltered()).sum();
      long late = nodes.stream().mapToLong(n -> n.stats().droppedUnknownTransaction()).sum();
      long timeouts = nodes.stream().mapToLong(n -> n.stats().timeouts()).sum();
      int minTable = nodes.stream().mapToInt(DhtNode::routingTableSize).min().orElse(0);
      double meanTable = nodes.stream().mapToInt(DhtNode::routingTableSize).average().orElse(0);
      System.out.printf(
          "DHT swarm: %d nodes bootstrapped in %d ms; %d lookups in %d ms, %.1f queries per "
              + "lookup; routing tables min %d mean %.1f; %d datagrams dropped, %d timeouts, %d "
              + "late answers%n",
          NODES, bootstrapMillis, NODES * hashes.size(), lookupMillis,
          (double) queries / (NODES * hashes.size()), minTable, meanTable, dropped, timeouts,
          late);
      assertThat(misses).as("seed %s", seed).isEmpty();
      assertThat(missing).isZero();
      assertThat(dropped).isZero();
      assertThat(minTable).isPositive();
    } finally {
      for (DhtNode n : nodes) {
        n.close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      callbacks.shutdownNow();
    }
  }

  /**
   * A fifth of the nodes go away after the announce, without a word: the others' lookups meet
   * timeouts, mark those nodes failed, go around them and still find the peer (stored at the 8
   * closest nodes, so at least one copy is almost surely alive: all 8 gone has odds of 0.2^8).
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void lookupsGoAroundNodesThatLeft() throws Exception {
    int count = 150;
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    ExecutorService callbacks = Executors.newFixedThreadPool(2);
    List<DhtNode> nodes = new ArrayList<>();
    try {
      InetSocketAddress previous = null;
      for (int i = 0; i < count; i++) {
        DhtNode node = DhtNode.create(
            previous == null ? LoopbackDht.options() : LoopbackDht.options(previous),
            group, callbacks);
        nodes.add(node);
        previous = node.start().get(30, TimeUnit.SECONDS);
        node.bootstrapped().get(60, TimeUnit.SECONDS);
      }
      byte[] b = new byte[20];
      random.nextBytes(b);
      InfoHash hash = InfoHash.of(b);
      DhtNode announcer = nodes.get(random.nextInt(count));
      assertThat(announcer.announce(hash, 20000).get(60, TimeUnit.SECONDS).storedAt())
          .isGreaterThanOrEqualTo(4);
      InetSocketAddress expected =
          new InetSocketAddress(announcer.localAddress().orElseThrow().getAddress(), 20000);

      List<DhtNode> alive = new ArrayList<>();
      for (DhtNode n : nodes) {
        if (n != announcer && random.nextInt(5) == 0) {
          n.close();
        } else {
          alive.add(n);
        }
      }
      long started = System.nanoTime();
      List<String> misses = new ArrayList<>();
      for (int from = 0; from < alive.size(); from += IN_PARALLEL) {
        List<CompletableFuture<List<InetSocketAddress>>> batch = new ArrayList<>();
        for (int i = from; i < Math.min(alive.size(), from + IN_PARALLEL); i++) {
          batch.add(alive.get(i).getPeers(hash, p -> {}));
        }
        for (int j = 0; j < batch.size(); j++) {
          List<InetSocketAddress> peers = batch.get(j).get(120, TimeUnit.SECONDS);
          if (!peers.contains(expected)) {
            misses.add("node " + (from + j) + " got " + peers);
          }
        }
      }
      long lookupMillis = (System.nanoTime() - started) / 1_000_000;
      // A lookup may end before its queries to departed nodes time out (5 s): wait for those.
      long timeouts = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while ((timeouts = alive.stream().mapToLong(n -> n.stats().timeouts()).sum()) == 0
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      System.out.printf("DHT churn: %d of %d nodes left; %d lookups in %d ms; %d timeouts%n",
          count - alive.size(), count, alive.size(), lookupMillis, timeouts);
      assertThat(misses).as("seed %s", seed).isEmpty();
      assertThat(timeouts).as("the departed were asked, and did not answer").isPositive();
    } finally {
      for (DhtNode n : nodes) {
        n.close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      callbacks.shutdownNow();
    }
  }
}
