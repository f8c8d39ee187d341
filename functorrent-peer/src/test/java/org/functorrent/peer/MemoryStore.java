package org.functorrent.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.functorrent.metainfo.MetaInfo;

/**
 * A {@link PieceStore} over a byte array, doing its work on an executor like real storage. It
 * counts the reads of every piece (what it was asked to serve).
 */
public class MemoryStore implements PieceStore {
  final MetaInfo metaInfo;
  final byte[] data;
  final ExecutorService executor;
  final AtomicInteger reads = new AtomicInteger();
  final AtomicInteger writes = new AtomicInteger();
  private final AtomicIntegerArray readsByPiece;

  public MemoryStore(MetaInfo metaInfo, byte[] initial, ExecutorService executor) {
    this.metaInfo = metaInfo;
    this.data = initial == null ? new byte[(int) metaInfo.totalLength()] : initial.clone();
    this.executor = executor;
    this.readsByPiece = new AtomicIntegerArray(metaInfo.pieceCount());
  }

  /** How many block reads of {@code piece} were asked for. */
  public int readsOf(int piece) {
    return readsByPiece.get(piece);
  }

  /** The bytes stored so far (a copy). */
  public byte[] bytes() {
    synchronized (data) {
      return data.clone();
    }
  }

  long start(int piece) {
    return (long) piece * metaInfo.pieceLength();
  }

  public BitSet all() {
    BitSet b = new BitSet();
    b.set(0, metaInfo.pieceCount());
    return b;
  }

  @Override
  public CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length) {
    reads.incrementAndGet();
    readsByPiece.incrementAndGet(piece);
    return CompletableFuture.supplyAsync(() -> {
      byte[] block = Arrays.copyOfRange(data, (int) start(piece) + offset,
          (int) start(piece) + offset + length);
      return Unpooled.wrappedBuffer(transform(piece, offset, block));
    }, executor);
  }

  /** Subclasses corrupt what they serve. */
  byte[] transform(int piece, int offset, byte[] block) {
    return block;
  }

  @Override
  public CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuf buf) {
    writes.incrementAndGet();
    return CompletableFuture.runAsync(() -> {
      synchronized (data) {
        buf.getBytes(buf.readerIndex(), data, (int) start(piece) + offset, buf.readableBytes());
      }
    }, executor);
  }

  @Override
  public CompletableFuture<Boolean> verifyPiece(int piece) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        synchronized (data) {
          sha1.update(data, (int) start(piece), (int) metaInfo.pieceSize(piece));
        }
        return Arrays.equals(sha1.digest(), metaInfo.pieceHash(piece));
      } catch (NoSuchAlgorithmException e) {
        throw new AssertionError(e);
      }
    }, executor);
  }
}
