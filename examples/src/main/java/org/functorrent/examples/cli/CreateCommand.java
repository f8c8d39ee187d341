package org.functorrent.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;

/** {@code functorrent create PATH --tracker URL [--piece-size KIB] -o OUT.torrent}. */
final class CreateCommand implements Callable<Integer> {
  static final Option<Path> PATH =
      Option.positionalPath("PATH", "The file or directory to share.").required();
  static final Option<String> TRACKER =
      Option.string(
              "-t, --tracker",
              "URL",
              "A tracker URL; repeat for more tiers, or give a tier as URL,URL.")
          .repeatable();
  static final Option<Integer> PIECE_SIZE =
      Option.integer(
          "--piece-size",
          "KIB",
          "Piece size in KiB, a power of two from 16 to 65536 (default: automatic).");
  static final Option<Boolean> PRIVATE =
      Option.flag("--private", "Set the private flag (peers from trackers only).");
  static final Option<String> COMMENT = Option.string("--comment", "TEXT", "A comment.");
  static final Option<String> WEB_SEED =
      Option.string("--web-seed", "URL", "A web seed URL (repeatable).").repeatable();
  static final Option<Path> OUTPUT =
      Option.path("-o, --output", "OUT", "Where to write the .torrent.").required();

  static final CommandSpec SPEC =
      new CommandSpec(
          "create",
          "Creates a .torrent of a file or a directory.",
          List.of(PATH, TRACKER, PIECE_SIZE, PRIVATE, COMMENT, WEB_SEED, OUTPUT));

  private final Path path;
  private final List<String> trackers;
  private final Integer pieceSizeKib;
  private final boolean isPrivate;
  private final String comment;
  private final List<String> webSeeds;
  private final Path output;
  private final PrintWriter out;

  CreateCommand(ParsedArgs args, PrintWriter out) {
    this.path = args.get(PATH);
    this.trackers = args.all(TRACKER);
    this.pieceSizeKib = args.get(PIECE_SIZE);
    this.isPrivate = args.get(PRIVATE);
    this.comment = args.get(COMMENT);
    this.webSeeds = args.all(WEB_SEED);
    this.output = args.get(OUTPUT);
    this.out = out;
  }

  @Override
  public Integer call() {
    TorrentCreator creator = TorrentCreator.of(path);
    for (String tier : trackers) {
      creator = creator.trackerTier(List.of(tier.split(",")));
    }
    for (String url : webSeeds) {
      creator = creator.webSeed(url);
    }
    if (pieceSizeKib != null) {
      creator = creator.pieceLength(Math.multiplyExact(pieceSizeKib, 1024));
    }
    if (comment != null) {
      creator = creator.comment(comment);
    }
    creator = creator.privateTorrent(isPrivate);
    byte[] torrent = creator.create();
    MetaInfo meta = MetaInfo.parse(torrent);
    write(torrent);
    out.printf(
        "%s: %s, %d file%s, %s in %d pieces of %d KiB%ninfo_hash: %s%n",
        output,
        meta.name(),
        meta.files().size(),
        meta.files().size() == 1 ? "" : "s",
        InfoCommand.humanSize(meta.totalLength()),
        meta.pieceCount(),
        meta.pieceLength() / 1024,
        meta.infoHash().toHex());
    return 0;
  }

  /** Writes the torrent through a temporary file, so a failure never leaves half a torrent. */
  private void write(byte[] torrent) {
    Path absolute = output.toAbsolutePath();
    Path temporary = absolute.resolveSibling("." + absolute.getFileName() + ".tmp");
    try {
      Files.write(temporary, torrent);
      Files.move(
          temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException ignored) {
        // The original failure is the one to report.
      }
      throw new UncheckedIOException("cannot write " + output, e);
    }
  }
}
