package org.functorrent.examples.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code functorrent create PATH --tracker URL [--piece-size KIB] -o OUT.torrent}. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description = "Creates a .torrent of a file or a directory.")
final class CreateCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", description = "The file or directory to share.")
  Path path;

  @Option(
      names = {"-t", "--tracker"},
      paramLabel = "URL",
      description = "A tracker URL; repeat for more tiers, or give a tier as URL,URL.")
  List<String> trackers = List.of();

  @Option(
      names = "--piece-size",
      paramLabel = "KIB",
      description = "Piece size in KiB, a power of two from 16 to 65536 (default: automatic).")
  Integer pieceSizeKib;

  @Option(names = "--private", description = "Set the private flag (peers from trackers only).")
  boolean isPrivate;

  @Option(names = "--comment", paramLabel = "TEXT", description = "A comment.")
  String comment;

  @Option(names = "--web-seed", paramLabel = "URL", description = "A web seed URL (repeatable).")
  List<String> webSeeds = List.of();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "OUT",
      required = true,
      description = "Where to write the .torrent.")
  Path output;

  @Spec CommandSpec spec;

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
    spec.commandLine()
        .getOut()
        .printf(
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
      Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
