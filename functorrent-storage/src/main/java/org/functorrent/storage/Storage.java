package org.functorrent.storage;

import com.google.common.collect.ImmutableList;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.functorrent.metainfo.MetaInfo;

/**
 * The bytes of one torrent: blocks written and read at (piece, offset), pieces verified against the
 * torrent's SHA-1 hashes, the set of verified pieces, and statistics.
 *
 * <p>Every operation that touches the data returns at once with a {@link CompletableFuture}
 * completed on the storage's executor, never on the caller's thread: a caller on an event loop
 * continues with {@code ...Async(..., eventLoop)}. Failures of the disk complete the future
 * exceptionally with a {@link StorageException} that names the path. Arguments out of range (a
 * piece index, an offset past the piece) are the caller's bug and throw at once.
 *
 * <p>A piece once verified is never overwritten: writes into it are ignored. Implementations are
 * thread-safe.
 */
public interface Storage extends AutoCloseable {

  /** The torrent this storage holds. */
  MetaInfo metaInfo();

  /**
   * Writes {@code data}'s remaining bytes at {@code offset} in {@code piece}. The buffer's position
   * is not changed; the caller must not change its contents until the future completes.
   *
   * @throws IllegalArgumentException if the block does not fit in the piece
   * @throws IndexOutOfBoundsException if there is no such piece
   */
  CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuffer data);

  /**
   * Writes several blocks as {@link #writeBlock} writes each one, in fewer tasks: for a caller that
   * receives blocks in bursts (a socket read holds dozens), one call per burst instead of one per
   * block. Blocks of one piece are written in the order given, after the writes of that piece
   * asked for before this call.
   *
   * @return completes once every block is written or has failed, with each failure under the
   *     index of its block in {@code blocks}: empty when all were written
   * @throws IllegalArgumentException if a block does not fit in its piece (nothing is written)
   * @throws IndexOutOfBoundsException if a block's piece does not exist (nothing is written)
   */
  CompletableFuture<Map<Integer, Throwable>> writeBlocks(List<BlockWrite> blocks);

  /**
   * Reads {@code dst.remaining()} bytes at {@code offset} in {@code piece} into {@code dst}, which
   * the future returns with its position advanced. Bytes never written read as zeros.
   *
   * @throws IllegalArgumentException if the block does not fit in the piece
   */
  CompletableFuture<ByteBuffer> readBlock(int piece, int offset, ByteBuffer dst);

  /** Reads {@code length} bytes at {@code offset} in {@code piece} into a new, flipped buffer. */
  default CompletableFuture<ByteBuffer> readBlock(int piece, int offset, int length) {
    return readBlock(piece, offset, ByteBuffer.allocate(length)).thenApply(ByteBuffer::flip);
  }

  /**
   * Hashes {@code piece} and compares it with the torrent's SHA-1: true adds it to {@link
   * #verifiedPieces()} and counts it verified; false removes it and counts it failed.
   */
  CompletableFuture<Boolean> verifyPiece(int piece);

  /**
   * Hashes every piece that has data, in parallel, and returns the verified ones, which replace
   * {@link #verifiedPieces()}. Pieces whose files are missing or too short are missing, without
   * being read.
   */
  CompletableFuture<PieceSet> verifyAll(VerifyListener listener);

  /**
   * Checks the existing data, trusting a fast-resume record where it is still valid: pieces it
   * claims are taken as verified unless a file they lie in changed size or modification time;
   * pieces in changed files are hashed. Without a usable record, this is {@link #verifyAll}. An
   * implementation without fast resume hashes everything.
   */
  default CompletableFuture<PieceSet> checkExisting(VerifyListener listener) {
    return verifyAll(listener);
  }

  /** The pieces verified so far. */
  PieceSet verifiedPieces();

  /** The priority of each file, in the order of {@code MetaInfo.files()}. */
  ImmutableList<FilePriority> priorities();

  /**
   * Changes a file's priority. A skipped file that becomes wanted is created and gets its bytes
   * back from the part file; a wanted file that becomes skipped keeps its data on disk, and the
   * bytes it shares with wanted files are copied into the part file.
   */
  CompletableFuture<Void> setPriority(int fileIndex, FilePriority priority);

  /**
   * Forces written data to stable storage and then records the verified pieces for fast resume: a
   * record never claims a piece whose data was not on disk first.
   */
  CompletableFuture<Void> flush();

  /**
   * The number of blocks accepted by {@link #writeBlock} and not yet written: when it grows, a
   * caller stops reading from peers until it drains.
   */
  int pendingWrites();

  /** A snapshot of the statistics. */
  StorageStats stats();

  /**
   * Flushes as {@link #flush()} does when fast resume is on, then closes every file and, if this
   * storage made its own executor, shuts it down. With fast resume on, the pieces whose every byte
   * was written since they were last checked, and that are not verified yet, are hashed first (on
   * the calling thread): their {@link #verifyPiece} may still be queued, for instance when a
   * failed write stops a download, and they are recorded if their hash matches. A piece with a
   * failed write is not whole until that range is written again. Idempotent; later operations
   * fail with a {@link StorageException}. Waits for operations already running; must not be
   * called from a storage thread. A failure to flush is thrown after everything is closed.
   */
  @Override
  void close();
}
