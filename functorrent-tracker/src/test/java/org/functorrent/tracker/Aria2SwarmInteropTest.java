package org.functorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two aria2 processes (Debian package {@code aria2}) find each other through our tracker server
 * over HTTP on loopback and complete a download. aria2 has no UDP tracker support with DHT off.
 */
@Tag("interop")
class Aria2SwarmInteropTest {
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static List<String> aria2(Path state, Path dir, int port) {
    List<String> args = new ArrayList<>();
    args.add("aria2c");
    args.add("--no-conf");
    args.add("--dir=" + dir);
    args.add("--listen-port=" + port);
    args.add("--interface=127.0.0.1");
    args.add("--disable-ipv6=true");
    args.add("--enable-dht=false");
    args.add("--enable-dht6=false");
    args.add("--dht-file-path=" + state.resolve("dht.dat"));
    args.add("--dht-file-path6=" + state.resolve("dht6.dat"));
    args.add("--bt-enable-lpd=false");
    args.add("--enable-peer-exchange=false");
    args.add("--summary-interval=0");
    args.add("--console-log-level=warn");
    return args;
  }

  @Test
  void aria2SeederAndLeecherCompleteThroughOurHttpTracker(@TempDir Path tmp) throws Exception {
    Path seedDir = Files.createDirectories(tmp.resolve("seed"));
    Path leechDir = Files.createDirectories(tmp.resolve("leech"));
    byte[] data = new byte[3 * 1024 * 1024 + 12345];
    new Random(42).nextBytes(data);
    Files.write(seedDir.resolve("payload.bin"), data);

    EventLoopGroup group = Groups.newGroup();
    TrackerServer server = TrackerServer.start(group, InetAddress.getLoopbackAddress(), 0);
    TrackerClient client =
        TrackerClient.builder(group)
            .udpLocalAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .build();
    Process seeder = null;
    try {
      byte[] torrent =
          TorrentCreator.of(seedDir.resolve("payload.bin"))
              .tracker(server.httpAnnounceUri().toString())
              .pieceLength(256 * 1024)
              .create();
      Path torrentFile = tmp.resolve("payload.torrent");
      Files.write(torrentFile, torrent);
      InfoHash hash = MetaInfo.parse(torrent).infoHash();

      List<String> seed = aria2(tmp, seedDir, freePort());
      seed.add("--check-integrity=true");
      seed.add("--seed-ratio=0.0");
      seed.add(torrentFile.toString());
      seeder =
          new ProcessBuilder(seed)
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("seeder.log").toFile())
              .start();
      // wait until the seeder has announced itself
      boolean seen = false;
      for (int i = 0; i < 300 && !seen; i++) {
        ScrapeStats s =
            client
                .scrape(server.httpAnnounceUri(), List.of(hash))
                .get(10, TimeUnit.SECONDS)
                .get(hash);
        seen = s.seeders() == 1;
        if (!seen) {
          assertThat(seeder.isAlive()).as(Files.readString(tmp.resolve("seeder.log"))).isTrue();
          Thread.sleep(100);
        }
      }
      assertThat(seen).as("aria2 seeder announced within 30 s").isTrue();

      List<String> leech = aria2(tmp, leechDir, freePort());
      leech.add("--seed-time=0");
      leech.add("--bt-stop-timeout=60");
      leech.add(torrentFile.toString());
      Process leecher =
          new ProcessBuilder(leech)
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("leecher.log").toFile())
              .start();
      boolean done = leecher.waitFor(90, TimeUnit.SECONDS);
      if (!done) {
        leecher.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      assertThat(done && leecher.exitValue() == 0)
          .as(Files.readString(tmp.resolve("leecher.log")))
          .isTrue();
      // With DHT, LPD and PEX off, the tracker is the only way the two could find each other.
      assertThat(Files.readAllBytes(leechDir.resolve("payload.bin"))).isEqualTo(data);
      // aria2 with --seed-time=0 ends with "stopped" (left=0) and sends no "completed", so the
      // scrape's completed count says nothing here; the seeder is still there.
      ScrapeStats after =
          client
              .scrape(server.httpAnnounceUri(), List.of(hash))
              .get(10, TimeUnit.SECONDS)
              .get(hash);
      assertThat(after.seeders()).isEqualTo(1);
    } finally {
      if (seeder != null) {
        seeder.destroy();
        if (!seeder.waitFor(10, TimeUnit.SECONDS)) {
          seeder.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
      client.closeAsync().join();
      server.closeAsync().join();
      Groups.shutdown(group);
    }
  }
}
