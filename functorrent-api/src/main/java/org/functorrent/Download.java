package org.functorrent;

import java.util.concurrent.CompletableFuture;
import org.functorrent.metainfo.MetaInfo;

/** A running torrent: its progress, its completion, and how to stop it. Thread-safe. */
public interface Download extends AutoCloseable {
  MetaInfo metaInfo();

  /**
   * Completes when every piece is verified (at once for a complete seed); completes exceptionally
   * when the download fails or is stopped before that.
   */
  CompletableFuture<DownloadStats> completion();

  /** A snapshot of the counters, states and rates. */
  DownloadStats stats();

  /**
   * Announces to the trackers now instead of when their interval says, to learn of new peers at
   * once. Does nothing for a torrent without trackers.
   */
  void reannounce();

  /**
   * Stops the download: trackers hear {@code stopped} (bounded by a timeout), connections close,
   * files are flushed and closed. Idempotent; the future completes when all of that is done.
   */
  CompletableFuture<Void> stop();

  /** {@link #stop()} and wait for it. */
  @Override
  default void close() {
    stop().join();
  }
}
