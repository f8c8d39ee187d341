package org.functorrent.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.functorrent.storage.Storage;
import org.functorrent.storage.Storages;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SHA-1 piece hashing on one thread: the JDK's digest over a heap array and over a direct buffer
 * (the ceiling), and our storage's {@code verifyPiece} on an in-memory storage (the digest plus
 * the read of the piece and the hand-off to the storage thread). The secondary score {@code MB}
 * is megabytes (10^6 bytes) hashed per second, per core.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Benchmark)
public class PieceHashBenchmark {
  /** Piece length in KiB. */
  @Param({"256", "1024"})
  public int pieceKib;

  private byte[] heap;
  private ByteBuffer direct;
  private MessageDigest sha1;
  private Storage storage;
  private int pieces;
  private int next;

  /** Megabytes hashed; JMH reports it per second beside the primary score. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Bytes {
    public double MB;

    @Setup(Level.Iteration)
    public void reset() {
      MB = 0;
    }
  }

  @Setup
  public void setUp() throws NoSuchAlgorithmException, IOException {
    int length = pieceKib * 1024;
    heap = new byte[length];
    new SplittableRandom(8).nextBytes(heap);
    direct = ByteBuffer.allocateDirect(length).put(heap).flip();
    sha1 = MessageDigest.getInstance("SHA-1");

    pieces = 16;
    byte[] content = new byte[length * pieces];
    new SplittableRandom(9).nextBytes(content);
    Path file = Files.createTempFile("hash-bench", ".bin");
    Files.write(file, content);
    MetaInfo meta = MetaInfo.parse(TorrentCreator.of(file).pieceLength(length).create());
    Files.delete(file);
    storage = Storages.inMemory(meta);
    for (int p = 0; p < pieces; p++) {
      storage.writeBlock(p, 0, ByteBuffer.wrap(content, p * length, length)).join();
    }
  }

  @TearDown
  public void tearDown() {
    storage.close();
  }

  @Benchmark
  public byte[] jdkHeapArray(Bytes bytes) {
    sha1.update(heap);
    bytes.MB += heap.length / 1e6;
    return sha1.digest();
  }

  @Benchmark
  public byte[] jdkDirectBuffer(Bytes bytes) {
    sha1.update(direct.duplicate());
    bytes.MB += direct.capacity() / 1e6;
    return sha1.digest();
  }

  @Benchmark
  public boolean storageVerifyPiece(Bytes bytes) {
    int piece = next;
    next = (next + 1) % pieces;
    boolean ok = storage.verifyPiece(piece).join();
    if (!ok) {
      throw new AssertionError("piece " + piece + " failed its hash");
    }
    bytes.MB += heap.length / 1e6;
    return ok;
  }
}
