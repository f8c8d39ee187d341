package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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

  private static int freeLoopbackPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  @Test
  void downloadsFromALibtorrentSeeder() throws Exception {
    byte[] data = TestTorrents.randomData(42, 32 * 1024 * 1024 + 4321);
    MetaInfo meta = TestTorrents.torrent(data, 256 * 1024);
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Files.write(seedDir.resolve("test.bin"), data);
    Path torrentFile = dir.resolve("test.torrent");
    Files.write(torrentFile, meta.encoded());
    Path script = Path.of(getClass().getResource("/interop/libtorrent_peer.py").toURI());
    int port = freeLoopbackPort();

    Process seeder =
        new ProcessBuilder(
                "/usr/bin/python3",
                script.toString(),
                "seed",
                torrentFile.toString(),
                seedDir.toString(),
                Integer.toString(port))
            .redirectErrorStream(true)
            .start();
    CompletableFuture<Integer> seeding = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(seeder.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  System.out.println("[libtorrent] " + line);
                  if (line.startsWith("SEEDING ")) {
                    seeding.complete(Integer.parseInt(line.substring(8).trim()));
                  }
                }
              } catch (Exception e) {
                seeding.completeExceptionally(e);
              }
              seeding.completeExceptionally(new IllegalStateException("seeder exited"));
            });
    reader.setDaemon(true);
    reader.start();

    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    ExecutorService disk = Executors.newFixedThreadPool(2);
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    try (PeerClient client =
        PeerClient.create(group, PeerId.random("-FT0001-"), callbacks, PeerOptions.defaults())) {
      int seederPort = seeding.get(60, TimeUnit.SECONDS);
      assertThat(seederPort).isEqualTo(port);
      MemoryStore store = new MemoryStore(meta, null, disk);
      Swarm swarm = client.addTorrent(meta, store, new BitSet(), new SwarmListener() {});
      long start = System.nanoTime();
      swarm.addPeers(List.of(new InetSocketAddress("127.0.0.1", seederPort)));
      swarm.completion().get(120, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      SwarmStats stats = swarm.stats().get(5, TimeUnit.SECONDS);
      System.out.printf(
          "downloaded %d bytes from libtorrent in %.2f s (%.1f MiB/s), wasted %d%n",
          stats.downloadedBytes(), seconds, data.length / seconds / (1 << 20),
          stats.wastedBytes());
      assertThat(store.data).isEqualTo(data);
      assertThat(stats.failedPieces()).isZero();
      Path out = Files.createDirectories(dir.resolve("lt-out"));
      Process lt =
          new ProcessBuilder("/usr/bin/python3", script.toString(), "leech",
                  torrentFile.toString(), out.toString(), Integer.toString(freeLoopbackPort()),
                  Integer.toString(seederPort))
              .redirectErrorStream(true)
              .start();
      String result = new String(lt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(lt.waitFor(130, TimeUnit.SECONDS)).isTrue();
      if (result.startsWith("DONE ")) {
        double ltSeconds = Double.parseDouble(result.substring(5).trim());
        System.out.printf("libtorrent's own leecher, same seeder: %.2f s (%.1f MiB/s)%n",
            ltSeconds, data.length / ltSeconds / (1 << 20));
      } else {
        System.out.println("libtorrent leecher: " + result);
      }
    } finally {
      seeder.getOutputStream().close();
      if (!seeder.waitFor(10, TimeUnit.SECONDS)) {
        seeder.destroyForcibly();
      }
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
    Path script = Path.of(getClass().getResource("/interop/libtorrent_peer.py").toURI());
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    ExecutorService disk = Executors.newFixedThreadPool(2);
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    try (PeerClient client =
        PeerClient.create(group, PeerId.random("-FT0001-"), callbacks, PeerOptions.defaults())) {
      InetSocketAddress address =
          client.listen(new InetSocketAddress("127.0.0.1", 0)).get(5, TimeUnit.SECONDS);
      MemoryStore store = new MemoryStore(meta, data, disk);
      Swarm swarm = client.addTorrent(meta, store, store.all(), new SwarmListener() {});
      Process lt =
          new ProcessBuilder("/usr/bin/python3", script.toString(), "leech",
                  torrentFile.toString(), out.toString(), Integer.toString(freeLoopbackPort()),
                  Integer.toString(address.getPort()))
              .redirectErrorStream(true)
              .start();
      String result = new String(lt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(lt.waitFor(130, TimeUnit.SECONDS)).isTrue();
      System.out.println("libtorrent leecher from our seeder: " + result.trim());
      assertThat(result).startsWith("DONE ");
      double seconds = Double.parseDouble(result.substring(5).trim());
      System.out.printf("libtorrent downloaded from FuncTorrent: %.2f s (%.1f MiB/s)%n",
          seconds, data.length / seconds / (1 << 20));
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
