package org.functorrent.interop;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness itself: real opentracker and libtorrent peers on loopback. */
@Tag("interop")
class HarnessInteropTest {
  @TempDir Path dir;

  private static String percentEncode(String hex) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < hex.length(); i += 2) {
      s.append('%').append(hex, i, i + 2);
    }
    return s.toString();
  }

  private static String get(String url) throws Exception {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    try (InputStream in = c.getInputStream()) {
      return new String(in.readAllBytes(), ISO_8859_1);
    }
  }

  @Test
  void opentrackerServesWhitelistedHashesOnly() throws Exception {
    String allowed = "0123456789abcdef0123456789abcdef01234567";
    String other = "89abcdef0123456789abcdef0123456789abcdef";
    try (OpenTracker tracker = OpenTracker.start(dir, List.of(allowed))) {
      String query = "?peer_id=-XX0000-abcdefghijkl&port=6881&uploaded=0&downloaded=0&left=0&compact=1";
      assertThat(get(tracker.httpAnnounceUrl() + query + "&info_hash=" + percentEncode(allowed)))
          .contains("8:intervali");
      assertThat(get(tracker.httpAnnounceUrl() + query + "&info_hash=" + percentEncode(other)))
          .contains("failure reason");
    }
  }

  @Test
  void twoLibtorrentPeersTradeATorrentThroughOpentracker() throws Exception {
    Path seedDir = dir.resolve("seed");
    Files.createDirectories(seedDir);
    byte[] data = new byte[3_000_000];
    new Random(1).nextBytes(data);
    Files.write(seedDir.resolve("payload.bin"), data);
    Libtorrent lt = Libtorrent.in(dir.resolve("lt"));
    Path torrent = dir.resolve("payload.torrent");
    String hash = lt.create(seedDir.resolve("payload.bin"), torrent, 65536, false);
    assertThat(lt.view(torrent).infoHash()).isEqualTo(hash);
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash))) {
      // The torrent names a dead tracker: point both peers at each other directly instead.
      try (Libtorrent.Peer seeder = lt.seed(torrent, seedDir, LoopbackPorts.free(), List.of());
          Libtorrent.Peer leecher =
              lt.leech(
                  torrent,
                  dir.resolve("out"),
                  LoopbackPorts.free(),
                  List.of(seeder.address()),
                  Duration.ofMinutes(2))) {
        leecher.awaitDone(Duration.ofMinutes(2));
      }
      assertThat(tracker.port()).isPositive();
    }
    assertThat(Files.readAllBytes(dir.resolve("out/payload.bin"))).isEqualTo(data);
    assertThat(lt.verify(torrent, dir.resolve("out")).complete()).isTrue();
    byte[] corrupt = data.clone();
    corrupt[70_000] ^= 1;
    Files.write(dir.resolve("out/payload.bin"), corrupt);
    Libtorrent.Check check = lt.verify(torrent, dir.resolve("out"));
    assertThat(check.verified()).isEqualTo(check.pieces() - 1);
  }

  @Test
  void aMissingProgramIsAClearError() {
    assertThatThrownBy(
            () -> ExternalProcess.start(List.of("no-such-client-xyz"), dir, dir.resolve("log")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot start no-such-client-xyz");
  }
}
