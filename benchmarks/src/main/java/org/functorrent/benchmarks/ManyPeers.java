package org.functorrent.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.functorrent.Download;
import org.functorrent.Torrent;
import org.functorrent.TorrentClient;
import org.functorrent.TorrentListener;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.functorrent.tracker.TrackerServer;

/**
 * One seeder and {@code L} leechers (default 20), each a client of its own, all in this JVM on
 * 127.0.0.1, finding each other through an embedded tracker; the leechers keep seeding to each
 * other. Prints the time until every leecher has verified every piece, the process's CPU time in
 * that span, and checks every copy against the source. Run: {@code java -cp
 * benchmarks/target/benchmarks.jar org.functorrent.benchmarks.ManyPeers [L [SIZE_MIB]]}.
 */
public final class ManyPeers {
  private ManyPeers() {}

  public static void main(String[] args) throws Exception {
    int leechers = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int sizeMib = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    Path work = Files.createTempDirectory("many-peers");
    EventLoopGroup trackerGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    InetAddress loopback = InetAddress.getLoopbackAddress();
    List<TorrentClient> clients = new ArrayList<>();
    try (TrackerServer tracker = TrackerServer.start(trackerGroup, loopback, 0)) {
      Path seedDir = Files.createDirectories(work.resolve("seed"));
      Path source = seedDir.resolve("data.bin");
      byte[] data = new byte[sizeMib << 20];
      new SplittableRandom(3).nextBytes(data);
      Files.write(source, data);
      MetaInfo meta =
          MetaInfo.parse(
              TorrentCreator.of(source)
                  .tracker(tracker.httpAnnounceUri().toString())
                  .pieceLength(256 * 1024)
                  .create());

      TorrentClient seeder = client(clients, loopback);
      Torrent seedTorrent = Torrent.of(meta).withDirectory(seedDir);
      Download seed =
          seeder.start(
              seedTorrent.withOptions(seedTorrent.options().withSeed(true)), TorrentListener.NONE);
      seed.completion().get(60, TimeUnit.SECONDS);

      OperatingSystemMXBean os =
          (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpuBefore = os.getProcessCpuTime();
      long start = System.nanoTime();
      List<CompletableFuture<?>> done = new ArrayList<>();
      for (int i = 0; i < leechers; i++) {
        Path dir = Files.createDirectories(work.resolve("leecher-" + i));
        Torrent torrent = Torrent.of(meta).withDirectory(dir);
        done.add(
            client(clients, loopback)
                .start(torrent.withOptions(torrent.options().withSeed(true)), TorrentListener.NONE)
                .completion());
      }
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpu = (os.getProcessCpuTime() - cpuBefore) / 1e9;
      for (int i = 0; i < leechers; i++) {
        byte[] copy = Files.readAllBytes(work.resolve("leecher-" + i).resolve("data.bin"));
        if (!Arrays.equals(copy, data)) {
          throw new IllegalStateException("leecher " + i + " has different bytes");
        }
      }
      System.out.printf(
          "1 seeder, %d leechers, %d MiB (%d MiB downloaded in all): %.2f s, %.2f CPU s"
              + " (%.0f MiB/s in all)%n",
          leechers, sizeMib, (long) leechers * sizeMib, seconds, cpu,
          leechers * sizeMib / seconds);
    } finally {
      for (TorrentClient c : clients) {
        c.close();
      }
      trackerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      DirectoryTrees.delete(work);
    }
  }

  private static TorrentClient client(List<TorrentClient> clients, InetAddress loopback) {
    TorrentClient c =
        TorrentClient.builder().bindAddress(loopback).listenPort(0).networkThreads(1).build();
    clients.add(c);
    return c;
  }
}
