package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * A real libtorrent seeder whose data is partly corrupt, seeded without checking, beside a good
 * libtorrent seeder: we finish with the right bytes and ban the corrupt one.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CorruptLibtorrentSeederInteropTest {
  @TempDir Path dir;

  @Test
  void theCorruptSeederIsBannedAndTheGoodOneFinishesTheDownload() throws Exception {
    int pieceLength = 64 * 1024;
    byte[] data = TestTorrents.randomData(44, 4 * 1024 * 1024 + 777);
    MetaInfo meta = TestTorrents.torrent(data, pieceLength);
    Path torrentFile = dir.resolve("test.torrent");
    Files.write(torrentFile, meta.encoded());
    Path goodDir = Files.createDirectories(dir.resolve("good"));
    Files.write(goodDir.resolve("test.bin"), data);
    // Every third piece has one byte flipped in its middle.
    byte[] corrupt = data.clone();
    for (int piece = 0; piece < meta.pieceCount(); piece += 3) {
      int at = (int) Math.min(data.length - 1, (long) piece * pieceLength + pieceLength / 2);
      corrupt[at] ^= 0x01;
    }
    Path badDir = Files.createDirectories(dir.resolve("bad"));
    Files.write(badDir.resolve("test.bin"), corrupt);
    Libtorrent libtorrent = Libtorrent.in(dir.resolve("libtorrent"));

    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    ExecutorService disk = Executors.newFixedThreadPool(2);
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    try (Libtorrent.Peer bad =
            libtorrent.seedUnchecked(torrentFile, badDir, LoopbackPorts.free(), List.of());
        Libtorrent.Peer good = libtorrent.seed(torrentFile, goodDir, LoopbackPorts.free(),
            List.of());
        PeerClient client = PeerClient.create(group, PeerId.random("-FT0001-"), callbacks,
            PeerOptions.defaults())) {
      MemoryStore store = new MemoryStore(meta, null, disk);
      HostilePeerSwarmTest.Recorder events = new HostilePeerSwarmTest.Recorder();
      Swarm swarm = client.addTorrent(meta, store, new BitSet(), events);
      // The corrupt seeder alone first, so that it certainly fills a piece by itself.
      swarm.addPeers(List.of(bad.address()));
      events.firstFailure.get(60, TimeUnit.SECONDS);
      swarm.addPeers(List.of(good.address()));
      swarm.completion().get(120, TimeUnit.SECONDS);
      assertThat(store.bytes()).isEqualTo(data);
      SwarmStats stats = swarm.stats().get(5, TimeUnit.SECONDS);
      assertThat(stats.failedPieces()).isPositive();
      assertThat(stats.bannedPeers()).isEqualTo(1);
      assertThat(events.reasonFor(bad.address())).isEqualTo("banned for sending bad data");
      callbacks.submit(() -> {}).get(5, TimeUnit.SECONDS);
      assertThat(events.banned).containsExactly(bad.address());
      assertThat(events.connected).contains(good.address());
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      disk.shutdown();
      callbacks.shutdown();
    }
  }
}
