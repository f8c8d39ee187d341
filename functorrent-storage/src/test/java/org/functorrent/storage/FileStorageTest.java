package org.functorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.functorrent.storage.TestTorrent.file;
import static org.functorrent.storage.TestTorrent.pad;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.metainfo.MetaInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageTest {
  @TempDir Path dir;
  private ExecutorService executor;

  @BeforeEach
  void setUp() {
    executor = Storages.newExecutor();
  }

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  private Storage open(MetaInfo meta) {
    return Storages.fileSystem(meta, dir, executor);
  }

  private Storage open(MetaInfo meta, StorageOptions options) {
    return Storages.fileSystem(meta, dir, executor, options);
  }

  private static Path at(Path root, List<String> segments) {
    Path path = root;
    for (String s : segments) {
      path = path.resolve(s);
    }
    return path;
  }

  @Test
  void singleFileRoundTrip() throws IOException {
    TestTorrent t = TestTorrent.single(1, 32768, "one.bin", 100_000);
    try (Storage s = open(t.meta)) {
      t.writeAll(s, 2);
      for (int p = 0; p < t.meta.pieceCount(); p++) {
        assertThat(s.verifyPiece(p).join()).as("piece %s", p).isTrue();
      }
      assertThat(s.verifiedPieces().isComplete()).isTrue();
      ByteBuffer block = s.readBlock(1, 1000, 5000).join();
      assertThat(block.remaining()).isEqualTo(5000);
      byte[] got = new byte[5000];
      block.get(got);
      assertThat(got).isEqualTo(Arrays.copyOfRange(t.content, 32768 + 1000, 32768 + 6000));
      StorageStats stats = s.stats();
      assertThat(stats.bytesWritten()).isEqualTo(100_000);
      assertThat(stats.bytesRead()).isEqualTo(5000);
      assertThat(stats.bytesHashed()).isEqualTo(100_000);
      assertThat(stats.piecesVerified()).isEqualTo(t.meta.pieceCount());
      assertThat(stats.piecesFailed()).isZero();
    }
    assertThat(Files.readAllBytes(dir.resolve("one.bin"))).isEqualTo(t.content);
  }

  @Test
  void multiFileWithNestedDirectoriesEmptyAndPaddingFiles() throws IOException {
    TestTorrent t =
        TestTorrent.multi(
            3,
            16384,
            "multi",
            file(10_000, "a.txt"),
            file(0, "empty", "zero.txt"),
            pad(6384),
            file(40_000, "deep", "er", "b.bin"),
            file(1, "c"),
            file(0, "d"),
            file(25_000, "deep", "e.bin"));
    try (Storage s = open(t.meta)) {
      assertThat(s.verifyAll(VerifyListener.NONE).join().isEmpty()).isTrue();
      t.writeAll(s, 4);
      for (int p = 0; p < t.meta.pieceCount(); p++) {
        assertThat(s.verifyPiece(p).join()).as("piece %s", p).isTrue();
      }
      byte[] across = new byte[t.meta.pieceLength()];
      s.readBlock(0, 0, ByteBuffer.wrap(across)).join();
      assertThat(across).isEqualTo(t.piece(0));
    }
    Path root = dir.resolve("multi");
    assertThat(Files.readAllBytes(root.resolve("a.txt"))).isEqualTo(t.file(0));
    assertThat(Files.size(root.resolve("empty/zero.txt"))).isZero();
    assertThat(root.resolve(".pad")).doesNotExist();
    assertThat(Files.readAllBytes(root.resolve("deep/er/b.bin"))).isEqualTo(t.file(3));
    assertThat(Files.readAllBytes(root.resolve("c"))).isEqualTo(t.file(4));
    assertThat(Files.size(root.resolve("d"))).isZero();
    assertThat(Files.readAllBytes(root.resolve("deep/e.bin"))).isEqualTo(t.file(6));
    try (Storage again = open(t.meta, StorageOptions.defaults().withFastResume(false))) {
      List<int[]> progress = new CopyOnWriteArrayList<>();
      PieceSet all = again.verifyAll((done, total) -> progress.add(new int[] {done, total})).join();
      assertThat(all).isEqualTo(PieceSet.all(t.meta.pieceCount()));
      assertThat(progress).hasSize(t.meta.pieceCount());
      assertThat(progress.stream().mapToInt(p -> p[0]).max().orElseThrow())
          .isEqualTo(t.meta.pieceCount());
    }
  }

  @Test
  void bep47SymlinksAreCreatedAsRelativeLinksInsideTheTorrent() throws IOException {
    byte[] data = new byte[20_000];
    new Random(15).nextBytes(data);
    BencodeDictionary info =
        BencodeDictionary.builder()
            .put("name", "ln")
            .put("piece length", 16384)
            .put(
                "pieces",
                BencodeString.of(
                    concat(
                        TestTorrent.sha1(data, 16384),
                        TestTorrent.sha1(Arrays.copyOfRange(data, 16384, 20_000), 3616))))
            .put(
                "files",
                BencodeList.of(
                    BencodeDictionary.builder()
                        .put("length", 20_000)
                        .put("path", strings("sub", "data"))
                        .build(),
                    BencodeDictionary.builder()
                        .put("attr", "l")
                        .put("path", strings("other", "link"))
                        .put("symlink path", strings("sub", "data"))
                        .build()))
            .build();
    MetaInfo meta =
        MetaInfo.parse(Bencode.encode(BencodeDictionary.builder().put("info", info).build()));
    try (Storage s = open(meta)) {
      s.writeBlock(0, 0, ByteBuffer.wrap(data, 0, 16384)).join();
      s.writeBlock(1, 0, ByteBuffer.wrap(data, 16384, 3616)).join();
      assertThat(s.verifyAll(VerifyListener.NONE).join().isComplete()).isTrue();
    }
    Path link = dir.resolve("ln/other/link");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("..", "sub", "data"));
    assertThat(Files.readAllBytes(link)).isEqualTo(data);
  }

  private static BencodeList strings(String... values) {
    return BencodeList.of(Arrays.stream(values).map(BencodeString::of).toList());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void missingFilesAreMissingPiecesAndAreNotCreatedByChecking() {
    TestTorrent t =
        TestTorrent.multi(5, 16384, "m", file(20_000, "x"), file(20_000, "y"), file(9, "z"));
    try (Storage s = open(t.meta, StorageOptions.defaults().withFastResume(false))) {
      t.writePiece(s, 0);
      assertThat(s.verifyAll(VerifyListener.NONE).join()).isEqualTo(PieceSet.of(3, 0));
      assertThat(s.stats().bytesHashed()).isEqualTo(16384);
    }
    assertThat(dir.resolve("m/y")).doesNotExist();
    assertThat(dir.resolve("m/z")).doesNotExist();
  }

  @Test
  void corruptBlockFailsVerificationAndIsCounted() {
    TestTorrent t = TestTorrent.single(6, 16384, "c.bin", 40_000);
    try (Storage s = open(t.meta)) {
      t.writeAll(s, 7);
      s.writeBlock(1, 100, ByteBuffer.wrap(new byte[] {1, 2, 3})).join();
      assertThat(s.verifyPiece(1).join()).isFalse();
      assertThat(s.verifyPiece(0).join()).isTrue();
      assertThat(s.stats().piecesFailed()).isEqualTo(1);
      assertThat(s.stats().piecesVerified()).isEqualTo(1);
      assertThat(s.verifiedPieces()).isEqualTo(PieceSet.of(3, 0));
    }
  }

  @Test
  void writesIntoAVerifiedPieceAreIgnored() throws IOException {
    TestTorrent t = TestTorrent.single(8, 16384, "v.bin", 16384);
    try (Storage s = open(t.meta)) {
      t.writeAll(s, 1);
      assertThat(s.verifyPiece(0).join()).isTrue();
      s.writeBlock(0, 0, ByteBuffer.wrap(new byte[100])).join();
      assertThat(s.verifyPiece(0).join()).isTrue();
    }
    assertThat(Files.readAllBytes(dir.resolve("v.bin"))).isEqualTo(t.content);
  }

  @Test
  void unwrittenBytesReadAsZeros() {
    TestTorrent t = TestTorrent.multi(9, 16384, "u", file(30_000, "a"), file(30_000, "b"));
    try (Storage s = open(t.meta)) {
      s.writeBlock(0, 0, ByteBuffer.wrap(new byte[] {7})).join();
      ByteBuffer block = s.readBlock(0, 0, 16384).join();
      assertThat(block.get(0)).isEqualTo((byte) 7);
      byte[] rest = new byte[16383];
      block.position(1);
      block.get(rest);
      assertThat(rest).containsOnly((byte) 0);
      assertThat(s.readBlock(3, 0, 100).join().array()).containsOnly((byte) 0);
    }
  }

  @Test
  void blocksOutOfRangeAreRejectedAtOnce() {
    TestTorrent t = TestTorrent.single(10, 16384, "r.bin", 20_000);
    try (Storage s = open(t.meta)) {
      assertThatThrownBy(() -> s.writeBlock(1, 3000, ByteBuffer.allocate(1000)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected: within its 3616 bytes");
      assertThatThrownBy(() -> s.readBlock(2, 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> s.writeBlock(0, -1, ByteBuffer.allocate(1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aBlockBeyondFourGibLandsAtItsPlaceInASparseFile() throws IOException {
    int pieceLength = 16 * 1024 * 1024;
    long length = 5L * 1024 * 1024 * 1024 + 12345;
    MetaInfo meta = TestTorrent.zeros(pieceLength, "big.bin", length);
    long target = 4L * 1024 * 1024 * 1024 + 7 * 16384 + 3;
    int piece = (int) (target / pieceLength);
    int offset = (int) (target % pieceLength);
    byte[] block = new byte[16384];
    Arrays.fill(block, (byte) 0x5A);
    try (Storage s = open(meta)) {
      s.writeBlock(piece, offset, ByteBuffer.wrap(block)).join();
      ByteBuffer back = s.readBlock(piece, offset, block.length).join();
      assertThat(back.array()).isEqualTo(block);
      assertThat(s.verifyPiece(piece).join()).isFalse();
      s.writeBlock(meta.pieceCount() - 1, 0, ByteBuffer.allocate(1)).join();
    }
    Path file = dir.resolve("big.bin");
    assertThat(Files.size(file)).isEqualTo((long) (meta.pieceCount() - 1) * pieceLength + 1);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      byte[] got = new byte[block.length + 2];
      raf.seek(target - 1);
      raf.readFully(got);
      assertThat(got[0]).isZero();
      assertThat(Arrays.copyOfRange(got, 1, block.length + 1)).isEqualTo(block);
      assertThat(got[block.length + 1]).isZero();
    }
    assertThat(allocatedBytes(file)).isLessThan(64L * 1024 * 1024);
  }

  @Test
  void longOffsetsAcrossFilesInAMultiFileTorrent() throws IOException {
    int pieceLength = 4 * 1024 * 1024;
    long first = 4L * 1024 * 1024 * 1024 + 1000;
    MetaInfo meta = TestTorrent.zeros(pieceLength, "two", first, 50_000);
    long target = first - 100;
    int piece = (int) (target / pieceLength);
    int offset = (int) (target % pieceLength);
    byte[] block = new byte[300];
    for (int i = 0; i < block.length; i++) {
      block[i] = (byte) (i + 1);
    }
    try (Storage s = open(meta)) {
      s.writeBlock(piece, offset, ByteBuffer.wrap(block)).join();
      assertThat(s.readBlock(piece, offset, 300).join().array()).isEqualTo(block);
    }
    Path a = dir.resolve("two/f0");
    Path b = dir.resolve("two/f1");
    assertThat(Files.size(a)).isEqualTo(first);
    try (RandomAccessFile raf = new RandomAccessFile(a.toFile(), "r")) {
      byte[] got = new byte[100];
      raf.seek(first - 100);
      raf.readFully(got);
      assertThat(got).isEqualTo(Arrays.copyOfRange(block, 0, 100));
    }
    assertThat(Files.readAllBytes(b)).isEqualTo(Arrays.copyOfRange(block, 100, 300));
  }

  /** Blocks the file system has allocated, from {@code stat}'s {@code %b} (512-byte units). */
  private static long allocatedBytes(Path file) throws IOException {
    Process stat = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
    String out = new String(stat.getInputStream().readAllBytes()).trim();
    return Long.parseLong(out) * 512;
  }

  @Test
  void preallocationWritesWholeFilesAtFirstWrite() throws IOException {
    TestTorrent t = TestTorrent.multi(11, 16384, "pre", file(50_000, "a"), file(70_000, "b"));
    try (Storage s = open(t.meta, StorageOptions.defaults().withPreallocate(true))) {
      s.writeBlock(0, 0, ByteBuffer.wrap(t.piece(0), 0, 10)).join();
      assertThat(Files.size(dir.resolve("pre/a"))).isEqualTo(50_000);
      assertThat(dir.resolve("pre/b")).doesNotExist();
      t.writeAll(s, 3);
      assertThat(s.verifyAll(VerifyListener.NONE).join().isComplete()).isTrue();
    }
    assertThat(Files.readAllBytes(dir.resolve("pre/b"))).isEqualTo(t.file(1));
  }

  @Test
  void sparseByDefault() throws IOException {
    TestTorrent t = TestTorrent.single(12, 1024 * 1024, "s.bin", 8 * 1024 * 1024);
    try (Storage s = open(t.meta)) {
      t.writePiece(s, 7);
    }
    Path file = dir.resolve("s.bin");
    assertThat(Files.size(file)).isEqualTo(8 * 1024 * 1024);
    assertThat(allocatedBytes(file)).isLessThan(4 * 1024 * 1024);
  }

  @Test
  void tenThousandFilesThroughAFewHandles() throws IOException {
    TestTorrent.Entry[] entries = new TestTorrent.Entry[10_000];
    for (int i = 0; i < entries.length; i++) {
      entries[i] = file(97, "d" + (i % 100), "f" + i);
    }
    TestTorrent t = TestTorrent.multi(13, 16384, "many", entries);
    int maxOpen = 4;
    try (Storage s =
        open(t.meta, StorageOptions.defaults().withMaxOpenFiles(maxOpen).withFastResume(false))) {
      t.writeAll(s, 5);
      assertThat(openDescriptorsUnder(dir)).isLessThanOrEqualTo(maxOpen);
      assertThat(s.verifyAll(VerifyListener.NONE).join().isComplete()).isTrue();
      assertThat(openDescriptorsUnder(dir)).isLessThanOrEqualTo(maxOpen);
      assertThat(openDescriptorsUnder(dir)).isPositive();
    }
    assertThat(openDescriptorsUnder(dir)).isZero();
    assertThat(Files.readAllBytes(dir.resolve("many/d42/f9942"))).isEqualTo(t.file(9942));
  }

  /** The number of this process's file descriptors open on files under {@code root}. */
  static long openDescriptorsUnder(Path root) throws IOException {
    Path real = root.toRealPath();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).startsWith(real);
                } catch (IOException e) {
                  return false;
                }
              })
          .count();
    }
  }

  @Test
  void closeLeavesNoThreadAndIsIdempotent() throws Exception {
    TestTorrent t = TestTorrent.single(14, 16384, "t.bin", 50_000);
    Storage s = Storages.fileSystem(t.meta, dir, StorageOptions.defaults());
    t.writeAll(s, 1);
    assertThat(s.verifyAll(VerifyListener.NONE).join().isComplete()).isTrue();
    List<Thread> threads = storageThreads();
    assertThat(threads).isNotEmpty();
    s.close();
    s.close();
    for (Thread thread : threads) {
      thread.join(10_000);
      assertThat(thread.isAlive()).as(thread.getName()).isFalse();
    }
    assertThat(openDescriptorsUnder(dir)).isZero();
    assertThatThrownBy(() -> s.readBlock(0, 0, 10).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(StorageException.class);
  }

  private List<Thread> storageThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(th -> th.getName().startsWith("functorrent-storage-"))
        .filter(th -> !isOurs(th))
        .toList();
  }

  private boolean isOurs(Thread thread) {
    // threads of this test class's shared executor are not the storage's own
    return executorThreads.contains(thread);
  }

  private final List<Thread> executorThreads = new CopyOnWriteArrayList<>();

  @BeforeEach
  void recordExecutorThreads() throws Exception {
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    CountDownLatch started = new CountDownLatch(threads);
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < threads; i++) {
      executor.execute(
          () -> {
            executorThreads.add(Thread.currentThread());
            started.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
    started.await();
    release.countDown();
  }
}
