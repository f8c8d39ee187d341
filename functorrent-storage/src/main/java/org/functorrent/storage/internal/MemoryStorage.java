package org.functorrent.storage.internal;

import static com.google.common.base.Preconditions.checkElementIndex;

import com.google.common.collect.ImmutableList;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.storage.FilePriority;

/**
 * A torrent's bytes in memory, one array per piece allocated on its first write; for tests. File
 * priorities are recorded but change nothing: every byte is kept.
 */
public final class MemoryStorage extends AbstractStorage {
  private final AtomicReferenceArray<byte[]> pieces;
  private volatile ImmutableList<FilePriority> priorities;

  public MemoryStorage(MetaInfo meta, Executor executor, ExecutorService ownedExecutor) {
    super(meta, executor, ownedExecutor, Runtime.getRuntime().availableProcessors());
    this.pieces = new AtomicReferenceArray<>(meta.pieceCount());
    this.priorities =
        ImmutableList.copyOf(Collections.nCopies(meta.files().size(), FilePriority.NORMAL));
  }

  @Override
  protected void read(int piece, int offset, ByteBuffer dst) {
    byte[] bytes = pieces.get(piece);
    int length = dst.remaining();
    if (bytes == null) {
      dst.put(new byte[length]);
      return;
    }
    synchronized (bytes) {
      dst.put(bytes, offset, length);
    }
  }

  @Override
  protected void write(int piece, int offset, ByteBuffer src) {
    byte[] bytes = pieces.get(piece);
    if (bytes == null) {
      pieces.compareAndSet(piece, null, new byte[(int) meta.pieceSize(piece)]);
      bytes = pieces.get(piece);
    }
    synchronized (bytes) {
      src.get(bytes, offset, src.remaining());
    }
  }

  @Override
  protected boolean mayHaveData(int piece) {
    return pieces.get(piece) != null;
  }

  @Override
  public ImmutableList<FilePriority> priorities() {
    return priorities;
  }

  @Override
  public CompletableFuture<Void> setPriority(int fileIndex, FilePriority priority) {
    checkElementIndex(fileIndex, meta.files().size(), "fileIndex");
    return submitExclusive(
        () -> {
          List<FilePriority> changed = new ArrayList<>(priorities);
          changed.set(fileIndex, priority);
          priorities = ImmutableList.copyOf(changed);
          return null;
        });
  }
}
