package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.MagnetUri;
import org.functorrent.metainfo.MetaInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Torrent.magnet(uri)} between clients of our own on 127.0.0.1: the metadata comes from
 * our seeder (found through the magnet's tracker or its {@code x.pe}), then the files.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MagnetDownloadTest {
  private static final String[] FILES = {"a.bin", "b.bin"};
  private static final int[] SIZES = {300_003, 1_200_000};

  @TempDir Path dir;
  private LoopbackSwarm swarm;
  private MetaInfo meta;

  @BeforeEach
  void setUp() throws Exception {
    swarm = LoopbackSwarm.create(dir.resolve("seed"), 9, 16 * 1024, FILES, SIZES);
    meta = swarm.meta();
  }

  @AfterEach
  void tearDown() throws Exception {
    swarm.close();
  }

  /** A client that seeds the whole torrent, announcing to the tracker or not. */
  private TorrentClient seeder(boolean trackers) throws Exception {
    TorrentClient client = swarm.client();
    swarm.seed(client, trackers);
    return client;
  }

  /** Records the events a magnet download goes through. */
  static final class Events implements TorrentListener {
    final CompletableFuture<MetaInfo> metadata = new CompletableFuture<>();
    final List<DownloadState> states = new CopyOnWriteArrayList<>();
    final List<String> order = new CopyOnWriteArrayList<>();

    @Override
    public void metadataReceived(MetaInfo metaInfo) {
      order.add("metadata");
      metadata.complete(metaInfo);
    }

    @Override
    public void stateChanged(DownloadState state) {
      states.add(state);
      order.add(state.name());
    }

    @Override
    public void completed(DownloadStats stats) {
      order.add("completed");
    }
  }

  private void assertFilesDownloaded(Path into) throws Exception {
    for (String f : FILES) {
      assertThat(Files.mismatch(into.resolve("set").resolve(f), swarm.data().resolve(f)))
          .as(f).isEqualTo(-1L);
    }
  }

  @Test
  void aMagnetWithATrackerFetchesTheMetadataThenDownloads() throws Exception {
    seeder(true);
    String uri = meta.toMagnet().toUri();
    assertThat(uri).contains("tr=");
    Path into = dir.resolve("leech");
    Events events = new Events();
    Download d = swarm.client().start(Torrent.magnet(uri).withDirectory(into), events);
    DownloadStats stats = d.completion().get(2, TimeUnit.MINUTES);
    assertThat(stats.state()).isEqualTo(DownloadState.COMPLETED);
    assertFilesDownloaded(into);
    MetaInfo fetched = events.metadata.get(5, TimeUnit.SECONDS);
    assertThat(fetched.infoHash()).isEqualTo(meta.infoHash());
    assertThat(fetched.trackerTiers())
        .isEqualTo(List.of(List.of(swarm.tracker().httpAnnounceUri().toString())));
    assertThat(d.metaInfo().infoHash()).isEqualTo(meta.infoHash());
    assertThat(d.metadata().get(5, TimeUnit.SECONDS).infoHash()).isEqualTo(meta.infoHash());
    assertThat(events.states.get(0)).isEqualTo(DownloadState.FETCHING_METADATA);
    assertThat(events.order.indexOf("metadata")).isLessThan(events.order.indexOf("CHECKING"));
    Path saved = into.resolve(".functorrent").resolve(meta.infoHash().toHex() + ".torrent");
    assertThat(MetaInfo.parse(saved).infoHash()).isEqualTo(meta.infoHash());
  }

  @Test
  void aMagnetWithOnlyAPeerAddressDownloadsAndARestartNeedsNoPeerForTheMetadata()
      throws Exception {
    TorrentClient seeder = seeder(false);
    MagnetUri magnet =
        new MagnetUri(meta.infoHash(), java.util.Optional.empty(),
            com.google.common.collect.ImmutableList.of(),
            com.google.common.collect.ImmutableList.of(
                "127.0.0.1:" + seeder.listenAddress().getPort()),
            com.google.common.collect.ImmutableList.of());
    Path into = dir.resolve("leech");
    TorrentClient leecher = swarm.client();
    Download d = leecher.start(Torrent.of(magnet).withDirectory(into), new Events());
    d.completion().get(2, TimeUnit.MINUTES);
    assertFilesDownloaded(into);

    // Again, with the data and the saved metadata on disk and no peer at all: no fetch.
    Events again = new Events();
    Download second =
        leecher.start(Torrent.magnet(MagnetUri.of(meta.infoHash()).toUri()).withDirectory(into),
            again);
    assertThat(second.completion().get(1, TimeUnit.MINUTES).state())
        .isEqualTo(DownloadState.COMPLETED);
    assertThat(again.metadata.get(5, TimeUnit.SECONDS).infoHash()).isEqualTo(meta.infoHash());
  }

  @Test
  void beforeTheMetadataArrivesTheDownloadSaysSoAndPausesAndStops() throws Exception {
    // Nobody has this torrent: the fetch waits for peers.
    Events events = new Events();
    Download d =
        swarm.client()
            .start(Torrent.magnet(MagnetUri.of(meta.infoHash()).toUri())
                .withDirectory(dir.resolve("leech")), events);
    DownloadStats stats = d.stats();
    assertThat(stats.state()).isEqualTo(DownloadState.FETCHING_METADATA);
    assertThat(stats.totalBytes()).isZero();
    assertThat(stats.pieceCount()).isZero();
    assertThat(stats.progress()).isZero();
    assertThatThrownBy(d::metaInfo).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("metadata not received yet");
    assertThatThrownBy(() -> d.openStream(0)).isInstanceOf(IllegalStateException.class);
    assertThat(d.metadata()).isNotDone();
    d.pause().get(10, TimeUnit.SECONDS);
    assertThat(d.stats().state()).isEqualTo(DownloadState.PAUSED);
    d.resume().get(10, TimeUnit.SECONDS);
    assertThat(d.stats().state()).isEqualTo(DownloadState.FETCHING_METADATA);
    d.stop().get(10, TimeUnit.SECONDS);
    assertThat(d.stats().state()).isEqualTo(DownloadState.STOPPED);
    // As for a .torrent's download stopped early: completion() ends cancelled.
    assertThatThrownBy(() -> d.completion().get(5, TimeUnit.SECONDS))
        .isInstanceOf(CancellationException.class);
    assertThatThrownBy(() -> d.metadata().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThat(events.metadata).isNotDone();
  }

  @Test
  void fetchMetadataAloneReturnsTheTorrentAndDownloadsNothing() throws Exception {
    TorrentClient seeder = seeder(false);
    Path into = dir.resolve("info");
    Torrent magnet =
        Torrent.magnet(MagnetUri.of(meta.infoHash()).toUri())
            .withOptions(DownloadOptions.defaults().withDirectory(into)
                .withPeers(List.of(seeder.listenAddress())));
    assertThat(magnet.hasMetaInfo()).isFalse();
    assertThat(magnet.infoHash()).isEqualTo(meta.infoHash());
    assertThatThrownBy(magnet::metaInfo).isInstanceOf(IllegalStateException.class);
    TorrentClient client = swarm.client();
    MetaInfo fetched = client.fetchMetadata(magnet, TorrentListener.NONE).get(1, TimeUnit.MINUTES);
    assertThat(fetched.infoHash()).isEqualTo(meta.infoHash());
    assertThat(Files.exists(into.resolve("set"))).as("no file downloaded").isFalse();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!client.downloads().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(client.downloads()).isEmpty();
    assertThat(InfoHash.sha1Of(fetched.infoBytes())).isEqualTo(meta.infoHash());
  }
}
