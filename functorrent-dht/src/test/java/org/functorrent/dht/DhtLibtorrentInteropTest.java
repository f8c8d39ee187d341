package org.functorrent.dht;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.Libtorrent;
import org.functorrent.interop.LoopbackPorts;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our DHT and libtorrent's (2.0.8, python3-libtorrent) in one swarm on 127.0.0.1: ten of our
 * nodes, and a libtorrent session whose DHT is bootstrapped from one of them only (lt_client.py
 * --dht; its public bootstrap node is replaced before the session starts, and every node anyone
 * learns of is on loopback). Both directions: a libtorrent seeder announces itself and our
 * get_peers finds it; we announce a listener and libtorrent, given only a magnet link without
 * trackers, finds it through the DHT and connects to it with a BitTorrent handshake for that
 * info-hash.
 */
@Tag("interop")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DhtLibtorrentInteropTest {
  private static final int OUR_NODES = 10;
  private static final Duration PATIENCE = Duration.ofMinutes(2);

  @TempDir Path dir;
  private EventLoopGroup group;
  private ExecutorService callbacks;
  private final List<DhtNode> nodes = new ArrayList<>();

  @BeforeEach
  void startOurSwarm() throws Exception {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    callbacks = Executors.newFixedThreadPool(2);
    InetSocketAddress previous = null;
    for (int i = 0; i < OUR_NODES; i++) {
      DhtNode node = DhtNode.create(
          previous == null ? LoopbackDht.options() : LoopbackDht.options(previous),
          group, callbacks);
      nodes.add(node);
      previous = node.start().get(30, TimeUnit.SECONDS);
      node.bootstrapped().get(60, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (DhtNode n : nodes) {
      n.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    callbacks.shutdownNow();
  }

  private InetSocketAddress entryNode() {
    return nodes.get(0).localAddress().orElseThrow();
  }

  @Test
  void aLibtorrentSeederAnnouncedIntoOurDhtIsFoundByOurGetPeers() throws Exception {
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    byte[] payload = new byte[256 * 1024];
    new Random().nextBytes(payload);
    Files.write(seedDir.resolve("payload.bin"), payload);
    byte[] torrentBytes = TorrentCreator.of(seedDir.resolve("payload.bin")).create(); // trackerless
    Path torrent = Files.write(dir.resolve("payload.torrent"), torrentBytes);
    InfoHash hash = MetaInfo.parse(torrentBytes).infoHash();

    Libtorrent libtorrent = Libtorrent.in(dir.resolve("lt"));
    int port = LoopbackPorts.free();
    InetSocketAddress seederAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    try (Libtorrent.Peer seeder =
        libtorrent.seed(torrent, seedDir, port, List.of(), List.of(entryNode()))) {
      // libtorrent announces on its own schedule: ask again (from different nodes of ours) until
      // the announce has landed. The deadline is a safety net, not a measurement.
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      List<InetSocketAddress> found = List.of();
      int round = 0;
      while (!found.contains(seederAddress) && System.nanoTime() < deadline) {
        if (round > 0) {
          Thread.sleep(500);
        }
        DhtNode asker = nodes.get(round++ % OUR_NODES);
        found = asker.getPeers(hash, p -> {}).get(60, TimeUnit.SECONDS);
      }
      assertThat(found).as("libtorrent's output:%n%s", seeder.output()).contains(seederAddress);
      assertThat(nodes.stream().mapToLong(n -> n.stats().queriesReceived()).sum()).isPositive();
      assertThat(nodes.stream().mapToLong(n -> n.stats().droppedMalformed()).sum()).isZero();

      // The other way round: a new node of ours that knows only libtorrent's DHT node (on the
      // same port as its TCP listener) bootstraps through it and finds the seeder too.
      DhtNode newcomer = DhtNode.create(LoopbackDht.options(seederAddress), group, callbacks);
      nodes.add(newcomer);
      newcomer.start().get(30, TimeUnit.SECONDS);
      assertThat(newcomer.bootstrapped().get(60, TimeUnit.SECONDS))
          .as("libtorrent answered find_node, with nodes we then reached: %s%nlibtorrent:%n%s",
              newcomer.stats(), seeder.output())
          .isGreaterThanOrEqualTo(2);
      assertThat(newcomer.getPeers(hash, p -> {}).get(60, TimeUnit.SECONDS))
          .contains(seederAddress);
      assertThat(newcomer.stats().dropped()).isZero();
      assertThat(newcomer.stats().errorsReceived()).isZero();

      // Our announce_peer, with the token libtorrent gave us, is accepted by libtorrent's node: a
      // node of ours that may talk to libtorrent's node only stores at it or nowhere.
      DhtNode onlyLibtorrent = DhtNode.create(LoopbackDht.options(seederAddress).toBuilder()
          .addressFilter(seederAddress::equals).build(), group, callbacks);
      nodes.add(onlyLibtorrent);
      onlyLibtorrent.start().get(30, TimeUnit.SECONDS);
      assertThat(onlyLibtorrent.bootstrapped().get(60, TimeUnit.SECONDS))
          .as("%s", onlyLibtorrent.stats())
          .isEqualTo(1);
      byte[] other = new byte[20];
      new Random().nextBytes(other);
      InfoHash second = InfoHash.of(other);
      AnnounceResult announced =
          onlyLibtorrent.announce(second, 31337).get(60, TimeUnit.SECONDS);
      assertThat(announced.storedAt()).isEqualTo(1);
      long deadline2 = System.nanoTime() + PATIENCE.toNanos();
      while (!seeder.output().contains(":31337") && System.nanoTime() < deadline2) {
        Thread.sleep(100);
      }
      assertThat(seeder.output())
          .containsPattern("dht_announce_alert: .*127\\.0\\.0\\.1:31337.*" + second.toHex());
    }
  }

  @Test
  void whatWeAnnounceIsFoundByLibtorrentFromAMagnetWithoutTrackers() throws Exception {
    byte[] b = new byte[20];
    new Random().nextBytes(b);
    InfoHash hash = InfoHash.of(b);
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CompletableFuture<byte[]> handshakeInfoHash = new CompletableFuture<>();
      Thread acceptor = new Thread(() -> acceptHandshakes(listener, hash, handshakeInfoHash),
          "handshake-listener");
      acceptor.setDaemon(true);
      acceptor.start();

      AnnounceResult announced =
          nodes.get(OUR_NODES / 2)
              .announce(hash, listener.getLocalPort())
              .get(60, TimeUnit.SECONDS);
      assertThat(announced.storedAt()).isPositive();

      Libtorrent libtorrent = Libtorrent.in(dir.resolve("lt"));
      try (Libtorrent.Peer leecher = libtorrent.magnet(hash.toHex(), dir.resolve("magnet"),
          LoopbackPorts.free(), List.of(entryNode()), PATIENCE.plusMinutes(1))) {
        byte[] got;
        try {
          got = handshakeInfoHash.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new AssertionError("libtorrent never connected; its output:\n" + leecher.output(),
              e);
        }
        assertThat(InfoHash.of(got)).isEqualTo(hash);
      }
    }
  }

  /** Accepts connections until one sends a BitTorrent handshake; completes with its info-hash. */
  private static void acceptHandshakes(
      ServerSocket listener, InfoHash expected, CompletableFuture<byte[]> result) {
    while (!result.isDone() && !listener.isClosed()) {
      try (Socket s = listener.accept()) {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        byte[] handshake = new byte[68];
        new DataInputStream(in).readFully(handshake);
        if (handshake[0] == 19
            && new String(handshake, 1, 19, java.nio.charset.StandardCharsets.ISO_8859_1)
                .equals("BitTorrent protocol")) {
          result.complete(Arrays.copyOfRange(handshake, 28, 48));
        }
      } catch (IOException e) {
        // Closed at the end of the test, or a connection that sent no handshake: go on.
      }
    }
  }
}
