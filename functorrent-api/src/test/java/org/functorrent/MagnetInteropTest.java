package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.Libtorrent;
import org.functorrent.interop.LoopbackPorts;
import org.functorrent.interop.OpenTracker;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Magnet links and peer exchange against libtorrent on loopback: we fetch the metadata from a
 * libtorrent seeder found through opentracker; a libtorrent leecher fetches it from us (found
 * through the magnet's {@code x.pe} or through opentracker); a libtorrent leecher that knows
 * only us learns of another libtorrent peer through our PEX and connects to it; and we learn of a
 * libtorrent peer through a libtorrent seeder's PEX and connect to it.
 */
@Tag("interop")
class MagnetInteropTest {
  @TempDir Path dir;
  private InteropData data;
  private Path torrentFile;
  private MetaInfo meta;
  private Libtorrent libtorrent;

  @BeforeEach
  void makeData() throws Exception {
    data =
        InteropData.write(dir.resolve("seed").resolve("set"), 77,
            "a.bin", 5_000_001, "sub/b.bin", 3_333_333, "c.txt", 4321);
    libtorrent = Libtorrent.in(dir.resolve("libtorrent"));
  }

  /** The torrent of the data, announcing to {@code tracker} (or to none). */
  private void makeTorrent(String tracker) throws Exception {
    TorrentCreator creator = TorrentCreator.of(data.root()).pieceLength(32768);
    if (tracker != null) {
      creator = creator.tracker(tracker);
    }
    torrentFile = dir.resolve("set.torrent");
    java.nio.file.Files.write(torrentFile, creator.create());
    meta = MetaInfo.parse(torrentFile);
  }

  private String hash() throws Exception {
    return MetaInfo.parse(TorrentCreator.of(data.root()).pieceLength(32768).create())
        .infoHash()
        .toHex();
  }

  /** Records the metadata event. */
  static final class MetadataEvent implements TorrentListener {
    final CompletableFuture<MetaInfo> metadata = new CompletableFuture<>();

    @Override
    public void metadataReceived(MetaInfo metaInfo) {
      metadata.complete(metaInfo);
    }
  }

  @Test
  void aMagnetWithATrackerDownloadsFromALibtorrentSeeder() throws Exception {
    String hash = hash();
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash))) {
      makeTorrent(tracker.httpAnnounceUrl());
      String magnet = "magnet:?xt=urn:btih:" + hash + "&tr=" + tracker.httpAnnounceUrl();
      Libtorrent.Peer seeder =
          libtorrent.seed(torrentFile, dir.resolve("seed"), LoopbackPorts.free(), List.of());
      try (TorrentClient client = InteropData.loopbackClient()) {
        MetadataEvent events = new MetadataEvent();
        Download d = client.start(Torrent.magnet(magnet).withDirectory(dir.resolve("out")), events);
        DownloadStats stats;
        try {
          stats = d.completion().get(3, TimeUnit.MINUTES);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new AssertionError("not done: " + d.stats() + "\nseeder:\n" + seeder.output(), e);
        }
        assertThat(stats.state()).isEqualTo(DownloadState.COMPLETED);
        MetaInfo fetched = events.metadata.get(5, TimeUnit.SECONDS);
        assertThat(fetched.infoHash().toHex()).isEqualTo(hash);
        assertThat(fetched.pieceCount()).isEqualTo(meta.pieceCount());
      } finally {
        seeder.close();
      }
      data.assertSameAs(dir.resolve("out").resolve("set"));
    }
  }

  @Test
  void aLibtorrentLeecherGivenOnlyOurMagnetWithOurAddressFetchesTheMetadataAndDownloads()
      throws Exception {
    makeTorrent(null);
    try (TorrentClient client = InteropData.loopbackClient()) {
      InteropData.seed(client, torrentFile, dir.resolve("seed"));
      String magnet =
          "magnet:?xt=urn:btih:" + meta.infoHash().toHex() + "&x.pe=127.0.0.1:"
              + client.listenAddress().getPort();
      try (Libtorrent.Peer leecher =
          libtorrent.leechWith(magnet, dir.resolve("out"), LoopbackPorts.free(), List.of(),
              Duration.ofMinutes(3), List.of(Libtorrent.LOG_PEERS))) {
        leecher.awaitDone(Duration.ofMinutes(3));
      }
    }
    data.assertSameAs(dir.resolve("out").resolve("set"));
  }

  @Test
  void aLibtorrentLeecherFindsUsThroughTheMagnetsTracker() throws Exception {
    String hash = hash();
    try (OpenTracker tracker = OpenTracker.start(dir.resolve("tracker"), List.of(hash))) {
      makeTorrent(tracker.httpAnnounceUrl());
      try (TorrentClient client = InteropData.loopbackClient()) {
        InteropData.seed(client, torrentFile, dir.resolve("seed"));
        String magnet = "magnet:?xt=urn:btih:" + hash + "&tr=" + tracker.httpAnnounceUrl();
        try (Libtorrent.Peer leecher =
            libtorrent.leechWith(magnet, dir.resolve("out"), LoopbackPorts.free(), List.of(),
                Duration.ofMinutes(3), List.of(Libtorrent.LOG_PEERS))) {
          leecher.awaitDone(Duration.ofMinutes(3));
        }
      }
      data.assertSameAs(dir.resolve("out").resolve("set"));
    }
  }

  @Test
  void aLibtorrentPeerLearnsOfAnotherOnlyThroughOurPexAndConnectsToIt() throws Exception {
    makeTorrent(null);
    try (TorrentClient client = InteropData.loopbackClient()) {
      Set<Integer> connectedPorts = ConcurrentHashMap.newKeySet();
      client.start(
          Torrent.open(torrentFile)
              .withOptions(DownloadOptions.defaults().withDirectory(dir.resolve("seed"))
                  .withSeed(true)),
          new TorrentListener() {
            @Override
            public void peerConnected(SocketAddress peer) {
              connectedPorts.add(((java.net.InetSocketAddress) peer).getPort());
            }
          }).completion().get(1, TimeUnit.MINUTES);
      int portA = LoopbackPorts.free();
      // A: a slow libtorrent leecher that knows only us, so that it stays in the swarm a while;
      // without PEX, so that it cannot learn of C and dial it first.
      Libtorrent.Peer a =
          libtorrent.leechWith(torrentFile.toString(), dir.resolve("a"), portA,
              List.of(client.listenAddress()), Duration.ofMinutes(3),
              Libtorrent.downloadLimit(200_000));
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (connectedPorts.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(connectedPorts).as("A connected to us").isNotEmpty();
        // C: knows only us too; it can learn of A only from our ut_pex.
        int portC = LoopbackPorts.free();
        try (Libtorrent.Peer c =
            libtorrent.leechWith(torrentFile.toString(), dir.resolve("c"), portC,
                List.of(client.listenAddress()), Duration.ofMinutes(3),
                concat(List.of(Libtorrent.PEX, Libtorrent.LOG_PEERS),
                    Libtorrent.downloadLimit(500_000)))) {
          String endpointA = "127.0.0.1:" + portA;
          deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          while (!c.peersSeen().contains(endpointA) && System.nanoTime() < deadline) {
            Thread.sleep(100);
          }
          assertThat(c.peersSeen()).as("C's peers:\n%s", c.output()).contains(endpointA);
        }
      } finally {
        a.close();
      }
    }
  }

  @Test
  void weLearnOfALibtorrentPeerOnlyThroughLibtorrentsPexAndConnectToIt() throws Exception {
    makeTorrent(null);
    int portB = LoopbackPorts.free();
    // B: a libtorrent seeder with PEX, slow enough that we stay connected to it past its first
    // PEX message (libtorrent sends them on a one-minute timer).
    Libtorrent.Peer b =
        libtorrent.seedWith(torrentFile, dir.resolve("seed"), portB, List.of(),
            concat(List.of(Libtorrent.PEX), Libtorrent.uploadLimit(80_000)));
    int portA = LoopbackPorts.free();
    try {
      // A: a libtorrent leecher that knows only B; without PEX, so that it cannot learn of us
      // from B and dial us first (then our dial to it would be a duplicate).
      Libtorrent.Peer a =
          libtorrent.leechWith(torrentFile.toString(), dir.resolve("a"), portA,
              List.of(b.address()), Duration.ofMinutes(4), Libtorrent.downloadLimit(20_000));
      try (TorrentClient client = InteropData.loopbackClient()) {
        Set<Integer> connectedPorts = ConcurrentHashMap.newKeySet();
        // C: us, knowing only B.
        Download c =
            client.start(
                Torrent.open(torrentFile)
                    .withOptions(DownloadOptions.defaults().withDirectory(dir.resolve("c"))
                        .withTrackers(false).withPeers(List.of(b.address()))),
                new TorrentListener() {
                  @Override
                  public void peerConnected(SocketAddress peer) {
                    connectedPorts.add(((java.net.InetSocketAddress) peer).getPort());
                  }
                });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (!connectedPorts.contains(portA) && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        // A connection whose remote port is A's listen port is one we dialled (libtorrent's own
        // outgoing connections come from ephemeral ports): we learned A's address.
        assertThat(connectedPorts).as("we connected to A; stats %s", c.stats()).contains(portA);
      } finally {
        a.close();
      }
    } finally {
      b.close();
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
