package org.functorrent.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.functorrent.Download;
import org.functorrent.DownloadStats;
import org.functorrent.NetworkTransport;
import org.functorrent.Torrent;
import org.functorrent.TorrentClient;
import org.functorrent.TorrentListener;
import org.functorrent.peer.PeerOptions;
import org.functorrent.tracker.TrackerStatus;

/**
 * The same torrent downloaded {@code ROUNDS} times (default 5) by one client in this JVM, the
 * directory emptied between rounds: the first round pays for class loading and JIT compilation
 * like the command-line program does, the later ones show what the data path costs once the JVM
 * is warm, as in an application that embeds the library. Prints wall and process CPU seconds per
 * round. Peers come from the torrent's trackers (for example the libtorrent seeder that {@code
 * scripts/bench-download.sh} starts). Run: {@code java -cp benchmarks/target/benchmarks.jar
 * org.functorrent.benchmarks.WarmDownload TORRENT [ROUNDS [DIR]]}; {@code -Dwarm.requestQueue=N}
 * and {@code -Dwarm.pendingWrites=N} change the most requests outstanding per peer and the most
 * block writes pending per connection; {@code -Dwarm.transport=NIO} (or {@code EPOLL}) the
 * client's network transport.
 */
public final class WarmDownload {
  private WarmDownload() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: WarmDownload TORRENT [ROUNDS [DIR]]");
      System.exit(2);
    }
    Path torrentFile = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path dir =
        args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("warm-download");
    OperatingSystemMXBean os =
        (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    PeerOptions peerOptions = PeerOptions.defaults();
    int requestQueue = Integer.getInteger("warm.requestQueue", peerOptions.maxRequestQueue());
    int pendingWrites = Integer.getInteger("warm.pendingWrites", peerOptions.maxPendingWrites());
    peerOptions =
        peerOptions
            .withRequestQueue(Math.min(peerOptions.initialRequestQueue(), requestQueue), requestQueue)
            .withMaxPendingWrites(pendingWrites);
    NetworkTransport transport =
        NetworkTransport.valueOf(
            System.getProperty("warm.transport", NetworkTransport.preferred().name()));
    try (TorrentClient client =
        TorrentClient.builder()
            .bindAddress(InetAddress.getLoopbackAddress())
            .listenPort(0)
            .peerOptions(peerOptions)
            .transport(transport)
            .build()) {
      System.out.println("transport: " + client.transport());
      for (int round = 1; round <= rounds; round++) {
        DirectoryTrees.delete(dir);
        Files.createDirectories(dir);
        Torrent torrent = Torrent.open(torrentFile).withDirectory(dir);
        Map<String, Long> threadsBefore = threadCpu();
        long[] ioBefore = io();
        long cpuBefore = os.getProcessCpuTime();
        long start = System.nanoTime();
        Milestones milestones = new Milestones(start);
        Download download = client.start(torrent, milestones);
        download.completion().get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpuBefore) / 1e9;
        download.stop().get(1, TimeUnit.MINUTES);
        long bytes = torrent.metaInfo().totalLength();
        long[] ioAfter = io();
        System.out.printf(
            "round %d: %.2f s, %.2f CPU s, %.0f MiB/s; read calls %.0f MiB, write calls %.0f MiB%n",
            round, seconds, cpu, bytes / 1048576.0 / seconds,
            (ioAfter[0] - ioBefore[0]) / 1048576.0, (ioAfter[1] - ioBefore[1]) / 1048576.0);
        System.out.println("  " + milestones);
        Map<String, Long> threadsAfter = threadCpu();
        StringBuilder line = new StringBuilder("  CPU s by thread:");
        long javaThreads = 0;
        for (Map.Entry<String, Long> e : threadsAfter.entrySet()) {
          long used = e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0L);
          javaThreads += used;
          if (used >= 10_000_000) {
            line.append(String.format(" %s %.2f", e.getKey(), used / 1e9));
          }
        }
        line.append(String.format(" (JIT, GC and VM %.2f)", cpu - javaThreads / 1e9));
        System.out.println(line);
      }
    } finally {
      DirectoryTrees.delete(dir);
    }
  }

  /** When the first of each event came, in milliseconds from the start. */
  private static final class Milestones implements TorrentListener {
    private final long start;
    private final Map<String, Long> first = new ConcurrentSkipListMap<>();

    Milestones(long start) {
      this.start = start;
    }

    private void mark(String event) {
      first.putIfAbsent(event, (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public void trackerStatusChanged(URI tracker, TrackerStatus status) {
      mark("tracker " + status.getClass().getSimpleName());
    }

    @Override
    public void peersDiscovered(List<InetSocketAddress> peers) {
      mark("peers discovered");
    }

    @Override
    public void peerConnected(SocketAddress peer) {
      mark("peer connected");
    }

    @Override
    public void pieceVerified(int piece) {
      mark("first piece");
    }

    @Override
    public void completed(DownloadStats stats) {
      mark("completed");
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("ms from start:");
      first.entrySet().stream()
          .sorted(Map.Entry.comparingByValue())
          .forEach(e -> b.append(' ').append(e.getKey()).append(' ').append(e.getValue()));
      return b.toString();
    }
  }

  /** CPU nanoseconds of the live Java threads so far, summed by name without trailing digits. */
  private static Map<String, Long> threadCpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> byName = new TreeMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(info.getThreadId());
      if (cpu > 0) {
        byName.merge(info.getThreadName().replaceAll("-?\\d+$", ""), cpu, Long::sum);
      }
    }
    return byName;
  }

  /**
   * Bytes this process passed to read and write system calls so far ({@code rchar}, {@code wchar}
   * of {@code /proc/self/io}), sockets and files alike; zeros where there is no such file.
   */
  private static long[] io() throws IOException {
    Path proc = Path.of("/proc/self/io");
    long[] io = new long[2];
    if (Files.isReadable(proc)) {
      for (String line : Files.readAllLines(proc)) {
        if (line.startsWith("rchar:")) {
          io[0] = Long.parseLong(line.substring(6).trim());
        } else if (line.startsWith("wchar:")) {
          io[1] = Long.parseLong(line.substring(6).trim());
        }
      }
    }
    return io;
  }
}
