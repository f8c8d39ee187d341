package org.functorrent.benchmarks;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.functorrent.Download;
import org.functorrent.Torrent;
import org.functorrent.TorrentClient;
import org.functorrent.TorrentListener;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeString;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.tracker.TrackerServer;
import org.functorrent.tracker.TrackerStatus;

/**
 * Heap and threads per idle torrent: one client on 127.0.0.1, an embedded tracker on 127.0.0.1,
 * and {@code N} torrents (default 1 000) whose data nobody has, each announced once to the
 * tracker; {@code PIECES} (default 1) pieces of 256 KiB per torrent. Prints the heap in use after a full GC and the live thread count, before and after.
 * Run: {@code java -cp benchmarks/target/benchmarks.jar org.functorrent.benchmarks.IdleTorrents
 * [N [PIECES]]} (see BENCHMARKS.md). Nothing leaves 127.0.0.1.
 */
public final class IdleTorrents {
  private IdleTorrents() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int pieces = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    Path work = Files.createTempDirectory("idle-torrents");
    EventLoopGroup trackerGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (TrackerServer tracker = TrackerServer.start(trackerGroup, loopback, 0)) {
      URI announce = tracker.httpAnnounceUri();
      List<MetaInfo> metas = new ArrayList<>(n);
      SplittableRandom random = new SplittableRandom(1);
      for (int i = 0; i < n; i++) {
        metas.add(torrent("idle-" + i + ".bin", pieces, announce, random));
      }
      try (TorrentClient client =
          TorrentClient.builder().bindAddress(loopback).listenPort(0).build()) {
        Snapshot before = Snapshot.take();
        CountDownLatch announced = new CountDownLatch(n);
        TorrentListener listener =
            new TorrentListener() {
              @Override
              public void trackerStatusChanged(URI uri, TrackerStatus status) {
                if (status instanceof TrackerStatus.Started) {
                  announced.countDown();
                }
              }
            };
        List<Download> downloads = new ArrayList<>(n);
        Path downloadsDir = Files.createDirectories(work.resolve("downloads"));
        for (MetaInfo meta : metas) {
          downloads.add(client.start(Torrent.of(meta).withDirectory(downloadsDir), listener));
        }
        if (!announced.await(120, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              announced.getCount() + " of " + n + " torrents did not announce in 120 s");
        }
        Snapshot after = Snapshot.take();
        long heapPer = (after.heapBytes - before.heapBytes) / n;
        System.out.printf(
            "torrents %d of %d pieces (%d MiB) each%nheap before %.1f MiB, after %.1f MiB: %.1f KiB per torrent%n"
                + "threads before %d, after %d: %d more for %d torrents%n",
            n,
            pieces,
            pieces * PIECE_LENGTH >> 20,
            before.heapBytes / 1048576.0,
            after.heapBytes / 1048576.0,
            heapPer / 1024.0,
            before.threads,
            after.threads,
            after.threads - before.threads,
            n);
        System.out.printf(
            "(the metainfo of each torrent, held by the caller too, is part of the figure)%n");
        downloads.forEach(d -> d.stop().join());
      }
    } finally {
      trackerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      DirectoryTrees.delete(work);
    }
  }

  private static final long PIECE_LENGTH = 256 * 1024;

  /** A single-file torrent of random piece hashes: data that nobody has, as idle torrents are. */
  private static MetaInfo torrent(String name, int pieces, URI announce, SplittableRandom random) {
    byte[] hashes = new byte[20 * pieces];
    random.nextBytes(hashes);
    BencodeDictionary info =
        BencodeDictionary.builder()
            .put("name", name)
            .put("piece length", PIECE_LENGTH)
            .put("length", PIECE_LENGTH * pieces)
            .put("pieces", BencodeString.of(hashes))
            .build();
    BencodeDictionary torrent =
        BencodeDictionary.builder().put("announce", announce.toString()).put("info", info).build();
    return MetaInfo.parse(Bencode.encode(torrent));
  }

  private record Snapshot(long heapBytes, int threads) {
    static Snapshot take() throws InterruptedException {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(200);
      }
      return new Snapshot(memory.getHeapMemoryUsage().getUsed(), threads.getThreadCount());
    }
  }
}
