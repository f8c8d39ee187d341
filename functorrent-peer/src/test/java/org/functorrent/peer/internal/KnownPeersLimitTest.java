package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A tracker or a peer that hands us ever more addresses cannot make a swarm's address list grow
 * without bound.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KnownPeersLimitTest {
  static {
    NettyLeaks.install();
  }

  /** {@code count} loopback addresses from {@code first} on, port 9 (nothing listens there). */
  private static List<InetSocketAddress> addresses(int first, int count) throws Exception {
    List<InetSocketAddress> list = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      byte[] ip = {127, (byte) (200 + i / 65536), (byte) (i / 256), (byte) i};
      list.add(new InetSocketAddress(InetAddress.getByAddress(ip), 9));
    }
    return list;
  }

  @Test
  void theAddressListStaysBoundedHoweverManyAddressesArrive() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ExecutorService disk = Executors.newSingleThreadExecutor();
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    try (PeerClient client = PeerClient.create(group, PeerId.random("-FL0001-"), callbacks,
        PeerOptions.defaults())) {
      MetaInfo meta = TestTorrents.torrent(TestTorrents.randomData(1, 50_000), 16 * 1024);
      SwarmEngine swarm = (SwarmEngine) client.addTorrent(meta, new MemoryStore(meta, null, disk),
          new BitSet(), new SwarmListener() {});
      // What one tracker response of 1 MiB could hold, and then as much again.
      swarm.addPeers(addresses(0, 170_000));
      assertThat(swarm.knownPeerCount().get(10, TimeUnit.SECONDS))
          .isEqualTo(SwarmEngine.MAX_KNOWN_PEERS);
      swarm.addPeers(addresses(170_000, 170_000));
      assertThat(swarm.knownPeerCount().get(10, TimeUnit.SECONDS))
          .isEqualTo(SwarmEngine.MAX_KNOWN_PEERS);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      disk.shutdown();
      callbacks.shutdown();
    }
    NettyLeaks.assertNoLeaks();
  }
}
