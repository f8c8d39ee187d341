package org.functorrent.dht;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.InfoHash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two or three of our nodes on 127.0.0.1: the four queries end to end through the facade. */
@Timeout(60)
class DhtNodeTest {
  private EventLoopGroup group;
  private ExecutorService callbacks;
  private final List<DhtNode> nodes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    callbacks = Executors.newFixedThreadPool(2);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (DhtNode n : nodes) {
      n.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    callbacks.shutdownNow();
  }

  private DhtNode node(DhtOptions options) {
    DhtNode n = DhtNode.create(options, group, callbacks);
    nodes.add(n);
    return n;
  }

  private static InfoHash randomHash() {
    byte[] b = new byte[20];
    new Random().nextBytes(b);
    return InfoHash.of(b);
  }

  @Test
  void aNodeAnnouncedToIsFoundByAnotherNode() {
    DhtNode a = node(LoopbackDht.options());
    InetSocketAddress aAddress = a.start().join();
    assertThat(aAddress.getAddress().isLoopbackAddress()).isTrue();
    assertThat(a.bootstrapped().join()).isZero(); // nobody to ask

    DhtNode b = node(LoopbackDht.options(aAddress));
    InetSocketAddress bAddress = b.start().join();
    assertThat(b.bootstrapped().join()).isEqualTo(1);
    DhtNode c = node(LoopbackDht.options(bAddress));
    c.start().join();
    assertThat(c.bootstrapped().join()).isGreaterThanOrEqualTo(1);

    InfoHash hash = randomHash();
    assertThat(c.getPeers(hash, p -> {}).join()).isEmpty();

    AnnounceResult announced = b.announce(hash, 6001).join();
    assertThat(announced.storedAt()).isPositive();
    assertThat(announced.peers()).isEmpty();

    List<InetSocketAddress> seen = new CopyOnWriteArrayList<>();
    List<InetSocketAddress> found = c.getPeers(hash, seen::addAll).join();
    assertThat(found).containsExactly(new InetSocketAddress(bAddress.getAddress(), 6001));
    // Every callback ran before the future completed.
    assertThat(seen).containsExactlyElementsOf(found);
    assertThat(c.stats().queriesSent()).isPositive();
    assertThat(c.stats().dropped()).isZero();
  }

  @Test
  void impliedPortStoresTheUdpSourcePort() {
    DhtNode a = node(LoopbackDht.options());
    InetSocketAddress aAddress = a.start().join();
    DhtNode b = node(LoopbackDht.options(aAddress));
    InetSocketAddress bAddress = b.start().join();
    b.bootstrapped().join();
    InfoHash hash = randomHash();
    assertThat(b.announceImpliedPort(hash).join().storedAt()).isEqualTo(1);
    assertThat(b.getPeers(hash, p -> {}).join()).containsExactly(bAddress);
  }

  @Test
  void addNodePingsAndTheNodeEntersTheTable() throws Exception {
    DhtNode a = node(LoopbackDht.options());
    InetSocketAddress aAddress = a.start().join();
    DhtNode b = node(LoopbackDht.options());
    b.start().join();
    assertThat(b.bootstrapped().join()).isZero();
    b.addNode(aAddress);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (b.routingTableSize() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(b.routingTableSize()).isEqualTo(1);
  }

  @Test
  void theIdSurvivesARestartThroughTheStateFile(@TempDir Path dir) throws Exception {
    DhtNode a = node(LoopbackDht.options());
    InetSocketAddress aAddress = a.start().join();
    Path state = dir.resolve("dht.state");
    DhtNode b = node(LoopbackDht.options(aAddress).withStateFile(state));
    b.start().join();
    assertThat(b.bootstrapped().join()).isEqualTo(1);
    NodeId id = b.id();
    b.close();
    assertThat(state).exists();

    // Restarted without bootstrap nodes: same id, and it finds `a` again from the saved nodes.
    DhtNode again = node(LoopbackDht.options().withStateFile(state));
    assertThat(again.id()).isEqualTo(id);
    again.start().join();
    assertThat(again.bootstrapped().join()).isEqualTo(1);
  }

  @Test
  void aCorruptStateFileGivesANewIdAndIsReplacedOnClose(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("dht.state");
    java.nio.file.Files.writeString(state, "not bencode");
    DhtNode n = node(LoopbackDht.options().withStateFile(state));
    n.start().join();
    NodeId id = n.id();
    n.close();
    assertThat(DhtNode.create(LoopbackDht.options().withStateFile(state), group, callbacks).id())
        .isEqualTo(id);
  }

  @Test
  void aDisabledNodeBindsNothingAndSaysSo() {
    DhtNode n = node(DhtOptions.disabled());
    assertThatThrownBy(() -> n.start().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(DhtException.class)
        .hasMessageContaining("disabled");
    assertThat(n.localAddress()).isEmpty();
    assertThatThrownBy(() -> n.getPeers(randomHash(), p -> {}).join())
        .hasCauseInstanceOf(DhtException.class);
  }

  @Test
  void closeIsIdempotentEndsOperationsAndFreesThePort() throws Exception {
    DhtNode a = node(LoopbackDht.options());
    InetSocketAddress address = a.start().join();
    a.close();
    a.close();
    assertThat(a.getPeers(randomHash(), p -> {})).isCompletedExceptionally();
    // The JDK releases a selector-registered socket at the event loop's next select, so the port
    // may stay bound for a moment after close(): retry, with a deadline as a safety net.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    java.net.DatagramSocket again = null;
    while (again == null) {
      try {
        again = new java.net.DatagramSocket(address);
      } catch (java.net.BindException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(10);
      }
    }
    try (java.net.DatagramSocket bound = again) {
      assertThat(bound.getLocalPort()).isEqualTo(address.getPort());
    }
  }

  @Test
  void closeWhileALookupRunsEndsItWithWhatItHas() throws Exception {
    // A bootstrap node that never answers, and a query timeout far beyond the test's: only
    // close() can end the bootstrap lookup.
    try (java.net.DatagramSocket silent = new java.net.DatagramSocket(
        new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))) {
      DhtNode b = node(LoopbackDht.options((InetSocketAddress) silent.getLocalSocketAddress())
          .withQueryTimeout(java.time.Duration.ofMinutes(10)));
      b.start().join();
      silent.setSoTimeout(10_000);
      silent.receive(new java.net.DatagramPacket(new byte[4096], 4096)); // its find_node
      assertThat(b.bootstrapped()).isNotDone();
      b.close();
      assertThat(b.bootstrapped().join()).isZero();
    }
  }

  @Test
  void aThrowingCallbackChangesNothing() {
    DhtNode a = node(LoopbackDht.options());
    InetSocketAddress aAddress = a.start().join();
    DhtNode b = node(LoopbackDht.options(aAddress));
    b.start().join();
    b.bootstrapped().join();
    InfoHash hash = randomHash();
    a.announce(hash, 7000).join();
    assertThat(b.getPeers(hash, p -> {
      throw new IllegalStateException("listener bug");
    }).join()).hasSize(1);
  }

  @Test
  void defaultsNameNoBootstrapNodeAndThePublicRoutersAreOptIn() {
    assertThat(DhtOptions.defaults().bootstrapNodes()).isEmpty();
    assertThat(DhtOptions.publicBootstrapNodes())
        .extracting(InetSocketAddress::getHostString)
        .containsExactly("router.bittorrent.com", "dht.transmissionbt.com", "router.utorrent.com");
    assertThat(DhtOptions.publicBootstrapNodes()).allMatch(InetSocketAddress::isUnresolved);
    assertThat(DhtOptions.parseHostPort("127.0.0.1:6881"))
        .isEqualTo(InetSocketAddress.createUnresolved("127.0.0.1", 6881));
    assertThat(DhtOptions.parseHostPort("[::1]:7000").getHostString()).isEqualTo("::1");
    assertThatThrownBy(() -> DhtOptions.parseHostPort("localhost"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DhtOptions.parseHostPort("localhost:0"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
