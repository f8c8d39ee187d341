package org.functorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.functorrent.storage.TestTorrent.file;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutorService;
import org.functorrent.storage.internal.FileStorage;
import org.functorrent.storage.internal.ResumeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FastResumeTest {
  @TempDir Path dir;
  private ExecutorService executor;

  // three files of two pieces each (16 KiB pieces): pieces 0-1 in a, 2-3 in b, 4-5 in c
  private final TestTorrent t =
      TestTorrent.multi(21, 16384, "r", file(32768, "a"), file(32768, "b"), file(32768, "c"));

  @BeforeEach
  void setUp() {
    executor = Storages.newExecutor();
  }

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  private Storage open() {
    return Storages.fileSystem(t.meta, dir, executor);
  }

  private Path resumeFile() {
    return dir.resolve(FileStorage.HIDDEN_DIRECTORY).resolve(t.meta.infoHash().toHex() + ".resume");
  }

  private void writeAndVerify(Storage s, int... pieces) {
    for (int piece : pieces) {
      t.writePiece(s, piece);
      assertThat(s.verifyPiece(piece).join()).isTrue();
    }
  }

  @Test
  void unchangedFilesAreTrustedWithoutHashing() {
    try (Storage s = open()) {
      writeAndVerify(s, 0, 1, 2, 5);
    }
    assertThat(resumeFile()).exists();
    assertThat(resumeFile().resolveSibling(resumeFile().getFileName() + ".tmp")).doesNotExist();
    try (Storage s = open()) {
      assertThat(s.checkExisting(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(6, 0, 1, 2, 5));
      assertThat(s.stats().bytesHashed()).isZero();
    }
  }

  @Test
  void crashAfterTheRecordWasWrittenRehashesChangedFilesOnly() throws IOException {
    Path saved = dir.resolveSibling(dir.getFileName() + ".saved-resume");
    try (Storage s = open()) {
      writeAndVerify(s, 0, 4, 5);
      s.flush().join();
      Files.copy(resumeFile(), saved);
      // after the record: piece 1 completed, piece 2 written but not verified
      writeAndVerify(s, 1);
      t.writePiece(s, 2);
    }
    // the crash: the record on disk is the one from before those writes
    Files.move(saved, resumeFile(), StandardCopyOption.REPLACE_EXISTING);
    try (Storage s = open()) {
      PieceSet found = s.checkExisting(VerifyListener.NONE).join();
      // a and b changed since the record: their pieces were hashed, but for piece 3, which lies
      // past b's end and so is missing without a read; c was trusted
      assertThat(found).isEqualTo(PieceSet.of(6, 0, 1, 2, 4, 5));
      assertThat(s.stats().bytesHashed()).isEqualTo(3 * 16384);
    }
  }

  @Test
  void aPieceWrittenButNeverVerifiedIsNotClaimed() throws IOException {
    try (Storage s = open()) {
      writeAndVerify(s, 0);
      t.writePiece(s, 3);
      // a bad block in piece 3: verification fails, and the record must not claim it
      s.writeBlock(3, 5, ByteBuffer.wrap(new byte[] {9, 9})).join();
      assertThat(s.verifyPiece(3).join()).isFalse();
    }
    try (Storage s = open()) {
      assertThat(s.checkExisting(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(6, 0));
    }
  }

  @Test
  void dataChangedBehindOurBackIsRehashedAndDropped() throws IOException {
    try (Storage s = open()) {
      writeAndVerify(s, 0, 1, 2, 3, 4, 5);
    }
    Path b = dir.resolve("r/b");
    FileTime before = Files.getLastModifiedTime(b);
    try (RandomAccessFile raf = new RandomAccessFile(b.toFile(), "rw")) {
      raf.seek(20_000);
      raf.write(0xFF ^ t.content[32768 + 20_000]);
    }
    Files.setLastModifiedTime(b, FileTime.fromMillis(before.toMillis() + 5_000));
    try (Storage s = open()) {
      assertThat(s.checkExisting(VerifyListener.NONE).join())
          .isEqualTo(PieceSet.of(6, 0, 1, 2, 4, 5));
      assertThat(s.stats().bytesHashed()).isEqualTo(2 * 16384);
    }
  }

  @Test
  void aTruncatedFileLosesItsPiecesWithoutHashing() throws IOException {
    try (Storage s = open()) {
      writeAndVerify(s, 0, 1, 2, 3, 4, 5);
    }
    try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("r/c").toFile(), "rw")) {
      raf.setLength(10_000);
    }
    try (Storage s = open()) {
      assertThat(s.checkExisting(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(6, 0, 1, 2, 3));
      assertThat(s.stats().bytesHashed()).isZero();
    }
  }

  @Test
  void aDeletedFileLosesItsPieces() throws IOException {
    try (Storage s = open()) {
      writeAndVerify(s, 0, 1, 2, 3, 4, 5);
    }
    Files.delete(dir.resolve("r/a"));
    try (Storage s = open()) {
      assertThat(s.checkExisting(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(6, 2, 3, 4, 5));
    }
  }

  @Test
  void aBrokenOrForeignRecordMeansACheckOfEverything() throws IOException {
    try (Storage s = open()) {
      writeAndVerify(s, 0, 1, 2, 3, 4, 5);
    }
    Files.write(resumeFile(), "d6:formati1ee garbage".getBytes(StandardCharsets.US_ASCII));
    try (Storage s = open()) {
      assertThat(s.checkExisting(VerifyListener.NONE).join().isComplete()).isTrue();
      assertThat(s.stats().bytesHashed()).isEqualTo(6 * 16384);
    }
    TestTorrent other =
        TestTorrent.multi(99, 16384, "r", file(32768, "a"), file(32768, "b"), file(32768, "c"));
    Files.copy(resumeFile(), dir.resolve("foreign.resume"));
    try (Storage s =
        Storages.fileSystem(
            other.meta,
            dir,
            executor,
            StorageOptions.defaults().withResumeFile(dir.resolve("foreign.resume")))) {
      assertThat(s.checkExisting(VerifyListener.NONE).join().isEmpty()).isTrue();
      assertThat(s.stats().bytesHashed()).isEqualTo(6 * 16384);
    }
  }

  @Test
  void theRecordClaimsExactlyThePiecesVerifiedAtFlush() {
    try (Storage s = open()) {
      writeAndVerify(s, 2);
      s.flush().join();
      writeAndVerify(s, 3);
      // no flush and no close: the record on disk still claims piece 2 only
      try (Storage reader =
          Storages.fileSystem(
              t.meta, dir, executor, StorageOptions.defaults().withResumeFile(resumeFile()))) {
        // b changed after the record (piece 3 written): both its pieces are hashed and found
        assertThat(reader.checkExisting(VerifyListener.NONE).join())
            .isEqualTo(PieceSet.of(6, 2, 3));
      }
    }
  }

  /** A storage of {@link #t} whose file channels count their syncs in {@code syncs}. */
  private Storage openCountingSyncs(AtomicInteger syncs) {
    return new FileStorage(
        t.meta,
        dir,
        executor,
        null,
        StorageOptions.defaults(),
        (path, write) ->
            FaultyChannel.countingSyncs(
                FileStorage.ChannelFactory.DEFAULT.open(path, write), syncs::incrementAndGet));
  }

  private ResumeData record() throws IOException {
    return ResumeData.decode(Files.readAllBytes(resumeFile()), t.meta).orElseThrow();
  }

  private static String thisBoot() throws IOException {
    Path source = Path.of("/proc/sys/kernel/random/boot_id");
    assumeTrue(Files.isReadable(source), "the system names its boots (Linux)");
    return Files.readString(source).strip();
  }

  @Test
  void closingNamesThisBootInsteadOfSyncingAndAFlushSyncs() throws IOException {
    String boot = thisBoot();
    AtomicInteger syncs = new AtomicInteger();
    try (Storage s = openCountingSyncs(syncs)) {
      writeAndVerify(s, 0, 2);
      s.flush().join();
      assertThat(syncs.get()).as("files a and b synced by the flush").isEqualTo(2);
      assertThat(record().unsyncedBoot()).isEmpty();
      assertThat(record().pieces()).isEqualTo(PieceSet.of(6, 0, 2));
      writeAndVerify(s, 4);
    }
    assertThat(syncs.get()).as("no sync on close").isEqualTo(2);
    assertThat(record().unsyncedBoot()).contains(boot);
    assertThat(record().pieces()).isEqualTo(PieceSet.of(6, 0, 2, 4));
  }

  @Test
  void anUnsyncedRecordOfThisBootIsTrustedAndTheNextFlushSyncsItsFiles() throws IOException {
    thisBoot();
    try (Storage s = open()) {
      writeAndVerify(s, 0, 2, 4);
    }
    AtomicInteger syncs = new AtomicInteger();
    try (Storage s = openCountingSyncs(syncs)) {
      assertThat(s.checkExisting(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(6, 0, 2, 4));
      assertThat(s.stats().bytesHashed()).isZero();
      s.flush().join();
      // a, b and c were written by the last run only; the record now vouches for them synced
      assertThat(syncs.get()).isEqualTo(3);
      assertThat(record().unsyncedBoot()).isEmpty();
    }
  }

  @Test
  void anUnsyncedRecordOfAnotherBootHasItsPiecesHashedAgain() throws IOException {
    thisBoot();
    try (Storage s = open()) {
      writeAndVerify(s, 0, 1, 2, 5);
    }
    ResumeData written = record();
    Files.write(
        resumeFile(),
        new ResumeData(
                written.infoHash(),
                written.pieces(),
                written.files(),
                written.partFile(),
                written.priorities(),
                Optional.of("a boot before a power cut"))
            .encode());
    // What the power cut took: piece 1 never reached the disk, though the file's size and time
    // say nothing changed.
    Path a = dir.resolve("r/a");
    FileTime before = Files.getLastModifiedTime(a);
    try (RandomAccessFile raf = new RandomAccessFile(a.toFile(), "rw")) {
      raf.seek(16384);
      raf.write(new byte[16384]);
    }
    Files.setLastModifiedTime(a, before);
    try (Storage s = open()) {
      assertThat(s.checkExisting(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(6, 0, 2, 5));
      assertThat(s.stats().bytesHashed()).isEqualTo(4 * 16384);
    }
  }
}
