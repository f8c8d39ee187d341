package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What peers did wrong, as a download's statistics report it. */
class PeerFaultsSwarmTest {
  private static final int PIECE = 16 * 1024;
  private static final String[] FILES = {"a.bin"};
  private static final int[] SIZES = {600_000};

  @TempDir Path dir;
  private LoopbackSwarm swarm;

  @BeforeEach
  void setUp() throws Exception {
    swarm = LoopbackSwarm.create(dir.resolve("full"), 20261127, PIECE, FILES, SIZES);
  }

  @AfterEach
  void tearDown() throws Exception {
    swarm.close();
  }

  @Test
  void aSeederWhoseDataWentBadIsBannedAcrossAPauseAndCountedAndAnHonestOneFinishes() throws Exception {
    // The liar seeds a checked copy that is then spoilt behind its back: it serves what is on
    // disk, every piece wrong.
    Path liarDir = dir.resolve("liar");
    Files.createDirectories(liarDir.resolve("set"));
    Path liarFile = liarDir.resolve("set").resolve("a.bin");
    Files.copy(swarm.data().resolve("a.bin"), liarFile);
    TorrentClient liar = swarm.client();
    Download seeding =
        liar.start(
            Torrent.of(swarm.meta())
                .withOptions(
                    DownloadOptions.defaults()
                        .withDirectory(liarDir)
                        .withSeed(true)
                        .withTrackers(false)),
            TorrentListener.NONE);
    assertThat(seeding.completion().get(1, TimeUnit.MINUTES).state())
        .isEqualTo(DownloadState.SEEDING);
    try (RandomAccessFile raf = new RandomAccessFile(liarFile.toFile(), "rw")) {
      for (long at = 100; at < SIZES[0]; at += PIECE) {
        raf.seek(at);
        raf.write(raf.read() ^ 0x5A);
      }
    }

    // The leecher knows the liar alone until a piece has failed; then the honest seeder comes.
    CompletableFuture<Void> firstFailure = new CompletableFuture<>();
    Path out = dir.resolve("out");
    Download download =
        swarm
            .client()
            .start(
                Torrent.of(swarm.meta())
                    .withOptions(
                        DownloadOptions.defaults()
                            .withDirectory(out)
                            .withPeers(List.of(liar.listenAddress()))),
                new TorrentListener() {
                  @Override
                  public void pieceFailed(int piece) {
                    firstFailure.complete(null);
                  }
                });
    firstFailure.get(1, TimeUnit.MINUTES);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (download.stats().faults().bannedPeers() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    // A pause and a resume make a new swarm: the ban must hold there, or the liar (still among
    // the peers to dial) would be let in again and spoil more pieces.
    download.pause().get(1, TimeUnit.MINUTES);
    PeerFaults beforeResume = download.stats().faults();
    assertThat(beforeResume.bannedPeers()).isEqualTo(1);
    download.resume().get(1, TimeUnit.MINUTES);
    swarm.seed(swarm.client(), true);
    download.reannounce();

    DownloadStats done = download.completion().get(1, TimeUnit.MINUTES);
    assertThat(Files.readAllBytes(out.resolve("set").resolve("a.bin")))
        .isEqualTo(Files.readAllBytes(swarm.data().resolve("a.bin")));
    PeerFaults faults = done.faults();
    assertThat(faults.failedPieces()).isPositive().isEqualTo(beforeResume.failedPieces());
    assertThat(faults.bannedPeers()).isEqualTo(1);
    assertThat(faults.nonReadingPeers()).isZero();
    assertThat(download.stats().faults()).isEqualTo(faults);
  }

  @Test
  void faultsAddUp() {
    PeerFaults a = new PeerFaults(1, 2, 3, 4, 5);
    assertThat(a.plus(new PeerFaults(10, 20, 30, 40, 50)))
        .isEqualTo(new PeerFaults(11, 22, 33, 44, 55));
    assertThat(PeerFaults.NONE.plus(a)).isEqualTo(a);
  }
}
