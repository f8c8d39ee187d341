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
import java.util.concurrent.atomic.AtomicInteger;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.functorrent.Download;
import org.functorrent.DownloadOptions;
import org.functorrent.DownloadStats;
import org.functorrent.Torrent;
import org.functorrent.TorrentClient;
import org.functorrent.TorrentListener;
import org.functorrent.common.TorrentException;
import org.functorrent.metainfo.MagnetUri;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.storage.FilePriority;
import org.functorrent.tracker.TrackerStatus;

/**
 * {@code functorrent [download] [FILE|-|MAGNET] [--dir D] [--port P] [--peer HOST:PORT]...
 * [--seed] [--dht-node HOST:PORT]... [--dht-port P] [--dht-public] [--dht-state FILE]}; also
 * {@code functorrent seed}, which takes the same options.
 */
final class DownloadCommand implements Callable<Integer> {
  static final Option<String> FILE =
      Option.positional(
          "FILE",
          "The .torrent file, or a magnet link (quoted); '-' or nothing reads standard input.");
  static final Option<Path> DIR =
      Option.path("--dir", "D", "Where files go (default: here).").withDefault(Path.of(""));
  static final Option<Integer> PORT =
      Option.integer("--port", "P", "Listen port (default: 6881; 0: any).").withDefault(6881);
  static final Option<String> BIND =
      Option.string("--bind", "ADDR", "Address to listen on (default: every interface).");
  static final Option<String> PEER =
      Option.string(
              "--peer", "HOST:PORT", "A peer to connect to besides the trackers' (repeatable).")
          .repeatable();
  static final Option<Boolean> NO_TRACKERS =
      Option.flag("--no-trackers", "Do not announce to the torrent's trackers.");
  static final Option<Boolean> SEED =
      Option.flag("--seed", "Keep seeding after the download completes.");
  static final Option<Integer> ONLY_FILE =
      Option.integer(
              "--file",
              "N",
              "Download only these files, by index as 'info' lists them (repeatable).")
          .repeatable();
  static final Option<Integer> SKIP_FILE =
      Option.integer(
              "--skip",
              "N",
              "Do not download this file, by index as 'info' lists them (repeatable).")
          .repeatable();

  /** The parameters of download and seed. */
  static final List<Option<?>> PARAMETERS =
      DhtArgs.withOptions(
          List.of(FILE, DIR, PORT, BIND, PEER, NO_TRACKERS, SEED, ONLY_FILE, SKIP_FILE));

  static final CommandSpec SPEC =
      new CommandSpec(
          "download",
          "Downloads a torrent; exits once every piece is verified (or seeds with --seed).",
          PARAMETERS);

  private final String file;
  private final Path dir;
  private final int port;
  private final String bind;
  private final List<String> peers;
  private final boolean noTrackers;
  private final boolean seed;
  private final List<Integer> onlyFiles;
  private final List<Integer> skipFiles;
  private final DhtArgs dht;
  private final PrintWriter out;
  private final boolean seedOnly;

  /** The command for {@code args}, writing to {@code out}; {@code seedOnly} for {@code seed}. */
  DownloadCommand(ParsedArgs args, PrintWriter out, boolean seedOnly) {
    this.file = args.get(FILE);
    this.dir = args.get(DIR);
    this.port = args.get(PORT);
    this.bind = args.get(BIND);
    this.peers = args.all(PEER);
    this.noTrackers = args.get(NO_TRACKERS);
    this.seed = args.get(SEED);
    this.onlyFiles = args.all(ONLY_FILE);
    this.skipFiles = args.all(SKIP_FILE);
    this.dht = new DhtArgs(args);
    this.out = out;
    this.seedOnly = seedOnly;
  }

  @Override
  public Integer call() throws Exception {
    MagnetUri magnet = null;
    MetaInfo meta = null;
    if (TorrentInput.isMagnet(file)) {
      magnet = MagnetUri.parse(file);
      if (!onlyFiles.isEmpty() || !skipFiles.isEmpty()) {
        throw new UsageException(
            "--file and --skip need the file list, which a magnet link does not have (expected:"
                + " 'info MAGNET --fetch -o' gives a .torrent to select from)");
      }
    } else {
      meta = TorrentInput.parse(file, System.in);
    }
    List<InetSocketAddress> peerAddresses = new ArrayList<>();
    for (String peer : peers) {
      peerAddresses.add(parsePeer(peer));
    }
    List<FilePriority> priorities = meta == null ? List.of() : priorities(meta);
    TorrentClient.Builder builder = TorrentClient.builder().listenPort(port);
    if (bind != null) {
      builder.bindAddress(InetAddress.getByName(bind));
    }
    dht.apply(builder, port);
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
              .withTrackers(!noTrackers)
              .withFilePriorities(priorities);
      int port = client.listenAddress().getPort();
      if (meta != null) {
        describe(out, meta, port);
      } else {
        out.printf(
            "magnet %s%s: fetching the metadata from peers, listening on port %d%n",
            magnet.infoHash().toHex(), magnet.displayName().map(n -> " (" + n + ")").orElse(""),
            port);
      }
      long started = System.nanoTime();
      // A bar on a terminal (stderr), plain lines when the output goes to a file or a pipe.
      String name =
          meta != null
              ? meta.name()
              : magnet.displayName().orElse(magnet.infoHash().toHex().substring(0, 8));
      Progress progress =
          System.console() != null
              ? new BarProgress(name, out, port)
              : new ProgressPrinter(out, port);
      Torrent torrent = meta != null ? Torrent.of(meta) : Torrent.of(magnet);
      Download download = client.start(torrent.withOptions(options), progress);
      DownloadStats done;
      try {
        done = download.completion().join();
      } catch (CompletionException | CancellationException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        throw cause instanceof RuntimeException r
            ? r
            : new TorrentException(cause.toString(), cause);
      } finally {
        progress.close();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      out.printf(
          "completed: %s in %.1f s (%s/s average), downloaded %s from up to %d peer(s),"
              + " uploaded %s%n",
          InfoCommand.humanSize(done.wantedBytes()), seconds,
          InfoCommand.humanSize((long) (done.downloadedBytes() / Math.max(seconds, 1e-3))),
          InfoCommand.humanSize(done.downloadedBytes()),
          Math.max(progress.maxPeers(), done.peers()),
          InfoCommand.humanSize(done.uploadedBytes()));
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

  static void describe(PrintWriter out, MetaInfo meta, int port) {
    out.printf(
        "%s: %s in %d pieces, info_hash %s, listening on port %d%n",
        meta.name(), InfoCommand.humanSize(meta.totalLength()), meta.pieceCount(),
        meta.infoHash().toHex(), port);
  }

  /** Every file wanted, unless --file or --skip say otherwise. */
  private List<FilePriority> priorities(MetaInfo meta) {
    int files = meta.files().size();
    if (onlyFiles.isEmpty() && skipFiles.isEmpty()) {
      return List.of();
    }
    List<FilePriority> priorities = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      priorities.add(onlyFiles.isEmpty() ? FilePriority.NORMAL : FilePriority.SKIP);
    }
    for (int i : onlyFiles) {
      checkFileIndex("--file", i, files);
      priorities.set(i, FilePriority.NORMAL);
    }
    for (int i : skipFiles) {
      checkFileIndex("--skip", i, files);
      priorities.set(i, FilePriority.SKIP);
    }
    return priorities;
  }

  private void checkFileIndex(String option, int index, int files) {
    if (index < 0 || index >= files) {
      throw new UsageException(
          option + " " + index + ": no such file (expected: 0 to " + (files - 1) + ")");
    }
  }

  static InetSocketAddress parsePeer(String peer) {
    return parsePeer(peer, "--peer");
  }

  /** {@code HOST:PORT} (or {@code [v6]:PORT}) as the value of {@code option}. */
  static InetSocketAddress parsePeer(String peer, String option) {
    int colon = peer.lastIndexOf(':');
    if (colon <= 0 || colon == peer.length() - 1) {
      throw new UsageException(option + " " + peer + ": expected HOST:PORT");
    }
    String host = peer.substring(0, colon).replace("[", "").replace("]", "");
    int peerPort;
    try {
      peerPort = Integer.parseInt(peer.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new UsageException(option + " " + peer + ": the port is not a number");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), peerPort);
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new UsageException(option + " " + peer + ": " + e.getMessage());
    }
  }

  /** Shows the progress; remembers the most peers seen for the summary. */
  private abstract static class Progress implements TorrentListener, AutoCloseable {
    private final AtomicInteger maxPeers = new AtomicInteger();
    private final PrintWriter out;
    private final int port;

    Progress(PrintWriter out, int port) {
      this.out = out;
      this.port = port;
    }

    @Override
    public void metadataReceived(MetaInfo meta) {
      describe(out, meta, port);
    }

    @Override
    public void progress(DownloadStats stats) {
      maxPeers.accumulateAndGet(stats.peers(), Math::max);
      show(stats);
    }

    abstract void show(DownloadStats stats);

    int maxPeers() {
      return maxPeers.get();
    }

    @Override
    public void close() {}
  }

  /** A progress bar (me.tongfei:progressbar) on the terminal, in MiB. */
  private static final class BarProgress extends Progress {
    private final ProgressBar bar;

    BarProgress(String name, PrintWriter out, int port) {
      super(out, port);
      bar =
          new ProgressBarBuilder()
              .setTaskName(name)
              .setInitialMax(0)
              .setUnit("MiB", 1 << 20)
              .setStyle(ProgressBarStyle.ASCII)
              .showSpeed()
              .build();
    }

    @Override
    void show(DownloadStats stats) {
      bar.maxHint(stats.wantedBytes());
      bar.stepTo(stats.wantedBytes() - stats.bytesLeft());
      bar.setExtraMessage(stats.peers() + " peer(s)");
    }

    @Override
    public void close() {
      bar.close();
    }
  }

  /** Plain progress lines, one every few seconds, and tracker errors as they happen. */
  private static final class ProgressPrinter extends Progress {
    private final PrintWriter out;
    private long lastLine;

    ProgressPrinter(PrintWriter out, int port) {
      super(out, port);
      this.out = out;
    }

    @Override
    public void trackerStatusChanged(URI tracker, TrackerStatus status) {
      if (status instanceof TrackerStatus.Error error) {
        out.println("tracker " + tracker + ": " + error.reason());
      }
    }

    @Override
    void show(DownloadStats stats) {
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
