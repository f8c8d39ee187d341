package org.functorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.functorrent.storage.TestTorrent.file;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.functorrent.storage.internal.FileStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultTest {
  @TempDir Path dir;
  @TempDir Path outside;
  private ExecutorService executor;

  private final TestTorrent t =
      TestTorrent.multi(41, 16384, "f", file(16384, "sub", "x"), file(16384, "y"));

  @BeforeEach
  void setUp() {
    executor = Storages.newExecutor();
  }

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  private final StorageOptions noResume = StorageOptions.defaults().withFastResume(false);

  private Storage open() {
    return Storages.fileSystem(t.meta, dir, executor);
  }

  private static StorageException storageFailure(Runnable action) {
    try {
      action.run();
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(StorageException.class);
      return (StorageException) e.getCause();
    }
    throw new AssertionError("expected a StorageException");
  }

  @Test
  void aFileReplacedByADirectoryFailsNamingThePath() throws IOException {
    Files.createDirectories(dir.resolve("f/y"));
    try (Storage s = open()) {
      StorageException e = storageFailure(() -> t.writePiece(s, 1));
      assertThat(e.path()).contains(dir.toRealPath().resolve("f/y"));
      assertThat(e.getMessage()).contains(dir.toRealPath().resolve("f/y").toString());
      t.writePiece(s, 0);
      assertThat(s.verifyPiece(0).join()).isTrue();
      assertThat(s.verifyAll(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(2, 0));
    }
  }

  @Test
  void aSymbolicLinkLeadingOutOfTheDirectoryIsNotFollowed() throws IOException {
    Files.createDirectories(dir.resolve("f"));
    Files.createSymbolicLink(dir.resolve("f/sub"), outside);
    Path target = outside.resolve("victim");
    Files.write(target, new byte[] {1, 2, 3});
    Files.createSymbolicLink(dir.resolve("f/y"), target);
    try (Storage s = open()) {
      StorageException e = storageFailure(() -> t.writePiece(s, 0));
      assertThat(e.getMessage()).contains("symbolic link leads out");
      assertThat(e.path()).contains(dir.toRealPath().resolve("f/sub"));
      StorageException e2 = storageFailure(() -> t.writePiece(s, 1));
      assertThat(e2.path()).contains(dir.toRealPath().resolve("f/y"));
      storageFailure(() -> s.readBlock(1, 0, 10).join());
      assertThat(s.verifyAll(VerifyListener.NONE).join().isEmpty()).isTrue();
    }
    try (var listing = Files.list(outside)) {
      assertThat(listing.toList()).containsExactly(target);
    }
    assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
  }

  @Test
  void aSymbolicLinkInsideTheDirectoryIsFollowed() throws IOException {
    Files.createDirectories(dir.resolve("f"));
    Files.createDirectories(dir.resolve("elsewhere"));
    Files.createSymbolicLink(dir.resolve("f/sub"), dir.resolve("elsewhere"));
    // a link must lead to something: a dangling one is refused, as its target is unknown
    Files.createFile(dir.resolve("elsewhere/y-data"));
    Files.createSymbolicLink(dir.resolve("f/y"), Path.of("..", "elsewhere", "y-data"));
    try (Storage s = open()) {
      t.writePiece(s, 0);
      t.writePiece(s, 1);
      assertThat(s.verifyPiece(0).join()).isTrue();
    }
    assertThat(Files.readAllBytes(dir.resolve("elsewhere/x"))).isEqualTo(t.file(0));
    assertThat(Files.readAllBytes(dir.resolve("elsewhere/y-data"))).isEqualTo(t.file(1));
    try (Storage s = Storages.fileSystem(t.meta, dir, executor, noResume)) {
      assertThat(s.verifyAll(VerifyListener.NONE).join().isComplete()).isTrue();
    }
  }

  @Test
  void diskFullFailsTheWriteAndKeepsWhatWasVerified() throws IOException {
    AtomicBoolean full = new AtomicBoolean();
    FileStorage.ChannelFactory factory =
        (path, write) ->
            new FaultyChannel(
                FileStorage.ChannelFactory.DEFAULT.open(path, write), at -> full.get());
    try (Storage s =
        new FileStorage(t.meta, dir, executor, null, StorageOptions.defaults(), factory)) {
      t.writePiece(s, 0);
      assertThat(s.verifyPiece(0).join()).isTrue();
      full.set(true);
      StorageException e = storageFailure(() -> t.writePiece(s, 1));
      assertThat(e.getMessage()).contains("No space left on device").contains("f/y");
      assertThat(e.getCause()).isInstanceOf(IOException.class);
      assertThat(s.verifiedPieces()).isEqualTo(PieceSet.of(2, 0));
      assertThat(s.stats().piecesVerified()).isEqualTo(1);
    }
    try (Storage s = open()) {
      assertThat(s.checkExisting(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(2, 0));
    }
  }

  @Test
  void permissionDeniedFailsNamingThePath() {
    FileStorage.ChannelFactory factory =
        (path, write) -> {
          if (write) {
            throw new AccessDeniedException(path.toString());
          }
          return FileStorage.ChannelFactory.DEFAULT.open(path, false);
        };
    try (Storage s =
        new FileStorage(
            t.meta,
            dir,
            executor,
            null,
            StorageOptions.defaults().withFastResume(false),
            factory)) {
      StorageException e = storageFailure(() -> t.writePiece(s, 1));
      assertThat(e.getMessage()).contains("cannot open for writing").contains("AccessDenied");
      assertThat(e.path().orElseThrow().endsWith(Path.of("f", "y"))).isTrue();
    }
  }

  @Test
  void aReadOnlyFileSystemFailsNamingThePath() {
    FileStorage.ChannelFactory factory =
        (path, write) -> {
          throw new FileSystemException(path.toString(), null, "Read-only file system");
        };
    try (Storage s =
        new FileStorage(
            t.meta,
            dir,
            executor,
            null,
            StorageOptions.defaults().withFastResume(false),
            factory)) {
      StorageException e = storageFailure(() -> t.writePiece(s, 0));
      assertThat(e.getMessage()).contains("Read-only file system").contains("f/sub/x");
    }
  }

  @Test
  void anUnwritableDownloadDirectoryFailsAtOpen() throws IOException {
    Path notADirectory = dir.resolve("plain");
    Files.write(notADirectory, new byte[1]);
    assertThatThrownBy(() -> Storages.fileSystem(t.meta, notADirectory, executor))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(notADirectory.toString());
  }
}
