package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.functorrent.interop.Libtorrent;
import org.functorrent.interop.LoopbackPorts;
import org.functorrent.interop.OpenTracker;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.functorrent.tracker.TrackerStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thin path end to end: a real libtorrent seeder announces to a real opentracker; our client
 * finds it through the tracker and downloads, and the bytes are the seeder's.
 */
@Tag("interop")
class LibtorrentSeederInteropTest {
  @TempDir Path dir;
  private Path seedDir;
  private Path data;
  private Libtorrent libtorrent;

  @BeforeEach
  void makeData() throws Exception {
    seedDir = dir.resolve("seed");
    data = seedDir.resolve("album");
    Files.createDirectories(data.resolve("disc 1"));
    Random random = new Random(42);
    write(data.resolve("disc 1/track01.bin"), 3_000_001, random);
    write(data.resolve("disc 1/empty"), 0, random);
    write(data.resolve("cover.bin"), 777_777, random);
    write(data.resolve("notes.txt"), 12_345, random);
    libtorrent = Libtorrent.in(dir.resolve("libtorrent"));
  }

  private static void write(Path file, int length, Random random) throws Exception {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    Files.write(file, bytes);
  }

  private void downloadThrough(String scheme) throws Exception {
    Path torrentFile = dir.resolve("album.torrent");
    // The info-hash does not depend on the announce URL: learn it first, for the whitelist.
    TorrentCreator creator = TorrentCreator.of(data).pieceLength(65536);
    String hash = MetaInfo.parse(creator.create()).infoHash().toHex();
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash))) {
      String announce = scheme.equals("udp") ? tracker.udpAnnounceUrl() : tracker.httpAnnounceUrl();
      Files.write(torrentFile, creator.tracker(announce).create());
      MetaInfo meta = MetaInfo.parse(torrentFile);
      assertThat(meta.infoHash().toHex()).isEqualTo(hash);
      List<TrackerStatus> statuses = new CopyOnWriteArrayList<>();
      try (Libtorrent.Peer seeder =
              libtorrent.seed(torrentFile, seedDir, LoopbackPorts.free(), List.of());
          TorrentClient client =
              InteropData.loopbackClient()) {
        AtomicInteger verified = new AtomicInteger();
        Download download =
            client.start(
                Torrent.open(torrentFile).withDirectory(dir.resolve("out")),
                new TorrentListener() {
                  @Override
                  public void trackerStatusChanged(URI uri, TrackerStatus status) {
                    assertThat(uri).isEqualTo(URI.create(announce));
                    statuses.add(status);
                  }

                  @Override
                  public void pieceVerified(int piece) {
                    verified.incrementAndGet();
                  }
                });
        DownloadStats done = download.completion().get(3, TimeUnit.MINUTES);
        assertThat(done.bytesLeft()).isZero();
        assertThat(done.piecesHave()).isEqualTo(meta.pieceCount());
        assertThat(verified.get()).isEqualTo(meta.pieceCount());
        assertThat(statuses).first().isInstanceOf(TrackerStatus.Started.class);
        assertThat(seeder.output()).doesNotContain("hash_failed");
      }
      // Closing the client sent "stopped": the tracker status is None again.
      assertThat(statuses).last().isEqualTo(TrackerStatus.NONE);
    }
    for (String file : List.of("disc 1/track01.bin", "disc 1/empty", "cover.bin", "notes.txt")) {
      assertThat(Files.readAllBytes(dir.resolve("out/album").resolve(file)))
          .as(file)
          .isEqualTo(Files.readAllBytes(data.resolve(file)));
    }
    assertThat(libtorrent.verify(torrentFile, dir.resolve("out")).complete()).isTrue();
  }

  @Test
  void downloadsFromALibtorrentSeederFoundThroughOpentrackerOverHttp() throws Exception {
    downloadThrough("http");
  }

  @Test
  void downloadsFromALibtorrentSeederFoundThroughOpentrackerOverUdp() throws Exception {
    downloadThrough("udp");
  }

  @Test
  void downloadsFromALibtorrentSeederGivenDirectly() throws Exception {
    Path torrentFile = dir.resolve("direct.torrent");
    Files.write(torrentFile, TorrentCreator.of(data).pieceLength(16384).create());
    List<String> peerEvents = new CopyOnWriteArrayList<>();
    int port = LoopbackPorts.free();
    try (Libtorrent.Peer seeder = libtorrent.seed(torrentFile, seedDir, port, List.of());
        TorrentClient client =
            InteropData.loopbackClient()) {
      Download download =
          client.start(
              Torrent.open(torrentFile)
                  .withOptions(
                      DownloadOptions.defaults()
                          .withDirectory(dir.resolve("direct"))
                          .withPeers(List.of(seeder.address()))),
              new TorrentListener() {
                @Override
                public void peerConnected(SocketAddress peer) {
                  peerEvents.add("connected " + peer);
                }

                @Override
                public void peerDisconnected(SocketAddress peer, String cause) {
                  peerEvents.add("disconnected " + peer + ": " + cause);
                }
              });
      download.completion().get(3, TimeUnit.MINUTES);
    }
    // Once complete, both sides seed, so the connection closes (or the download, which does not
    // seed, stops first and takes it along).
    assertThat(peerEvents).hasSize(2);
    assertThat(peerEvents.get(0)).startsWith("connected ").endsWith(":" + port);
    assertThat(peerEvents.get(1))
        .startsWith("disconnected ")
        .matches(".*: (both sides have every wanted piece|torrent stopped)");
    assertThat(Files.readAllBytes(dir.resolve("direct/album/cover.bin")))
        .isEqualTo(Files.readAllBytes(data.resolve("cover.bin")));
    assertThat(libtorrent.verify(torrentFile, dir.resolve("direct")).complete()).isTrue();
  }
}
