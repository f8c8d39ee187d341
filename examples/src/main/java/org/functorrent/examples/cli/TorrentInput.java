package org.functorrent.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.functorrent.bencode.BencodeDecoder;
import org.functorrent.common.TorrentException;
import org.functorrent.metainfo.MetaInfo;

/** Where a command reads a {@code .torrent} from: a file, or standard input for "-" or nothing. */
final class TorrentInput {
  private TorrentInput() {}

  /** Whether the argument is a magnet link rather than a file name. */
  static boolean isMagnet(String file) {
    return file != null && file.regionMatches(true, 0, "magnet:", 0, "magnet:".length());
  }

  /**
   * Reads and parses the torrent; a broken one fails with a message that starts with where it
   * came from (the file name, or "standard input").
   */
  static MetaInfo parse(String file, InputStream stdin) {
    byte[] bytes = read(file, stdin);
    try {
      return MetaInfo.parse(bytes);
    } catch (TorrentException e) {
      String source = file == null || file.equals("-") ? "standard input" : file;
      throw new TorrentException(source + ": " + e.getMessage(), e);
    }
  }

  static byte[] read(String file, InputStream stdin) {
    if (file == null || file.equals("-")) {
      if (file == null && System.console() != null) {
        throw new UsageException(
            "a .torrent file is needed (or '-' or a pipe for standard input)");
      }
      try {
        byte[] bytes = stdin.readNBytes(BencodeDecoder.DEFAULT_MAX_INPUT_BYTES + 1);
        if (bytes.length > BencodeDecoder.DEFAULT_MAX_INPUT_BYTES) {
          throw new IllegalArgumentException(
              "standard input: longer than "
                  + BencodeDecoder.DEFAULT_MAX_INPUT_BYTES
                  + " bytes (expected: a .torrent file)");
        }
        return bytes;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read standard input", e);
      }
    }
    Path path = Path.of(file);
    try {
      if (Files.size(path) > BencodeDecoder.DEFAULT_MAX_INPUT_BYTES) {
        throw new IllegalArgumentException(
            file + ": larger than " + BencodeDecoder.DEFAULT_MAX_INPUT_BYTES
                + " bytes (expected: a .torrent file)");
      }
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
