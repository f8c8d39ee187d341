package org.functorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.functorrent.storage.TestTorrent.file;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.functorrent.storage.internal.FileStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSelectionTest {
  @TempDir Path dir;
  private ExecutorService executor;

  // a = [0, 20000), b = [20000, 60000), c = [60000, 80000); 16 KiB pieces:
  // 0 in a; 1 in a and b; 2 in b only; 3 in b and c; 4 in c
  private final TestTorrent t =
      TestTorrent.multi(31, 16384, "sel", file(20000, "a"), file(40000, "b"), file(20000, "c"));

  private final StorageOptions skipB =
      StorageOptions.defaults()
          .withPriorities(List.of(FilePriority.HIGH, FilePriority.SKIP, FilePriority.NORMAL));

  @BeforeEach
  void setUp() {
    executor = Storages.newExecutor();
  }

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  private void writeAndVerify(Storage s, int... pieces) {
    for (int piece : pieces) {
      t.writePiece(s, piece);
      assertThat(s.verifyPiece(piece).join()).as("piece %s", piece).isTrue();
    }
  }

  private Path partFile() {
    return dir.resolve(FileStorage.HIDDEN_DIRECTORY).resolve(t.meta.infoHash().toHex() + ".parts");
  }

  @Test
  void aSkippedFileIsNotCreatedAndSharedPiecesStillVerifyAndServe() {
    try (Storage s = Storages.fileSystem(t.meta, dir, executor, skipB)) {
      assertThat(s.priorities())
          .containsExactly(FilePriority.HIGH, FilePriority.SKIP, FilePriority.NORMAL);
      writeAndVerify(s, 0, 1, 3, 4);
      assertThat(dir.resolve("sel/b")).doesNotExist();
      assertThat(partFile()).exists();
      assertThat(s.readBlock(1, 0, 16384).join().array()).isEqualTo(t.piece(1));
      assertThat(s.readBlock(3, 0, 16384).join().array()).isEqualTo(t.piece(3));
      assertThatThrownBy(() -> s.writeBlock(2, 0, ByteBuffer.allocate(10)).join())
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("skipped file sel/b");
    }
    try (Storage s = Storages.fileSystem(t.meta, dir, executor, skipB)) {
      assertThat(s.checkExisting(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(5, 0, 1, 3, 4));
      assertThat(s.stats().bytesHashed()).isZero();
      assertThat(s.verifyAll(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(5, 0, 1, 3, 4));
    }
    assertThat(dir.resolve("sel/b")).doesNotExist();
  }

  @Test
  void aPartFileChangedBehindOurBackHasItsPiecesRehashed() throws IOException {
    try (Storage s = Storages.fileSystem(t.meta, dir, executor, skipB)) {
      writeAndVerify(s, 0, 1, 3, 4);
    }
    // piece 3 (slot 1) holds b's bytes at [0, 10848) of its slot: spoil one of them
    try (RandomAccessFile raf = new RandomAccessFile(partFile().toFile(), "rw")) {
      raf.seek(16384 + 5);
      int old = raf.read();
      raf.seek(16384 + 5);
      raf.write(old ^ 0xFF);
    }
    Files.setLastModifiedTime(
        partFile(), FileTime.fromMillis(Files.getLastModifiedTime(partFile()).toMillis() + 5_000));
    try (Storage s = Storages.fileSystem(t.meta, dir, executor, skipB)) {
      assertThat(s.checkExisting(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(5, 0, 1, 4));
      // only the two boundary pieces were hashed again
      assertThat(s.stats().bytesHashed()).isEqualTo(2 * 16384);
    }
  }

  @Test
  void aSkippedFileThatBecomesWantedGetsItsBytesFromThePartFile() throws IOException {
    try (Storage s = Storages.fileSystem(t.meta, dir, executor, skipB)) {
      writeAndVerify(s, 0, 1, 3, 4);
      s.setPriority(1, FilePriority.NORMAL).join();
      byte[] b = Files.readAllBytes(dir.resolve("sel/b"));
      byte[] want = t.file(1);
      assertThat(Arrays.copyOfRange(b, 0, 12768)).isEqualTo(Arrays.copyOfRange(want, 0, 12768));
      assertThat(Arrays.copyOfRange(b, 29152, 40000))
          .isEqualTo(Arrays.copyOfRange(want, 29152, 40000));
      assertThat(s.verifyAll(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(5, 0, 1, 3, 4));
      writeAndVerify(s, 2);
      assertThat(s.verifiedPieces().isComplete()).isTrue();
    }
    assertThat(Files.readAllBytes(dir.resolve("sel/b"))).isEqualTo(t.file(1));
  }

  @Test
  void aWantedFileThatBecomesSkippedKeepsSharedPiecesServable() throws IOException {
    try (Storage s = Storages.fileSystem(t.meta, dir, executor)) {
      writeAndVerify(s, 0, 1, 2, 3, 4);
      s.setPriority(2, FilePriority.SKIP).join();
      assertThat(s.priorities().get(2)).isEqualTo(FilePriority.SKIP);
      // the bytes of c in piece 3 now live in the part file as well
      Files.delete(dir.resolve("sel/c"));
      assertThat(s.readBlock(3, 0, 16384).join().array()).isEqualTo(t.piece(3));
      assertThat(s.verifyAll(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(5, 0, 1, 2, 3));
    }
  }

  @Test
  void aPieceWrittenBeforeItsFileChangedPriorityIsCheckedWhereItIsReadFromNow() {
    try (Storage s = Storages.fileSystem(t.meta, dir, executor, StorageOptions.defaults())) {
      writeAndVerify(s, 2, 3); // b exists at its full length
      s.setPriority(1, FilePriority.SKIP).join();
      t.writePiece(s, 1); // its bytes of b go to the part file, hashed as they are written
      s.setPriority(1, FilePriority.NORMAL).join(); // not verified: not copied into b
      // read from b now, where those bytes never were: the hash of the written block is no proof
      assertThat(s.verifyPiece(1).join()).isFalse();
      t.writePiece(s, 1);
      assertThat(s.verifyPiece(1).join()).isTrue();
      assertThat(s.readBlock(1, 0, 16384).join().array()).isEqualTo(t.piece(1));
    }
  }
}
