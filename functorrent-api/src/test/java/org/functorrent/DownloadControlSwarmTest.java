package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.storage.FilePriority;
import org.functorrent.tracker.ScrapeStats;
import org.functorrent.tracker.TrackerClient;
import org.functorrent.tracker.TrackerStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pause and resume, file selection and streaming, between seeders and leechers of our own in one
 * JVM, all on 127.0.0.1.
 */
class DownloadControlSwarmTest {
  private static final int PIECE = 16 * 1024;
  private static final String[] FILES = {"a.bin", "b.bin", "c.bin"};
  private static final int[] SIZES = {100_003, 1_000_000, 77_777};

  @TempDir Path dir;
  private LoopbackSwarm swarm;
  private Path data;
  private MetaInfo meta;

  @BeforeEach
  void setUp() throws Exception {
    swarm = LoopbackSwarm.create(dir.resolve("full"), 20260601, PIECE, FILES, SIZES);
    data = swarm.data();
    meta = swarm.meta();
  }

  @AfterEach
  void tearDown() throws Exception {
    swarm.close();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /**
   * Starts a seeder that announces to no tracker and, in a client of its own, a leecher into
   * {@code leechDir} that knows only that seeder and announces to no tracker either, with
   * {@code more} options on top.
   */
  private Download leechFromASeeder(Path leechDir, UnaryOperator<DownloadOptions> more)
      throws Exception {
    TorrentClient seedClient = swarm.client();
    swarm.seed(seedClient, false);
    DownloadOptions options =
        DownloadOptions.defaults()
            .withDirectory(leechDir)
            .withTrackers(false)
            .withPeers(List.of(seedClient.listenAddress()));
    return swarm.client().start(Torrent.of(meta).withOptions(more.apply(options)),
        TorrentListener.NONE);
  }

  private byte[] original(int file) throws Exception {
    return Files.readAllBytes(data.resolve(FILES[file]));
  }

  private ScrapeStats scrape(TrackerClient trackers) {
    return trackers
        .scrape(swarm.tracker().httpAnnounceUri(), List.of(meta.infoHash()))
        .join()
        .getOrDefault(meta.infoHash(), new ScrapeStats(0, 0, 0));
  }

  @Test
  void pauseClosesConnectionsAndSendsStoppedResumeAnnouncesAgainAndFinishes() throws Exception {
    // A partial seeder holds only the first file and is known to the leecher directly (no
    // tracker), so the leecher stalls part way, deterministically, until a full seeder appears.
    Path partialDir = dir.resolve("partial");
    Files.createDirectories(partialDir.resolve("set"));
    Files.copy(data.resolve(FILES[0]), partialDir.resolve("set").resolve(FILES[0]));
    TorrentClient partialClient = swarm.client();
    Download partial =
        partialClient.start(
            Torrent.of(meta)
                .withOptions(
                    DownloadOptions.defaults()
                        .withDirectory(partialDir)
                        .withSeed(true)
                        .withTrackers(false)),
            TorrentListener.NONE);
    await(() -> partial.stats().state() == DownloadState.DOWNLOADING, "the partial seeder");
    int partialPieces = partial.stats().piecesHave();
    assertThat(partialPieces).isBetween(1, meta.pieceCount() - 1);

    List<DownloadState> states = new CopyOnWriteArrayList<>();
    TorrentClient leechClient = swarm.client();
    Download leech =
        leechClient.start(
            Torrent.of(meta)
                .withOptions(
                    DownloadOptions.defaults()
                        .withDirectory(dir.resolve("leech"))
                        .withPeers(List.of(partialClient.listenAddress()))),
            new TorrentListener() {
              @Override
              public void stateChanged(DownloadState state) {
                states.add(state);
              }
            });
    TrackerClient trackers = swarm.closeLater(TrackerClient.builder(swarm.group()).build());
    await(() -> leech.stats().piecesHave() == partialPieces, "the partial seeder's pieces");
    await(() -> scrape(trackers).leechers() == 1, "the leecher's started announce");
    assertThat(leech.stats().peers()).isEqualTo(1);

    leech.pause().get(1, TimeUnit.MINUTES);

    DownloadStats paused = leech.stats();
    assertThat(paused.state()).isEqualTo(DownloadState.PAUSED);
    assertThat(paused.peers()).isZero();
    assertThat(paused.downloadRate()).isZero();
    assertThat(paused.downloadedBytes()).isGreaterThan(0);
    assertThat(scrape(trackers).leechers()).as("leechers after stopped").isZero();
    await(() -> partial.stats().peers() == 0, "the partial seeder to see the leecher go");
    await(() -> states.contains(DownloadState.PAUSED), "the PAUSED event");
    assertThat(leech.pause().get(1, TimeUnit.MINUTES)).as("idempotent").isNull();
    assertThat(leech.stats().state()).isEqualTo(DownloadState.PAUSED);

    // Only the new "started" announce can tell the leecher of this seeder.
    TorrentClient fullClient = swarm.client();
    CompletableFuture<Void> announced = new CompletableFuture<>();
    Download full =
        fullClient.start(
            Torrent.of(meta)
                .withOptions(
                    DownloadOptions.defaults().withDirectory(dir.resolve("full")).withSeed(true)),
            new TorrentListener() {
              @Override
              public void trackerStatusChanged(URI uri, TrackerStatus status) {
                if (status instanceof TrackerStatus.Started) {
                  announced.complete(null);
                }
              }
            });
    full.completion().get(1, TimeUnit.MINUTES);
    announced.get(1, TimeUnit.MINUTES);

    leech.resume().get(1, TimeUnit.MINUTES);
    DownloadStats done = leech.completion().get(2, TimeUnit.MINUTES);

    assertThat(done.state()).isEqualTo(DownloadState.COMPLETED);
    assertThat(done.downloadedBytes())
        .as("counters kept across the pause")
        .isGreaterThanOrEqualTo(meta.totalLength());
    for (int i = 0; i < FILES.length; i++) {
      assertThat(dir.resolve("leech").resolve("set").resolve(FILES[i]))
          .hasBinaryContent(original(i));
    }
    await(() -> states.contains(DownloadState.COMPLETED), "the COMPLETED event");
    assertThat(states)
        .containsSubsequence(
            DownloadState.DOWNLOADING,
            DownloadState.PAUSED,
            DownloadState.DOWNLOADING,
            DownloadState.COMPLETED);
  }

  @Test
  void skippedMiddleFileIsNotDownloadedNorCreated() throws Exception {
    Path leechDir = dir.resolve("leech");
    Download leech =
        leechFromASeeder(leechDir,
            o -> o.withFilePriorities(
                List.of(FilePriority.NORMAL, FilePriority.SKIP, FilePriority.HIGH)));
    assertThatThrownBy(() -> leech.openStream(1)).isInstanceOf(IllegalArgumentException.class);

    DownloadStats done = leech.completion().get(2, TimeUnit.MINUTES);

    assertThat(done.state()).isEqualTo(DownloadState.COMPLETED);
    assertThat(done.bytesLeft()).isZero();
    assertThat(done.progress()).isEqualTo(1.0);
    assertThat(done.wantedBytes()).isLessThan(meta.totalLength() - SIZES[1] + 2L * PIECE);
    assertThat(done.downloadedBytes()).isLessThanOrEqualTo(done.wantedBytes());
    assertThat(done.piecesHave()).isLessThan(meta.pieceCount());
    assertThat(leechDir.resolve("set").resolve(FILES[0])).hasBinaryContent(original(0));
    assertThat(leechDir.resolve("set").resolve(FILES[2])).hasBinaryContent(original(2));
    assertThat(leechDir.resolve("set").resolve(FILES[1])).doesNotExist();
    assertThat(leech.filePriorities())
        .containsExactly(FilePriority.NORMAL, FilePriority.SKIP, FilePriority.HIGH);
  }

  @Test
  void fileSkippedAtStartAndWantedAtRuntimeIsDownloaded() throws Exception {
    Path leechDir = dir.resolve("leech");
    Download leech =
        leechFromASeeder(leechDir,
            o -> o.withSeed(true).withFilePriorities(
                List.of(FilePriority.SKIP, FilePriority.NORMAL, FilePriority.SKIP)));
    leech.completion().get(2, TimeUnit.MINUTES);
    assertThat(leechDir.resolve("set").resolve(FILES[2])).doesNotExist();

    leech.setFilePriority(2, FilePriority.NORMAL).get(1, TimeUnit.MINUTES);
    await(() -> leech.stats().bytesLeft() == 0, "the file made wanted");

    assertThat(leech.stats().wantedBytes()).isGreaterThanOrEqualTo(SIZES[1] + SIZES[2]);
    leech.stop().get(1, TimeUnit.MINUTES);
    assertThat(leechDir.resolve("set").resolve(FILES[1])).hasBinaryContent(original(1));
    assertThat(leechDir.resolve("set").resolve(FILES[2])).hasBinaryContent(original(2));
    assertThat(leechDir.resolve("set").resolve(FILES[0])).doesNotExist();
  }

  @Test
  void streamReadsFileWhileItDownloadsAndAfterTheDownloadEnded() throws Exception {
    Download leech = leechFromASeeder(dir.resolve("leech"), o -> o);

    byte[] streamed;
    try (TorrentFileStream stream = leech.openStream(1);
        InputStream in = new BufferedInputStream(stream)) {
      assertThat(stream.length()).isEqualTo(SIZES[1]);
      streamed = in.readAllBytes();
      assertThat(stream.position()).isEqualTo(SIZES[1]);
      assertThat(stream.read()).isEqualTo(-1);
    }
    assertThat(streamed).isEqualTo(original(1));

    assertThat(leech.completion().get(2, TimeUnit.MINUTES).state())
        .isEqualTo(DownloadState.COMPLETED);
    // The download's storage is closed now: the stream reads the verified file itself.
    byte[] expected = original(2);
    try (TorrentFileStream stream = leech.openStream(2)) {
      stream.seek(40_000);
      assertThat(stream.readAllBytes())
          .isEqualTo(Arrays.copyOfRange(expected, 40_000, expected.length));
      stream.seek(0);
      assertThat(stream.skip(10)).isEqualTo(10);
      assertThat(stream.read()).isEqualTo(expected[10] & 0xff);
    }
  }
}
