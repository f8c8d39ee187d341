package org.functorrent.storage.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;

import com.google.common.util.concurrent.MoreExecutors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.StampedLock;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.storage.BlockWrite;
import org.functorrent.storage.PieceSet;
import org.functorrent.storage.Storage;
import org.functorrent.storage.StorageException;
import org.functorrent.storage.StorageStats;
import org.functorrent.storage.VerifyListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every storage shares: argument checks, the executor, the verified-piece set, hashing,
 * statistics and the close protocol. Subclasses move bytes.
 *
 * <p>Each operation runs on the executor holding the read side of a lock; {@link #close()} and
 * operations that move data between places hold the write side, so they wait for running operations
 * and none runs beside them. The lock is a {@link StampedLock}, not reentrant: no operation takes
 * it again while it holds it. A reentrant read-write lock counted each reader's holds in a thread
 * local, on every block moved.
 */
public abstract class AbstractStorage implements Storage {
  private static final Logger log = LoggerFactory.getLogger(AbstractStorage.class);
  private static final MessageDigest SHA1_PROTOTYPE = newSha1();
  private static final int MAX_HASH_CHUNK = 4 * 1024 * 1024;
  /**
   * The read-back buffers of {@link #verifyPiece} are at most this long: under the humongous size
   * of G1 (half a region) and big enough that reading in chunks costs nothing next to hashing.
   */
  private static final int READ_BACK_CHUNK = 256 * 1024;
  /**
   * The default budget of the blocks held for hashing (see {@link RunningHashes}), per storage:
   * eight whole 1 MiB pieces, more than one peer's deepest request queue (500 blocks) can leave
   * out of order. A download from peers that reorder blocks only within a piece or two needs far
   * less; past the budget, pieces are read back as before.
   */
  static final long DEFAULT_HELD_BUDGET = 8L * 1024 * 1024;
  private static final long CLOSE_TIMEOUT_SECONDS = 30;
  /**
   * Block writes go through this many sequential lanes over the executor, a piece always through
   * the same one: the blocks of a piece are then written in the order they came, so its running
   * hash extends block by block instead of giving up when two threads race on one piece.
   */
  private static final int WRITE_LANES = 16;

  /** A piece of work that may fail with an {@link IOException}. */
  @FunctionalInterface
  protected interface IoTask<T> {
    T run() throws IOException;
  }

  protected final MetaInfo meta;
  private final Executor executor;
  private final ExecutorService ownedExecutor;
  private final int hashParallelism;
  private final StampedLock stamped = new StampedLock();
  private final Lock readLock = stamped.asReadLock();
  private final Lock writeLock = stamped.asWriteLock();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final BitSet verified = new BitSet();
  // Atomic counters, not LongAdders: an adder's first contended add, some seconds into a
  // download, took the JIT's compiled write path down with it (an uncommon trap), and recompiling
  // it took a second of the only C2 thread. A few hundred thousand adds a second do not need more.
  private final AtomicLong bytesRead = new AtomicLong();
  private final AtomicLong bytesWritten = new AtomicLong();
  private final AtomicLong bytesHashed = new AtomicLong();
  private final AtomicLong piecesVerified = new AtomicLong();
  private final AtomicLong piecesFailed = new AtomicLong();
  private final AtomicInteger pendingWrites = new AtomicInteger();
  private final RunningHashes runningHashes;
  private final ArrayPool readBuffers;
  private final AtomicLong bytesReadBack = new AtomicLong();
  private final Executor[] writeLanes = new Executor[WRITE_LANES];
  private final WrittenRanges writtenRanges = new WrittenRanges();

  /**
   * @param ownedExecutor the executor again if this storage owns it and shuts it down on close,
   *     otherwise null
   */
  protected AbstractStorage(
      MetaInfo meta, Executor executor, ExecutorService ownedExecutor, int hashParallelism) {
    this(meta, executor, ownedExecutor, hashParallelism, DEFAULT_HELD_BUDGET);
  }

  /**
   * A storage whose blocks written out of order wait for their turn to be hashed in at most
   * {@code heldBudget} bytes (the other constructor: {@link #DEFAULT_HELD_BUDGET}).
   *
   * @param ownedExecutor the executor again if this storage owns it and shuts it down on close,
   *     otherwise null
   * @param heldBudget the bytes that blocks written out of order may take while they wait to be
   *     hashed, all pieces together; 0 holds none (every such piece is read back)
   */
  protected AbstractStorage(
      MetaInfo meta,
      Executor executor,
      ExecutorService ownedExecutor,
      int hashParallelism,
      long heldBudget) {
    checkArgument(heldBudget >= 0, "heldBudget: %s (expected: >= 0)", heldBudget);
    this.meta = meta;
    this.executor = executor;
    this.ownedExecutor = ownedExecutor;
    this.hashParallelism = hashParallelism;
    this.runningHashes = new RunningHashes(heldBudget);
    this.readBuffers =
        new ArrayPool(
            Math.max(1, Math.min(meta.pieceLength(), READ_BACK_CHUNK)),
            Math.max(2, hashParallelism));
    for (int i = 0; i < WRITE_LANES; i++) {
      writeLanes[i] = MoreExecutors.newSequentialExecutor(executor);
    }
  }

  /** Reads {@code dst.remaining()} bytes at {@code offset} in {@code piece}; unwritten are 0. */
  protected abstract void read(int piece, int offset, ByteBuffer dst) throws IOException;

  /** Writes {@code src.remaining()} bytes at {@code offset} in {@code piece}. */
  protected abstract void write(int piece, int offset, ByteBuffer src) throws IOException;

  /** Whether {@code piece} may have data; false when a file it needs is missing or too short. */
  protected boolean mayHaveData(int piece) throws IOException {
    return true;
  }

  /**
   * Makes written data durable and records {@code verified}; called under the read lock, or the
   * write lock when {@code closing}.
   */
  protected void persist(PieceSet verified, boolean closing) throws IOException {}

  /**
   * Whether the final {@link #persist} on close records the verified pieces somewhere that
   * outlives this storage (fast resume): only then are written pieces that still wait for their
   * check hashed on close.
   */
  protected boolean recordsVerifiedOnClose() {
    return false;
  }

  /** Releases resources; called once, under the write lock, after a final {@link #persist}. */
  protected void release() throws IOException {}

  @Override
  public MetaInfo metaInfo() {
    return meta;
  }

  @Override
  public CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuffer data) {
    checkBlock(piece, offset, data.remaining());
    SingleWrite write = new SingleWrite(piece, offset, data.duplicate());
    pendingWrites.incrementAndGet();
    return write.start(writeLanes[piece % WRITE_LANES]);
  }

  @Override
  public CompletableFuture<Map<Integer, Throwable>> writeBlocks(List<BlockWrite> blocks) {
    BlockWrite[] writes = checkedCopies(blocks);
    if (writes.length == 0) {
      return CompletableFuture.completedFuture(Map.of());
    }
    return dispatch(writes);
  }

  /**
   * The blocks, checked, with buffers of their own. A method of its own: this loop is what the JIT
   * compiles first (on stack), and it should not take the dispatch with it.
   */
  private BlockWrite[] checkedCopies(List<BlockWrite> blocks) {
    BlockWrite[] writes = new BlockWrite[blocks.size()];
    for (int i = 0; i < writes.length; i++) {
      BlockWrite b = blocks.get(i);
      checkBlock(b.piece(), b.offset(), b.data().remaining());
      writes[i] = new BlockWrite(b.piece(), b.offset(), b.data().duplicate());
    }
    return writes;
  }

  /** Starts a task on each lane that some of {@code writes} go through. */
  private CompletableFuture<Map<Integer, Throwable>> dispatch(BlockWrite[] writes) {
    int lanes = 0; // a bit for each lane
    for (BlockWrite w : writes) {
      lanes |= 1 << (w.piece() % WRITE_LANES);
    }
    BatchWrite batch = new BatchWrite(writes, Integer.bitCount(lanes));
    pendingWrites.addAndGet(writes.length);
    for (int lane = 0; lane < WRITE_LANES; lane++) {
      if ((lanes & (1 << lane)) != 0) {
        LaneWrite task = new LaneWrite(batch, lane);
        try {
          writeLanes[lane].execute(task);
        } catch (RejectedExecutionException e) {
          task.fail(rejected());
        }
      }
    }
    return batch.done;
  }

  @Override
  public CompletableFuture<ByteBuffer> readBlock(int piece, int offset, ByteBuffer dst) {
    checkBlock(piece, offset, dst.remaining());
    return new BlockRead(piece, offset, dst).start(executor);
  }

  /**
   * One block on its way to or from storage, run on the executor under the read lock. A class of
   * its own rather than a chain of futures and lambdas: this runs for every block moved, and a
   * cold JVM compiles one small frame here much sooner than the five generic ones it replaces.
   */
  private abstract class BlockTask<T> implements Runnable {
    final int piece;
    final int offset;
    /** The block's bytes, or the room for them. */
    final ByteBuffer buffer;
    private final CompletableFuture<T> done = new CompletableFuture<>();

    BlockTask(int piece, int offset, ByteBuffer buffer) {
      this.piece = piece;
      this.offset = offset;
      this.buffer = buffer;
    }

    /** Moves the block; runs under the read lock while the storage is open. */
    abstract T perform() throws IOException;

    /** Called once {@link #perform} is over, well or not, before the future completes. */
    void finished() {}

    final CompletableFuture<T> start(Executor on) {
      try {
        on.execute(this);
      } catch (RejectedExecutionException e) {
        finished();
        return CompletableFuture.failedFuture(rejected());
      }
      return done;
    }

    @Override
    public final void run() {
      T result = null;
      Throwable failure = null;
      long stamp = stamped.readLock();
      try {
        if (closed.get()) {
          throw closedFailure();
        }
        result = perform();
      } catch (IOException | RuntimeException e) {
        failure = new CompletionException(translate(e));
      } finally {
        stamped.unlockRead(stamp);
      }
      finished();
      if (failure == null) {
        done.complete(result);
      } else {
        done.completeExceptionally(failure);
      }
    }
  }

  /**
   * Writes a block (the caller holds the read lock) and extends its piece's running hash and
   * written ranges.
   */
  private void writeHeld(int piece, int offset, ByteBuffer buffer) throws IOException {
    if (isVerified(piece)) {
      log.debug("block at {}+{} ignored: piece already verified", piece, offset);
      return;
    }
    int length = buffer.remaining();
    ByteBuffer hashed = buffer.duplicate();
    try {
      write(piece, offset, buffer);
    } catch (IOException | RuntimeException e) {
      // Some of the block may be on disk, or none: not what was asked.
      runningHashes.failed(piece, offset, length);
      writtenRanges.failed(piece, offset, length);
      throw e;
    }
    bytesWritten.addAndGet(length);
    runningHashes.written(piece, offset, hashed);
    writtenRanges.written(piece, offset, length);
  }

  private final class SingleWrite extends BlockTask<Void> {
    SingleWrite(int piece, int offset, ByteBuffer src) {
      super(piece, offset, src);
    }

    @Override
    Void perform() throws IOException {
      writeHeld(piece, offset, buffer);
      return null;
    }

    @Override
    void finished() {
      pendingWrites.decrementAndGet();
    }
  }

  /** The blocks of one {@link #writeBlocks} call, and their outcome as their lanes finish. */
  private static final class BatchWrite {
    final BlockWrite[] writes;
    /** Set by the lane task that writes the block, read once the last lane is done. */
    final Throwable[] failures;
    final AtomicInteger lanesLeft;
    final CompletableFuture<Map<Integer, Throwable>> done = new CompletableFuture<>();

    BatchWrite(BlockWrite[] writes, int lanes) {
      this.writes = writes;
      this.failures = new Throwable[writes.length];
      this.lanesLeft = new AtomicInteger(lanes);
    }

    /** One lane is done; the last one completes the batch. */
    void laneDone() {
      if (lanesLeft.decrementAndGet() != 0) {
        return;
      }
      Map<Integer, Throwable> failed = null;
      for (int i = 0; i < failures.length; i++) {
        if (failures[i] != null) {
          if (failed == null) {
            failed = new HashMap<>();
          }
          failed.put(i, failures[i]);
        }
      }
      done.complete(failed == null ? Map.of() : Collections.unmodifiableMap(failed));
    }
  }

  /**
   * The blocks of a batch that go through one write lane, written in one task under one hold of
   * the read lock.
   */
  private final class LaneWrite implements Runnable {
    private final BatchWrite batch;
    private final int lane;

    LaneWrite(BatchWrite batch, int lane) {
      this.batch = batch;
      this.lane = lane;
    }

    @Override
    public void run() {
      BlockWrite[] writes = batch.writes;
      int count = 0;
      long stamp = stamped.readLock();
      try {
        boolean isClosed = closed.get();
        for (int i = 0; i < writes.length; i++) {
          BlockWrite w = writes[i];
          if (w.piece() % WRITE_LANES != lane) {
            continue;
          }
          count++;
          if (isClosed) {
            batch.failures[i] = closedFailure();
            continue;
          }
          try {
            writeHeld(w.piece(), w.offset(), w.data());
          } catch (IOException | RuntimeException e) {
            batch.failures[i] = translate(e);
          }
        }
      } finally {
        stamped.unlockRead(stamp);
      }
      pendingWrites.addAndGet(-count);
      batch.laneDone();
    }

    /** The lane did not take this task: its blocks fail with {@code failure}. */
    void fail(Throwable failure) {
      BlockWrite[] writes = batch.writes;
      int count = 0;
      for (int i = 0; i < writes.length; i++) {
        if (writes[i].piece() % WRITE_LANES == lane) {
          batch.failures[i] = failure;
          count++;
        }
      }
      pendingWrites.addAndGet(-count);
      batch.laneDone();
    }
  }

  private final class BlockRead extends BlockTask<ByteBuffer> {
    BlockRead(int piece, int offset, ByteBuffer dst) {
      super(piece, offset, dst);
    }

    @Override
    ByteBuffer perform() throws IOException {
      int length = buffer.remaining();
      read(piece, offset, buffer);
      bytesRead.addAndGet(length);
      return buffer;
    }
  }

  @Override
  public CompletableFuture<Boolean> verifyPiece(int piece) {
    checkElementIndex(piece, meta.pieceCount(), "piece");
    return submit(
        () -> check(piece));
  }

  /**
   * Hashes {@code piece} (completing its running hash where there is one), marks it verified or
   * not and counts it; the piece's writes are tracked afresh after this.
   */
  private boolean check(int piece) throws IOException {
    writtenRanges.forget(piece);
    RunningHashes.Running running = runningHashes.take(piece);
    boolean ok;
    try {
      ok = mayHaveData(piece) && completes(piece, running);
    } finally {
      if (running != null) {
        runningHashes.release(running);
      }
    }
    setVerified(piece, ok);
    if (ok) {
      // a block that raced with this check may have started another: a verified piece takes none
      runningHashes.forget(piece);
      if (allVerified()) {
        dropHashingMemory(); // complete: nothing more to hash while it seeds
      }
    }
    (ok ? piecesVerified : piecesFailed).incrementAndGet();
    return ok;
  }

  /**
   * Whether {@code piece} hashes right: its running hash (if there is one) continued with its
   * held blocks, and whatever neither covers read back through a pooled buffer.
   */
  private boolean completes(int piece, RunningHashes.Running running) throws IOException {
    long size = meta.pieceSize(piece);
    MessageDigest digest;
    long at;
    if (running == null) {
      digest = sha1();
      at = 0;
    } else {
      digest = running.digest;
      at = running.hashed;
    }
    byte[] buffer = null;
    try {
      if (running != null) {
        for (int i = 0; i < running.heldCount(); i++) {
          long offset = running.heldOffset(i);
          if (offset > at) {
            buffer = buffer != null ? buffer : readBuffers.take();
            readBack(piece, at, offset, buffer, digest);
          }
          RunningHashes.Held block = running.heldBlock(i);
          digest.update(block.bytes, 0, block.length);
          at = offset + block.length;
        }
      }
      if (at < size) {
        buffer = buffer != null ? buffer : readBuffers.take();
        readBack(piece, at, size, buffer, digest);
      }
    } finally {
      if (buffer != null) {
        readBuffers.give(buffer);
      }
    }
    return matches(piece, digest);
  }

  /**
   * Checks, before the final record, the pieces that have every byte written since they were
   * last checked and are not verified: their {@link #verifyPiece} may be queued behind the close
   * (a write failure stops a download with the checks of its last pieces still waiting), and
   * without this they would be missing from the record and fetched again. A piece whose hash
   * does not match, or that cannot be read, is not recorded. Called under the write lock.
   */
  private void checkWrittenPieces() {
    List<Integer> whole = writtenRanges.wholePieces(meta::pieceSize);
    int verifiedNow = 0;
    for (int piece : whole) {
      if (isVerified(piece)) {
        writtenRanges.forget(piece);
        continue;
      }
      try {
        if (check(piece)) {
          verifiedNow++;
        }
      } catch (IOException | RuntimeException e) {
        log.debug("piece {} of {} not checked on close: {}", piece, meta.name(), e.toString());
      }
    }
    if (!whole.isEmpty()) {
      log.debug(
          "{}: {} written pieces checked on close, {} verified",
          meta.name(),
          whole.size(),
          verifiedNow);
    }
  }

  @Override
  public CompletableFuture<PieceSet> verifyAll(VerifyListener listener) {
    BitSet all = new BitSet();
    all.set(0, meta.pieceCount());
    return verify(all, new BitSet(), listener);
  }

  /**
   * Marks {@code trusted} verified, hashes {@code candidates} in parallel and marks each verified
   * or not; pieces in neither keep their state.
   */
  protected final CompletableFuture<PieceSet> verify(
      BitSet candidates, BitSet trusted, VerifyListener listener) {
    synchronized (verified) {
      verified.or(trusted);
    }
    int[] pieces = candidates.stream().toArray();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger checked = new AtomicInteger();
    int workers = Math.max(1, Math.min(hashParallelism, pieces.length));
    List<CompletableFuture<Void>> running = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      running.add(
          submitUnguarded(
              () -> {
                byte[] buffer = newHashBuffer();
                MessageDigest digest = sha1();
                for (int i = next.getAndIncrement();
                    i < pieces.length;
                    i = next.getAndIncrement()) {
                  int piece = pieces[i];
                  boolean ok =
                      guarded(() -> mayHaveData(piece) && readsRight(piece, buffer, digest));
                  setVerified(piece, ok);
                  if (ok) {
                    piecesVerified.incrementAndGet();
                  }
                  report(listener, checked.incrementAndGet(), pieces.length);
                }
                return null;
              }));
    }
    return CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> verifiedPieces());
  }

  private static void report(VerifyListener listener, int checked, int total) {
    try {
      listener.progress(checked, total);
    } catch (RuntimeException e) {
      log.warn("verify listener failed; ignored", e);
    }
  }

  /** Whether {@code piece}, read whole through {@code buffer}, hashes right. */
  private boolean readsRight(int piece, byte[] buffer, MessageDigest digest) throws IOException {
    digest.reset();
    readBack(piece, 0, meta.pieceSize(piece), buffer, digest);
    return matches(piece, digest);
  }

  /** Reads bytes {@code from..to} of {@code piece} through {@code buffer} into {@code digest}. */
  private void readBack(int piece, long from, long to, byte[] buffer, MessageDigest digest)
      throws IOException {
    for (long offset = from; offset < to; ) {
      int n = (int) Math.min(buffer.length, to - offset);
      read(piece, (int) offset, ByteBuffer.wrap(buffer, 0, n));
      digest.update(buffer, 0, n);
      offset += n;
    }
    bytesReadBack.addAndGet(to - from);
  }

  private boolean matches(int piece, MessageDigest digest) {
    bytesHashed.addAndGet(meta.pieceSize(piece));
    return MessageDigest.isEqual(digest.digest(), meta.pieceHash(piece));
  }

  /** The bytes read back from storage to hash pieces so far; for tests. */
  long bytesReadBack() {
    return bytesReadBack.get();
  }

  /** The bytes of blocks held now until they can be hashed in order; for tests. */
  long heldBytes() {
    return runningHashes.heldBytes();
  }

  /** The held-block arrays kept for reuse now; for tests. */
  int pooledArrays() {
    return runningHashes.pooledArrays();
  }

  /**
   * Forgets every running hash and held block: the stored bytes of pieces in progress are read
   * back at their verification. For a subclass that changes where a piece's bytes are read from.
   */
  protected final void forgetRunningHashes() {
    runningHashes.clear();
  }

  private byte[] newHashBuffer() {
    return new byte[Math.min(meta.pieceLength(), MAX_HASH_CHUNK)];
  }

  /** A fresh SHA-1 digest: a copy of one made once, cheaper than a provider lookup per piece. */
  static MessageDigest sha1() {
    try {
      return (MessageDigest) SHA1_PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return newSha1(); // a provider whose digests cannot be copied
    }
  }

  private static MessageDigest newSha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-1", e);
    }
  }

  protected final boolean isVerified(int piece) {
    synchronized (verified) {
      return verified.get(piece);
    }
  }

  /** Drops every running hash, held block and pooled array (up to 2.5 MiB). */
  private void dropHashingMemory() {
    runningHashes.clear();
    readBuffers.clear();
  }

  private boolean allVerified() {
    synchronized (verified) {
      return verified.cardinality() == meta.pieceCount();
    }
  }

  private void setVerified(int piece, boolean ok) {
    synchronized (verified) {
      verified.set(piece, ok);
    }
  }

  @Override
  public PieceSet verifiedPieces() {
    synchronized (verified) {
      return PieceSet.copyOf(verified, meta.pieceCount());
    }
  }

  @Override
  public CompletableFuture<Void> flush() {
    return submit(
        () -> {
          persist(verifiedPieces(), false);
          return null;
        });
  }

  @Override
  public int pendingWrites() {
    return pendingWrites.get();
  }

  @Override
  public StorageStats stats() {
    return new StorageStats(
        bytesRead.get(),
        bytesWritten.get(),
        bytesHashed.get(),
        piecesVerified.get(),
        piecesFailed.get());
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RuntimeException failure = null;
    writeLock.lock();
    try {
      if (recordsVerifiedOnClose()) {
        checkWrittenPieces();
      }
      dropHashingMemory();
      try {
        persist(verifiedPieces(), true);
      } catch (IOException | RuntimeException e) {
        failure = translate(e);
        log.warn("storage of {} not flushed on close: {}", meta.name(), e.toString());
      }
      try {
        release();
      } catch (IOException | RuntimeException e) {
        if (failure == null) {
          failure = translate(e);
        }
      }
    } finally {
      writeLock.unlock();
      if (ownedExecutor != null) {
        ownedExecutor.shutdown();
        try {
          if (!ownedExecutor.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            log.warn("storage threads of {} still running after close", meta.name());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  protected final boolean isClosed() {
    return closed.get();
  }

  /** Runs {@code task} on the executor under the read lock. */
  protected final <T> CompletableFuture<T> submit(IoTask<T> task) {
    return submitUnguarded(() -> guarded(task));
  }

  /** Runs {@code task} on the executor under the write lock: nothing else runs beside it. */
  protected final <T> CompletableFuture<T> submitExclusive(IoTask<T> task) {
    return submitUnguarded(() -> locked(writeLock, task));
  }

  private <T> T guarded(IoTask<T> task) throws IOException {
    return locked(readLock, task);
  }

  private <T> T locked(Lock which, IoTask<T> task) throws IOException {
    which.lock();
    try {
      if (closed.get()) {
        throw closedFailure();
      }
      return task.run();
    } finally {
      which.unlock();
    }
  }

  private <T> CompletableFuture<T> submitUnguarded(IoTask<T> task) {
    return submitUnguarded(executor, task);
  }

  private <T> CompletableFuture<T> submitUnguarded(Executor on, IoTask<T> task) {
    try {
      return CompletableFuture.supplyAsync(
          () -> {
            try {
              return task.run();
            } catch (IOException | RuntimeException e) {
              throw new CompletionException(translate(e));
            }
          },
          on);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(rejected());
    }
  }

  private StorageException closedFailure() {
    return new StorageException("storage of " + meta.name() + " is closed");
  }

  private StorageException rejected() {
    return new StorageException("storage executor of " + meta.name() + " rejected a task");
  }

  private RuntimeException translate(Exception e) {
    if (e instanceof RuntimeException r) {
      return r;
    }
    return new StorageException("storage of " + meta.name() + " failed", e);
  }

  private void checkBlock(int piece, int offset, int length) {
    checkElementIndex(piece, meta.pieceCount(), "piece");
    long size = meta.pieceSize(piece);
    // Not checkArgument with four arguments: that boxes them and makes an array on every read.
    if (offset < 0 || offset + (long) length > size) {
      throw new IllegalArgumentException(
          String.format(
              "block: offset %s, length %s in piece %s (expected: within its %s bytes)",
              offset, length, piece, size));
    }
  }
}
