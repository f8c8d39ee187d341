package org.functorrent.storage.internal;

import com.google.common.collect.ImmutableList;
import com.google.common.util.concurrent.MoreExecutors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.storage.FilePriority;

/**
 * A torrent's bytes in one array, each operation on the calling thread, without file priorities:
 * for the tests of how pieces are hashed. Counts the bytes read from it.
 */
class ArrayStorage extends AbstractStorage {
  final byte[] stored;
  final AtomicLong bytesRead = new AtomicLong();

  ArrayStorage(MetaInfo meta, long heldBudget) {
    super(meta, MoreExecutors.directExecutor(), null, 1, heldBudget);
    this.stored = new byte[Math.toIntExact(meta.totalLength())];
  }

  /** Where {@code offset} of {@code piece} is in {@link #stored}. */
  final int at(int piece, int offset) {
    return piece * meta.pieceLength() + offset;
  }

  @Override
  protected void read(int piece, int offset, ByteBuffer dst) {
    bytesRead.addAndGet(dst.remaining());
    dst.put(stored, at(piece, offset), dst.remaining());
  }

  @Override
  protected void write(int piece, int offset, ByteBuffer src) throws IOException {
    src.get(stored, at(piece, offset), src.remaining());
  }

  @Override
  public ImmutableList<FilePriority> priorities() {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletableFuture<Void> setPriority(int fileIndex, FilePriority priority) {
    throw new UnsupportedOperationException();
  }
}
