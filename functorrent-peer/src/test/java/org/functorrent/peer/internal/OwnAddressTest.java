package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.MemoryStore;
import org.functorrent.peer.PeerClient;
import org.functorrent.peer.PeerOptions;
import org.functorrent.peer.SwarmListener;
import org.functorrent.peer.TestTorrents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A tracker names us among the peers it hands back: a swarm does not keep (and so never dials)
 * its own client's listen address.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OwnAddressTest {
  static {
    NettyLeaks.install();
  }

  private EventLoopGroup group;
  private ExecutorService disk;
  private ExecutorService callbacks;

  @BeforeEach
  void setUp() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    disk = Executors.newSingleThreadExecutor();
    callbacks = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void tearDown() throws Exception {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    disk.shutdown();
    callbacks.shutdown();
    NettyLeaks.assertNoLeaks();
  }

  /**
   * How many of {@code offered} a swarm keeps, its client listening on {@code listenOn}; an
   * address of port 0 stands for the listen port.
   */
  private int keptOf(InetAddress listenOn, List<InetSocketAddress> offered) throws Exception {
    try (PeerClient client =
        PeerClient.create(group, PeerId.random("-FL0001-"), callbacks, PeerOptions.defaults())) {
      int port = client.listen(new InetSocketAddress(listenOn, 0)).get(10, TimeUnit.SECONDS)
          .getPort();
      MetaInfo meta = TestTorrents.torrent(TestTorrents.randomData(1, 50_000), 16 * 1024);
      SwarmEngine swarm =
          (SwarmEngine)
              client.addTorrent(
                  meta, new MemoryStore(meta, null, disk), new BitSet(), new SwarmListener() {});
      List<InetSocketAddress> withPort =
          offered.stream()
              .map(a -> a.getPort() == 0 ? new InetSocketAddress(a.getAddress(), port) : a)
              .toList();
      swarm.addPeers(withPort);
      return swarm.knownPeerCount().get(10, TimeUnit.SECONDS);
    }
  }

  /** {@code ip} on the listen port. */
  private static InetSocketAddress ours(String ip) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(ip), 0);
  }

  private static InetSocketAddress address(String ip, int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(ip), port);
  }

  @Test
  void listeningOnOneAddressOnlyThatAddressAndPortAreLeftOut() throws Exception {
    int kept =
        keptOf(
            InetAddress.getByName("127.0.0.1"),
            List.of(ours("127.0.0.1"), ours("127.0.0.2"), address("127.0.0.1", 9)));
    // 127.0.0.2 on our port is another socket: we listen on 127.0.0.1 only.
    assertThat(kept).isEqualTo(2);
  }

  @Test
  void onEveryInterfaceOurPortOnLoopbackOrTheWildcardIsUs() throws Exception {
    InetSocketAddress wildcard = address("0.0.0.0", 6881);
    assertThat(ClientCore.reaches(wildcard, address("127.0.0.1", 6881))).isTrue();
    assertThat(ClientCore.reaches(wildcard, address("127.9.9.9", 6881))).isTrue();
    assertThat(ClientCore.reaches(wildcard, address("::1", 6881))).isTrue();
    assertThat(ClientCore.reaches(wildcard, address("0.0.0.0", 6881))).isTrue();
    assertThat(ClientCore.reaches(wildcard, address("127.0.0.1", 6882))).isFalse();
    // Another interface's address may be ours too; the handshake's peer id tells, not this.
    assertThat(ClientCore.reaches(wildcard, address("10.11.12.13", 6881))).isFalse();
  }
}
