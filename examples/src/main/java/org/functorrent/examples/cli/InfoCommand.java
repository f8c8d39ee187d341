package org.functorrent.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.functorrent.DownloadOptions;
import org.functorrent.Torrent;
import org.functorrent.TorrentClient;
import org.functorrent.TorrentListener;
import org.functorrent.common.TorrentException;
import org.functorrent.metainfo.MagnetUri;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentFile;

/**
 * {@code functorrent info FILE|-|MAGNET [--fetch]}: what a {@code .torrent} or a magnet link
 * holds.
 */
final class InfoCommand implements Callable<Integer> {
  static final Option<String> FILE =
      Option.positional(
          "FILE",
          "The .torrent file, or a magnet link (quoted); '-' or nothing reads standard input.");
  static final Option<Boolean> JSON = Option.flag("--json", "Machine-readable output.");
  static final Option<Boolean> FETCH =
      Option.flag("--fetch", "For a magnet link: fetch the metadata from its peers and show it.");
  static final Option<Path> OUTPUT =
      Option.path(
          "-o, --output",
          "OUT.torrent",
          "With --fetch: also save the metadata as a .torrent file.");
  static final Option<Integer> PORT =
      Option.integer("--port", "P", "With --fetch: listen port (0: any).").withDefault(0);
  static final Option<String> BIND =
      Option.string("--bind", "ADDR", "With --fetch: listen address.");
  static final Option<String> PEER =
      Option.string(
              "--peer", "HOST:PORT", "With --fetch: a peer to ask besides the link's (repeatable).")
          .repeatable();
  static final Option<Integer> TIMEOUT =
      Option.integer(
              "--timeout",
              "S",
              "With --fetch: give up after this many seconds (default: 120).")
          .withDefault(120);

  static final CommandSpec SPEC =
      new CommandSpec(
          "info",
          "Shows what a .torrent file holds: name, info-hash, pieces, files, trackers; or what a"
              + " magnet link says, and with --fetch the metadata its peers give.",
          DhtArgs.withOptions(List.of(FILE, JSON, FETCH, OUTPUT, PORT, BIND, PEER, TIMEOUT)));

  private final String file;
  private final boolean json;
  private final boolean fetch;
  private final Path output;
  private final int port;
  private final String bind;
  private final List<String> peers;
  private final int timeoutSeconds;
  private final DhtArgs dht;
  private final PrintWriter out;

  InfoCommand(ParsedArgs args, PrintWriter out) {
    this.file = args.get(FILE);
    this.json = args.get(JSON);
    this.fetch = args.get(FETCH);
    this.output = args.get(OUTPUT);
    this.port = args.get(PORT);
    this.bind = args.get(BIND);
    this.peers = args.all(PEER);
    this.timeoutSeconds = args.get(TIMEOUT);
    this.dht = new DhtArgs(args);
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    if (!TorrentInput.isMagnet(file) && (fetch || output != null)) {
      throw new UsageException("--fetch and -o are for magnet links (expected: magnet:?...)");
    }
    if (dht.requested() && !fetch) {
      throw new UsageException("the --dht options need --fetch");
    }
    if (output != null && !fetch) {
      throw new UsageException("-o needs --fetch");
    }
    MetaInfo meta;
    if (TorrentInput.isMagnet(file)) {
      MagnetUri magnet = MagnetUri.parse(file);
      if (!fetch) {
        if (json) {
          out.println(Json.write(magnetMap(magnet)));
        } else {
          printMagnet(magnet, out);
        }
        return 0;
      }
      meta = fetch(magnet);
      if (output != null) {
        try {
          Files.write(output, meta.encoded());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write " + output, e);
        }
      }
    } else {
      meta = TorrentInput.parse(file, System.in);
    }
    if (json) {
      out.println(Json.write(toMap(meta)));
    } else {
      printText(meta, out);
    }
    return 0;
  }

  /** Fetches a magnet link's metadata with a client of its own (no file is downloaded). */
  private MetaInfo fetch(MagnetUri magnet) throws Exception {
    List<InetSocketAddress> peerAddresses = new ArrayList<>();
    for (String peer : peers) {
      peerAddresses.add(DownloadCommand.parsePeer(peer));
    }
    TorrentClient.Builder builder = TorrentClient.builder().listenPort(port);
    if (bind != null) {
      builder.bindAddress(InetAddress.getByName(bind));
    }
    dht.apply(builder, port);
    Path scratch = Files.createTempDirectory("functorrent-info");
    try (TorrentClient client = builder.build()) {
      Torrent torrent =
          Torrent.of(magnet)
              .withOptions(
                  DownloadOptions.defaults().withDirectory(scratch).withPeers(peerAddresses));
      try {
        return client
            .fetchMetadata(torrent, TorrentListener.NONE)
            .get(timeoutSeconds, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new TorrentException(
            "magnet " + magnet.infoHash().toHex() + ": no metadata from peers within "
                + timeoutSeconds + " s");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        throw cause instanceof RuntimeException r
            ? r
            : new TorrentException(cause.toString(), cause);
      }
    } finally {
      deleteTree(scratch);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void printMagnet(MagnetUri magnet, PrintWriter out) {
    out.println("magnet link (the metadata comes from peers: --fetch gets it)");
    out.println("info_hash: " + magnet.infoHash().toHex());
    magnet.displayName().ifPresent(n -> out.println("name: " + n));
    out.println("trackers:" + (magnet.trackers().isEmpty() ? " none" : ""));
    for (String url : magnet.trackers()) {
      out.println("  " + url);
    }
    for (String peer : magnet.peers()) {
      out.println("peer: " + peer);
    }
    for (String url : magnet.webSeeds()) {
      out.println("web seed: " + url);
    }
  }

  private static Map<String, Object> magnetMap(MagnetUri magnet) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("info_hash", magnet.infoHash().toHex());
    map.put("name", magnet.displayName().orElse(null));
    map.put("trackers", new ArrayList<Object>(magnet.trackers()));
    map.put("peers", new ArrayList<Object>(magnet.peers()));
    map.put("web_seeds", new ArrayList<Object>(magnet.webSeeds()));
    return map;
  }

  private static void printText(MetaInfo meta, PrintWriter out) {
    out.println("name: " + meta.name());
    out.println("info_hash: " + meta.infoHash().toHex());
    out.println("piece length: " + meta.pieceLength());
    out.println("pieces: " + meta.pieceCount());
    out.println("total size: " + meta.totalLength() + " (" + humanSize(meta.totalLength()) + ")");
    out.println("private: " + (meta.isPrivate() ? "yes" : "no"));
    if (meta.isHybrid()) {
      out.println("version: hybrid v1+v2 (opened as v1)");
    }
    meta.comment().ifPresent(c -> out.println("comment: " + c));
    meta.createdBy().ifPresent(c -> out.println("created by: " + c));
    meta.creationDate().ifPresent(d -> out.println("creation date: " + d));
    out.println("files: " + meta.files().size());
    for (TorrentFile f : meta.files()) {
      out.println("  " + String.join("/", f.path()) + "  " + f.length()
          + (f.isPadding() ? "  (padding)" : ""));
    }
    out.println("trackers:" + (meta.trackerTiers().isEmpty() ? " none" : ""));
    for (int tier = 0; tier < meta.trackerTiers().size(); tier++) {
      for (String url : meta.trackerTiers().get(tier)) {
        out.println("  tier " + tier + ": " + url);
      }
    }
    for (String url : meta.webSeeds()) {
      out.println("web seed: " + url);
    }
  }

  private static Map<String, Object> toMap(MetaInfo meta) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", meta.name());
    map.put("info_hash", meta.infoHash().toHex());
    map.put("piece_length", meta.pieceLength());
    map.put("piece_count", meta.pieceCount());
    map.put("total_size", meta.totalLength());
    map.put("private", meta.isPrivate());
    map.put("hybrid", meta.isHybrid());
    map.put("comment", meta.comment().orElse(null));
    map.put("created_by", meta.createdBy().orElse(null));
    map.put("creation_date", meta.creationDate().map(Object::toString).orElse(null));
    List<Object> files = new ArrayList<>();
    for (TorrentFile f : meta.files()) {
      Map<String, Object> file = new LinkedHashMap<>();
      file.put("path", String.join("/", f.path()));
      file.put("length", f.length());
      file.put("padding", f.isPadding());
      files.add(file);
    }
    map.put("files", files);
    List<Object> tiers = new ArrayList<>(meta.trackerTiers());
    map.put("trackers", tiers);
    map.put("web_seeds", new ArrayList<Object>(meta.webSeeds()));
    map.put("magnet", meta.toMagnet().toString());
    return map;
  }

  static String humanSize(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format("%.1f %s", value, units[unit]);
  }
}
