package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.functorrent.storage.StorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk faults under a download from a seeder of ours: a file system that fills up, a read-only
 * one, a download directory that cannot be made. The download fails with a
 * {@link StorageException} that names the path and the file system's reason; every piece
 * reported verified is whole on disk, and none that is not whole is reported. The first two need
 * a small tmpfs, so root with the right to mount (as CI runs); elsewhere they are skipped, not
 * passed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DiskFaultTest {
  private static final int PIECE = 16 * 1024;

  @TempDir Path dir;
  private byte[] data;
  private MetaInfo meta;
  private Path torrentFile;
  private TorrentClient seeder;
  private TorrentClient leecher;
  private Path mounted;

  @BeforeEach
  void setUp() throws Exception {
    data = new byte[3 * 1024 * 1024 + 99];
    new Random(5).nextBytes(data);
    Path seedDir = Files.createDirectories(dir.resolve("seed"));
    Files.write(seedDir.resolve("data.bin"), data);
    byte[] torrent = TorrentCreator.of(seedDir.resolve("data.bin")).pieceLength(PIECE).create();
    torrentFile = dir.resolve("data.torrent");
    Files.write(torrentFile, torrent);
    meta = MetaInfo.parse(torrent);
    seeder = client();
    seeder
        .start(Torrent.of(meta).withOptions(
                DownloadOptions.defaults().withDirectory(seedDir).withSeed(true)
                    .withTrackers(false)),
            TorrentListener.NONE)
        .completion()
        .get(1, TimeUnit.MINUTES);
    leecher = client();
  }

  @AfterEach
  void tearDown() throws Exception {
    leecher.close();
    seeder.close();
    if (mounted != null) {
      run("umount", mounted.toString());
    }
  }

  private static TorrentClient client() {
    return TorrentClient.builder().listenPort(0).bindAddress(InetAddress.getLoopbackAddress())
        .networkThreads(1).build();
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor();
  }

  /** A tmpfs of {@code size} at a new directory, or the test is skipped where that is denied. */
  private Path tmpfs(String size) throws Exception {
    Path at = Files.createDirectories(dir.resolve("tmpfs"));
    int status = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", at.toString());
    assumeTrue(status == 0, "cannot mount a tmpfs here (needs root allowed to mount)");
    mounted = at;
    return at;
  }

  /** Verified pieces, as the listener heard of them. */
  private static final class Verified implements TorrentListener {
    final Set<Integer> pieces = ConcurrentHashMap.newKeySet();
    final CompletableFuture<Void> first = new CompletableFuture<>();

    @Override
    public void pieceVerified(int piece) {
      pieces.add(piece);
      first.complete(null);
    }
  }

  private Download leech(Path out, TorrentListener listener) {
    return leecher.start(
        Torrent.of(meta).withOptions(DownloadOptions.defaults().withDirectory(out)
            .withTrackers(false).withPeers(List.of(seeder.listenAddress()))),
        listener);
  }

  private static StorageException failure(Download d) throws Exception {
    try {
      d.completion().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StorageException.class);
      return (StorageException) e.getCause();
    }
    throw new AssertionError("the download completed on a faulty disk");
  }

  /** Every piece reported verified is whole and right in {@code file}. */
  private void assertVerifiedPiecesAreWhole(Set<Integer> verified, Path file) throws Exception {
    byte[] onDisk = Files.readAllBytes(file);
    for (int piece : verified) {
      int start = piece * PIECE;
      int end = (int) Math.min(data.length, (long) start + PIECE);
      assertThat(onDisk.length).as("file length").isGreaterThanOrEqualTo(end);
      byte[] content = Arrays.copyOfRange(onDisk, start, end);
      assertThat(MessageDigest.getInstance("SHA-1").digest(content))
          .as("piece %s, reported verified", piece).isEqualTo(meta.pieceHash(piece));
    }
  }

  /** The pieces whose bytes in {@code file} are whole and right. */
  private Set<Integer> wholePieces(Path file) throws Exception {
    byte[] onDisk = Files.readAllBytes(file);
    Set<Integer> whole = new java.util.TreeSet<>();
    for (int piece = 0; piece < meta.pieceCount(); piece++) {
      int start = piece * PIECE;
      int end = (int) Math.min(data.length, (long) start + PIECE);
      if (end <= onDisk.length && MessageDigest.isEqual(meta.pieceHash(piece),
          MessageDigest.getInstance("SHA-1").digest(Arrays.copyOfRange(onDisk, start, end)))) {
        whole.add(piece);
      }
    }
    return whole;
  }

  @Test
  void aFullFileSystemFailsTheDownloadNamingTheFileAndKeepsWhatWasVerified() throws Exception {
    Path out = tmpfs("1m"); // a third of the torrent
    Verified verified = new Verified();
    Download d = leech(out, verified);
    StorageException e = failure(d);
    Path file = out.resolve("data.bin");
    assertThat(e.path()).contains(file);
    assertThat(e).hasMessageContaining(file.toString())
        .hasMessageContaining("No space left on device");
    assertThat(d.stats().state()).isEqualTo(DownloadState.FAILED);
    // How many pieces were verified before the disk filled up depends on how the storage
    // threads interleaved writes and hash checks (none, under load); each one must be whole.
    assertVerifiedPiecesAreWhole(verified.pieces, file);
    Set<Integer> whole = wholePieces(file);
    assertThat(whole).as("whole on disk").containsAll(verified.pieces).isNotEmpty();
    // Started again on the same full disk: the check finds exactly the pieces whole on disk,
    // the verified ones and those whose checks were still queued when the write failed (the
    // storage checks them as it closes); a piece with a failed write is not whole.
    Verified again = new Verified();
    Download second = leech(out, again);
    failure(second);
    System.out.printf("full disk: %d pieces reported verified, %d whole on disk, %d found again%n",
        verified.pieces.size(), whole.size(), second.stats().piecesHave());
    assertThat(second.stats().piecesHave()).as("pieces found by the second run")
        .isEqualTo(whole.size());
    assertThat(wholePieces(file)).as("whole on disk after the second run").isEqualTo(whole);
  }

  @Test
  void aReadOnlyDownloadDirectoryFailsTheDownloadNamingIt() throws Exception {
    // A read-only mount: root ignores file modes, so chmod would not do.
    Path out = tmpfs("1m,ro");
    Download d = leech(out, TorrentListener.NONE);
    StorageException e = failure(d);
    assertThat(e).hasMessageContaining(out.toString())
        .hasMessageContaining("Read-only file system");
    assertThat(d.stats().state()).isEqualTo(DownloadState.FAILED);
    assertThat(d.stats().piecesHave()).isZero();
  }

  @Test
  void aDownloadDirectoryThatCannotBeMadeFailsAtOnceNamingIt() throws Exception {
    Path notADirectory = dir.resolve("plain-file");
    Files.write(notADirectory, new byte[] {1});
    Path out = notADirectory.resolve("downloads");
    Download d = leech(out, TorrentListener.NONE);
    StorageException e = failure(d);
    assertThat(e).hasMessageContaining(out.toString());
    assertThat(d.stats().state()).isEqualTo(DownloadState.FAILED);
    assertThatThrownBy(() -> d.completion().join()).hasCauseInstanceOf(StorageException.class);
  }
}
