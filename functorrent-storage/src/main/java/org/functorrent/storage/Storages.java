package org.functorrent.storage;

import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.storage.internal.FileStorage;
import org.functorrent.storage.internal.MemoryStorage;

/** Makes {@link Storage}s: on the file system (the default) or in memory (for tests). */
public final class Storages {
  private Storages() {}

  /**
   * The storage of {@code meta} in {@code directory} (created if missing), with default options,
   * running on {@code executor}, which the caller owns: it should be bounded and have a thread per
   * core so pieces are hashed on every core.
   *
   * @throws StorageException if the directory cannot be created
   */
  public static Storage fileSystem(MetaInfo meta, Path directory, Executor executor) {
    return fileSystem(meta, directory, executor, StorageOptions.defaults());
  }

  /** As {@link #fileSystem(MetaInfo, Path, Executor)}, with {@code options}. */
  public static Storage fileSystem(
      MetaInfo meta, Path directory, Executor executor, StorageOptions options) {
    return new FileStorage(
        meta, directory, executor, null, options, FileStorage.ChannelFactory.DEFAULT);
  }

  /**
   * The storage of {@code meta} in {@code directory} on an executor of its own ({@link
   * #newExecutor()}), shut down by {@link Storage#close()}.
   */
  public static Storage fileSystem(MetaInfo meta, Path directory, StorageOptions options) {
    ExecutorService executor = newExecutor();
    try {
      return new FileStorage(
          meta, directory, executor, executor, options, FileStorage.ChannelFactory.DEFAULT);
    } catch (RuntimeException e) {
      executor.shutdown();
      throw e;
    }
  }

  /** A storage in memory running on {@code executor}, which the caller owns. */
  public static Storage inMemory(MetaInfo meta, Executor executor) {
    return new MemoryStorage(meta, executor, null);
  }

  /** A storage in memory on an executor of its own, shut down by {@link Storage#close()}. */
  public static Storage inMemory(MetaInfo meta) {
    ExecutorService executor = newExecutor();
    return new MemoryStorage(meta, executor, executor);
  }

  /**
   * A bounded executor for storage: one daemon thread per core (at least two), named {@code
   * functorrent-storage-N}. The caller owns it and shuts it down.
   */
  public static ExecutorService newExecutor() {
    AtomicInteger count = new AtomicInteger();
    return newExecutor(
        runnable -> {
          Thread thread = new Thread(runnable, "functorrent-storage-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * A bounded executor for storage, one thread per core (at least two), made by {@code threads}.
   * The caller owns it and shuts it down.
   */
  public static ExecutorService newExecutor(ThreadFactory threads) {
    return Executors.newFixedThreadPool(
        Math.max(2, Runtime.getRuntime().availableProcessors()), threads);
  }

}
