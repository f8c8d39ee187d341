package org.functorrent.examples.cli;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.functorrent.Download;
import org.functorrent.DownloadOptions;
import org.functorrent.DownloadStats;
import org.functorrent.Torrent;
import org.functorrent.TorrentClient;
import org.functorrent.TorrentListener;
import org.functorrent.common.TorrentException;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.functorrent.tracker.TrackerServer;
import org.functorrent.tracker.TrackerStatus;

/**
 * {@code functorrent demo}: a whole swarm in one process on loopback (the embedded tracker, a
 * seeder and a leecher over generated data), so a new user sees the library work with no network.
 */
final class DemoCommand implements Callable<Integer> {
  static final Option<Integer> SIZE =
      Option.integer("--size", "MIB", "Data to share (default: 64 MiB).").withDefault(64);
  static final Option<Path> DIR =
      Option.path(
          "--dir", "D", "Where to put the data (default: a temporary directory, removed after).");

  static final CommandSpec SPEC =
      new CommandSpec(
          "demo",
          "Runs a tracker, a seeder and a leecher on 127.0.0.1 in this process, downloads"
              + " generated data from one to the other and checks every byte.",
          List.of(SIZE, DIR));

  private final int sizeMib;
  private final Path dir;
  private final PrintWriter out;

  DemoCommand(ParsedArgs args, PrintWriter out) {
    this.sizeMib = args.get(SIZE);
    this.dir = args.get(DIR);
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    if (sizeMib < 1 || sizeMib > 65536) {
      throw new IllegalArgumentException("--size " + sizeMib + " (expected: 1 to 65536 MiB)");
    }
    boolean temporary = dir == null;
    Path root = temporary ? Files.createTempDirectory("functorrent-demo") : dir;
    InetAddress loopback = InetAddress.getLoopbackAddress();
    EventLoopGroup trackerGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (TrackerServer tracker = TrackerServer.start(trackerGroup, loopback, 0);
        TorrentClient seeder = TorrentClient.builder().bindAddress(loopback).listenPort(0).build();
        TorrentClient leecher =
            TorrentClient.builder().bindAddress(loopback).listenPort(0).build()) {
      out.println("tracker:  " + tracker.httpAnnounceUri() + " (embedded, HTTP and UDP)");
      Path data = root.resolve("seeder").resolve("demo-data");
      long started = System.nanoTime();
      generate(data, (long) sizeMib << 20);
      out.printf(
          "data:     %d MiB in %s (generated in %.1f s)%n",
          sizeMib, data, (System.nanoTime() - started) / 1e9);
      byte[] torrent =
          TorrentCreator.of(data).tracker(tracker.httpAnnounceUri().toString()).create();
      MetaInfo meta = MetaInfo.parse(torrent);
      out.printf(
          "torrent:  %s, %d pieces of %d KiB, info_hash %s%n",
          meta.name(), meta.pieceCount(), meta.pieceLength() / 1024, meta.infoHash().toHex());

      CompletableFuture<Void> announced = new CompletableFuture<>();
      Download seeding =
          seeder.start(
              Torrent.of(meta)
                  .withOptions(
                      DownloadOptions.defaults()
                          .withDirectory(root.resolve("seeder"))
                          .withSeed(true)),
              new TorrentListener() {
                @Override
                public void trackerStatusChanged(URI uri, TrackerStatus status) {
                  if (status instanceof TrackerStatus.Started) {
                    announced.complete(null);
                  } else if (status instanceof TrackerStatus.Error error) {
                    announced.completeExceptionally(
                        new TorrentException("demo: the tracker refused the seeder: " + error));
                  }
                }
              });
      seeding.completion().get(5, TimeUnit.MINUTES);
      // So that the leecher's first announce already finds the seeder.
      announced.get(1, TimeUnit.MINUTES);
      out.println(
          "seeder:   listening on " + seeder.listenAddress() + ", all pieces verified, announced");

      out.println("leecher:  listening on " + leecher.listenAddress() + ", downloading...");
      started = System.nanoTime();
      Download download =
          leecher.start(
              Torrent.of(meta).withDirectory(root.resolve("leecher")),
              new TorrentListener() {
                private long lastLine;

                @Override
                public void progress(DownloadStats stats) {
                  long now = System.nanoTime();
                  if (now - lastLine >= 1_000_000_000L) {
                    lastLine = now;
                    out.printf(
                        "          %5.1f%%  %s/s  %d peer(s)%n",
                        stats.progress() * 100,
                        InfoCommand.humanSize(stats.downloadRate()),
                        stats.peers());
                  }
                }
              });
      DownloadStats done = download.completion().get(30, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - started) / 1e9;
      out.printf(
          "done:     %s in %.1f s (%s/s), %d pieces verified%n",
          InfoCommand.humanSize(meta.totalLength()), seconds,
          InfoCommand.humanSize((long) (meta.totalLength() / seconds)), done.piecesHave());
      compare(data, root.resolve("leecher").resolve("demo-data"));
      out.println("checked:  every byte of the leecher's copy equals the seeder's");
      return 0;
    } finally {
      trackerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      if (temporary) {
        deleteTree(root);
      }
    }
  }

  /** A few files of random bytes: one large, some small, one empty, in nested directories. */
  private static void generate(Path data, long total) throws IOException {
    Files.createDirectories(data.resolve("docs"));
    SplittableRandom random = new SplittableRandom(2026);
    long small = Math.min(total / 4, 3_000_017);
    write(data.resolve("docs/readme.txt"), small / 3, random);
    write(data.resolve("docs/empty"), 0, random);
    write(data.resolve("video.bin"), total - small, random);
    write(data.resolve("z-tail.bin"), small - small / 3, random);
  }

  private static void write(Path file, long length, SplittableRandom random) throws IOException {
    byte[] block = new byte[1 << 20];
    try (var out = Files.newOutputStream(file)) {
      for (long left = length; left > 0; left -= block.length) {
        for (int i = 0; i < block.length; i += 8) {
          long value = random.nextLong();
          for (int b = 0; b < 8; b++) {
            block[i + b] = (byte) (value >>> (b * 8));
          }
        }
        out.write(block, 0, (int) Math.min(block.length, left));
      }
    }
  }

  private static void compare(Path expected, Path actual) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(expected)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (Path file : files) {
      Path copy = actual.resolve(expected.relativize(file).toString());
      if (!Files.exists(copy) || Files.mismatch(file, copy) != -1) {
        throw new TorrentException("demo: " + copy + " differs from " + file);
      }
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      System.err.println("functorrent: could not remove " + root + ": " + e.getMessage());
    }
  }

}
