package org.functorrent.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.functorrent.interop.Libtorrent;
import org.functorrent.interop.LoopbackPorts;
import org.functorrent.interop.OpenTracker;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cat x.torrent | functorrent --peer ...} and {@code functorrent download MAGNET} download
 * from a real libtorrent seeder.
 */
@Tag("interop")
class CommandLineInteropTest {
  @TempDir Path dir;

  @Test
  void theProgramDownloadsATorrentReadFromStandardInput() throws Exception {
    Path seedDir = dir.resolve("seed");
    Files.createDirectories(seedDir);
    byte[] data = new byte[1_234_567];
    new Random(3).nextBytes(data);
    Files.write(seedDir.resolve("file.bin"), data);
    byte[] torrent = TorrentCreator.of(seedDir.resolve("file.bin")).pieceLength(32768).create();
    Path torrentFile = dir.resolve("file.torrent");
    Files.write(torrentFile, torrent);
    Libtorrent libtorrent = Libtorrent.in(dir.resolve("libtorrent"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status;
    try (Libtorrent.Peer seeder =
        libtorrent.seed(torrentFile, seedDir, LoopbackPorts.free(), List.of())) {
      InputStream saved = System.in;
      System.setIn(new ByteArrayInputStream(torrent));
      try {
        String peer = "127.0.0.1:" + seeder.address().getPort();
        status =
            FuncTorrentCommand.run(
                new String[] {
                  "--dir", dir.resolve("out").toString(), "--bind", "127.0.0.1", "--port", "0",
                  "--peer", peer
                },
                new PrintWriter(out, true),
                new PrintWriter(err, true));
      } finally {
        System.setIn(saved);
      }
    }
    assertThat(status).as("stderr: %s", err).isZero();
    assertThat(out.toString())
        .contains("info_hash " + MetaInfo.parse(torrent).infoHash().toHex())
        .contains("completed: 1.2 MiB");
    assertThat(Files.readAllBytes(dir.resolve("out/file.bin"))).isEqualTo(data);
  }

  @Test
  void theProgramDownloadsAMagnetFromALibtorrentSeederFoundThroughOpentracker() throws Exception {
    Path seedDir = dir.resolve("seed");
    Files.createDirectories(seedDir);
    byte[] data = new byte[2_345_678];
    new Random(4).nextBytes(data);
    Files.write(seedDir.resolve("file.bin"), data);
    TorrentCreator creator = TorrentCreator.of(seedDir.resolve("file.bin")).pieceLength(32768);
    String hash = MetaInfo.parse(creator.create()).infoHash().toHex();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status;
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash))) {
      Path torrentFile = dir.resolve("file.torrent");
      Files.write(torrentFile, creator.tracker(tracker.httpAnnounceUrl()).create());
      Libtorrent libtorrent = Libtorrent.in(dir.resolve("libtorrent"));
      Libtorrent.Peer seeder = libtorrent.seed(torrentFile, seedDir, LoopbackPorts.free(),
          List.of());
      try {
        String magnet = "magnet:?xt=urn:btih:" + hash + "&dn=file.bin&tr="
            + tracker.httpAnnounceUrl();
        status =
            FuncTorrentCommand.run(
                new String[] {
                  "download", magnet, "--dir", dir.resolve("out").toString(), "--bind",
                  "127.0.0.1", "--port", "0"
                },
                new PrintWriter(out, true),
                new PrintWriter(err, true));
      } finally {
        seeder.close();
      }
    }
    assertThat(status).as("stderr: %s", err).isZero();
    assertThat(out.toString())
        .contains("magnet " + hash + " (file.bin): fetching the metadata")
        .contains("info_hash " + hash)
        .contains("completed: 2.2 MiB");
    assertThat(Files.readAllBytes(dir.resolve("out/file.bin"))).isEqualTo(data);
  }
}
