package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.Libtorrent;
import org.functorrent.interop.LoopbackPorts;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our swarm engine downloads from a real libtorrent seeder (Debian's python3-libtorrent), connected
 * directly with {@code addPeers}, no tracker, everything on 127.0.0.1. For comparison, libtorrent's
 * own leecher then downloads from the same seeder in the same run; both rates are printed, neither
 * is asserted. Without paranoid leak detection, which would distort the rate.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LibtorrentInteropTest {
  @TempDir Path dir;

  @Test
  void downloadsFromALibtorrentSeeder() throws Exception {
    byte[] data = TestTorrents.randomData(42, 32 * 1024 * 1024 + 4321);
    MetaInfo meta = TestTorrents.torrent(data, 256 * 1024);
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Files.write(seedDir.resolve("test.bin"), data);
    Path torrentFile = dir.resolve("test.torrent");
    Files.write(torrentFile, meta.encoded());
    Libtorrent libtorrent = Libtorrent.in(dir.resolve("libtorrent"));

    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    ExecutorService disk = Executors.newFixedThreadPool(2);
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    try (Libtorrent.Peer seeder =
            libtorrent.seed(torrentFile, seedDir, LoopbackPorts.free(), List.of());
        PeerClient client =
            PeerClient.create(group, PeerId.random("-FT0001-"), callbacks, PeerOptions.defaults())) {
      MemoryStore store = new MemoryStore(meta, null, disk);
      Swarm swarm = client.addTorrent(meta, store, new BitSet(), new SwarmListener() {});
      long start = System.nanoTime();
      swarm.addPeers(List.of(seeder.address()));
      swarm.completion().get(120, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      SwarmStats stats = swarm.stats().get(5, TimeUnit.SECONDS);
      System.out.printf(
          "downloaded %d bytes from libtorrent in %.2f s (%.1f MiB/s), wasted %d%n",
          stats.downloadedBytes(), seconds, data.length / seconds / (1 << 20),
          stats.wastedBytes());
      assertThat(store.data).isEqualTo(data);
      assertThat(stats.failedPieces()).isZero();
      try (Libtorrent.Peer leecher =
          libtorrent.leech(
              torrentFile, dir.resolve("lt-out"), LoopbackPorts.free(),
              List.of(seeder.address()), Duration.ofMinutes(2))) {
        double ltSeconds = leecher.awaitDone(Duration.ofMinutes(2));
        System.out.printf(
            "libtorrent's own leecher, same seeder: %.2f s (%.1f MiB/s)%n",
            ltSeconds, data.length / ltSeconds / (1 << 20));
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      disk.shutdown();
      callbacks.shutdown();
    }
  }

  @Test
  void libtorrentDownloadsFromUs() throws Exception {
    byte[] data = TestTorrents.randomData(43, 16 * 1024 * 1024 + 999);
    MetaInfo meta = TestTorrents.torrent(data, 128 * 1024);
    Path torrentFile = dir.resolve("test.torrent");
    Files.write(torrentFile, meta.encoded());
    Path out = Files.createDirectories(dir.resolve("lt-out"));
    Libtorrent libtorrent = Libtorrent.in(dir.resolve("libtorrent"));
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    ExecutorService disk = Executors.newFixedThreadPool(2);
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    try (PeerClient client =
        PeerClient.create(group, PeerId.random("-FT0001-"), callbacks, PeerOptions.defaults())) {
      InetSocketAddress address =
          client.listen(new InetSocketAddress("127.0.0.1", 0)).get(5, TimeUnit.SECONDS);
      MemoryStore store = new MemoryStore(meta, data, disk);
      Swarm swarm = client.addTorrent(meta, store, store.all(), new SwarmListener() {});
      try (Libtorrent.Peer leecher =
          libtorrent.leech(
              torrentFile, out, LoopbackPorts.free(), List.of(address), Duration.ofMinutes(2))) {
        double seconds = leecher.awaitDone(Duration.ofMinutes(2));
        System.out.printf(
            "libtorrent downloaded from FuncTorrent: %.2f s (%.1f MiB/s)%n",
            seconds, data.length / seconds / (1 << 20));
      }
      assertThat(Files.readAllBytes(out.resolve("test.bin"))).isEqualTo(data);
      assertThat(swarm.stats().get(5, TimeUnit.SECONDS).uploadedBytes())
          .isGreaterThanOrEqualTo(data.length);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      disk.shutdown();
      callbacks.shutdown();
    }
  }
}
