package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints the rate of one of our seeders to one of our leechers on loopback, without paranoid leak
 * detection (it slows every buffer access); asserts the bytes only. Run alone: {@code
 * -Dtest=LoopbackThroughputTest}.
 */
@Tag("interop")
class LoopbackThroughputTest {
  @Test
  void seederToLeecher() throws Exception {
    byte[] data = TestTorrents.randomData(9, 64 * 1024 * 1024);
    MetaInfo meta = TestTorrents.torrent(data, 256 * 1024);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    ExecutorService disk = Executors.newFixedThreadPool(2);
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    try (PeerClient seeder = PeerClient.create(group, PeerId.random("-FS0001-"), callbacks,
            PeerOptions.defaults());
        PeerClient leecher = PeerClient.create(group, PeerId.random("-FL0001-"), callbacks,
            PeerOptions.defaults())) {
      InetSocketAddress address =
          seeder.listen(new InetSocketAddress("127.0.0.1", 0)).get(5, TimeUnit.SECONDS);
      MemoryStore seedStore = new MemoryStore(meta, data, disk);
      seeder.addTorrent(meta, seedStore, seedStore.all(), new SwarmListener() {});
      MemoryStore store = new MemoryStore(meta, null, disk);
      Swarm swarm = leecher.addTorrent(meta, store, new BitSet(), new SwarmListener() {});
      long start = System.nanoTime();
      swarm.addPeers(List.of(address));
      swarm.completion().get(120, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("FuncTorrent -> FuncTorrent: %d MiB in %.2f s (%.1f MiB/s)%n",
          data.length >> 20, seconds, data.length / seconds / (1 << 20));
      assertThat(store.data).isEqualTo(data);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      disk.shutdown();
      callbacks.shutdown();
    }
  }
}
