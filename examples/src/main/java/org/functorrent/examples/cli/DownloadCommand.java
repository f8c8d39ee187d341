package org.functorrent.examples.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.functorrent.Download;
import org.functorrent.DownloadOptions;
import org.functorrent.DownloadStats;
import org.functorrent.Torrent;
import org.functorrent.TorrentClient;
import org.functorrent.TorrentListener;
import org.functorrent.common.TorrentException;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.tracker.TrackerStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code functorrent [download] [FILE|-] [--dir D] [--port P] [--peer HOST:PORT]... [--seed]}. */
@Command(
    name = "download",
    mixinStandardHelpOptions = true,
    description = "Downloads a torrent; exits once every piece is verified (or seeds with --seed).")
final class DownloadCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..1",
      paramLabel = "FILE",
      description = "The .torrent file; '-' or nothing reads standard input.")
  String file;

  @Option(names = "--dir", paramLabel = "D", description = "Where files go (default: here).")
  Path dir = Path.of("");

  @Option(names = "--port", paramLabel = "P", description = "Listen port (default: 6881; 0: any).")
  int port = 6881;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      description = "Address to listen on (default: every interface).")
  String bind;

  @Option(
      names = "--peer",
      paramLabel = "HOST:PORT",
      description = "A peer to connect to besides the trackers' (repeatable).")
  List<String> peers = List.of();

  @Option(names = "--no-trackers", description = "Do not announce to the torrent's trackers.")
  boolean noTrackers;

  @Option(names = "--seed", description = "Keep seeding after the download completes.")
  boolean seed;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return run(false);
  }

  Integer run(boolean seedOnly) throws Exception {
    byte[] bytes = TorrentInput.read(file, spec.commandLine(), System.in);
    String source = file == null || file.equals("-") ? "standard input" : file;
    MetaInfo meta;
    try {
      meta = MetaInfo.parse(bytes);
    } catch (TorrentException e) {
      throw new TorrentException(source + ": " + e.getMessage(), e);
    }
    List<InetSocketAddress> peerAddresses = new ArrayList<>();
    for (String peer : peers) {
      peerAddresses.add(parsePeer(peer));
    }
    PrintWriter out = spec.commandLine().getOut();
    TorrentClient.Builder builder = TorrentClient.builder().listenPort(port);
    if (bind != null) {
      builder.bindAddress(InetAddress.getByName(bind));
    }
    TorrentClient client = builder.build();
    // Ctrl-C (or SIGTERM) closes the client: trackers hear "stopped", files are flushed.
    Thread closeOnExit = new Thread(client::close, "functorrent-interrupted");
    Runtime.getRuntime().addShutdownHook(closeOnExit);
    try {
      DownloadOptions options =
          DownloadOptions.defaults()
              .withDirectory(dir)
              .withPeers(peerAddresses)
              .withSeed(seed || seedOnly)
              .withTrackers(!noTrackers);
      out.printf(
          "%s: %s in %d pieces, info_hash %s, listening on port %d%n",
          meta.name(), InfoCommand.humanSize(meta.totalLength()), meta.pieceCount(),
          meta.infoHash().toHex(), client.listenAddress().getPort());
      long started = System.nanoTime();
      Download download =
          client.start(Torrent.of(meta).withOptions(options), new ProgressPrinter(out));
      DownloadStats done;
      try {
        done = download.completion().join();
      } catch (CompletionException | CancellationException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        throw cause instanceof RuntimeException r ? r : new TorrentException(cause.toString(), cause);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      out.printf(
          "completed: %s in %.1f s (%s/s), downloaded %s, uploaded %s%n",
          InfoCommand.humanSize(meta.totalLength()), seconds,
          InfoCommand.humanSize((long) (done.downloadedBytes() / Math.max(seconds, 1e-3))),
          InfoCommand.humanSize(done.downloadedBytes()), InfoCommand.humanSize(done.uploadedBytes()));
      if (options.seed()) {
        out.println("seeding; Ctrl-C stops");
        // Until the JVM is asked to exit: the shutdown hook closes the client.
        new CountDownLatch(1).await();
      }
      return 0;
    } finally {
      client.close();
      try {
        Runtime.getRuntime().removeShutdownHook(closeOnExit);
      } catch (IllegalStateException exiting) {
        // The JVM is already shutting down; the hook runs and finds the client closed.
      }
    }
  }

  private InetSocketAddress parsePeer(String peer) {
    int colon = peer.lastIndexOf(':');
    if (colon <= 0 || colon == peer.length() - 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--peer " + peer + ": expected HOST:PORT");
    }
    String host = peer.substring(0, colon).replace("[", "").replace("]", "");
    int peerPort;
    try {
      peerPort = Integer.parseInt(peer.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--peer " + peer + ": the port is not a number");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), peerPort);
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--peer " + peer + ": " + e.getMessage());
    }
  }

  /** Plain progress lines, one every few seconds, and tracker errors as they happen. */
  private static final class ProgressPrinter implements TorrentListener {
    private final PrintWriter out;
    private long lastLine;

    ProgressPrinter(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void trackerStatusChanged(URI tracker, TrackerStatus status) {
      if (status instanceof TrackerStatus.Error error) {
        out.println("tracker " + tracker + ": " + error.reason());
      }
    }

    @Override
    public void progress(DownloadStats stats) {
      long now = System.nanoTime();
      if (now - lastLine < 2_000_000_000L) {
        return;
      }
      lastLine = now;
      out.printf(
          "%5.1f%%  %d/%d pieces  down %s/s  up %s/s  %d peers%n",
          stats.progress() * 100, stats.piecesHave(), stats.pieceCount(),
          InfoCommand.humanSize(stats.downloadRate()), InfoCommand.humanSize(stats.uploadRate()),
          stats.peers());
    }
  }
}
