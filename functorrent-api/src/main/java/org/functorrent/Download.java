package org.functorrent;

import com.google.common.collect.ImmutableList;
import java.util.concurrent.CompletableFuture;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.storage.FilePriority;

/** A running torrent: its progress, its completion, and how to stop it. Thread-safe. */
public interface Download extends AutoCloseable {
  /**
   * The torrent's metadata.
   *
   * @throws IllegalStateException while a magnet link's metadata is being fetched (see {@link
   *     #metadata()})
   */
  MetaInfo metaInfo();

  /**
   * Completes with the torrent's metadata: at once for a {@code .torrent}, once fetched from peers
   * for a magnet link; exceptionally if the download stops or fails before that.
   */
  default CompletableFuture<MetaInfo> metadata() {
    return CompletableFuture.completedFuture(metaInfo());
  }

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
   * Pauses the download as libtorrent does: every connection closes, no piece is requested or
   * served, trackers hear {@code stopped}, written data is flushed; the state becomes {@link
   * DownloadState#PAUSED}. Counters are kept. Idempotent; does nothing once the download stopped.
   * The future completes when the download is paused.
   */
  CompletableFuture<Void> pause();

  /**
   * Resumes a paused download: trackers hear {@code started} again and peers are dialled again;
   * the state goes back to downloading (or seeding). Does nothing unless paused. The future
   * completes when the download runs again.
   */
  CompletableFuture<Void> resume();

  /**
   * The priority of each file now, in the order of {@code MetaInfo.files()}; for a magnet link
   * before its metadata arrived, the priorities its options asked for (possibly none).
   */
  ImmutableList<FilePriority> filePriorities();

  /**
   * Changes a file's priority while the download runs: a {@link FilePriority#SKIP}ped file is no
   * longer requested (its data already on disk stays there); a file made wanted is created and
   * downloaded. Completes once storage and the piece picker follow the new priority.
   *
   * <p>Making a file wanted after {@link #completion()} completed downloads it (when seeding) but
   * does not complete {@link #completion()} again.
   *
   * @throws IndexOutOfBoundsException if there is no such file
   * @throws IllegalStateException while a magnet link's metadata is being fetched
   */
  CompletableFuture<Void> setFilePriority(int fileIndex, FilePriority priority);

  /**
   * An input stream over one file of the torrent that can be read while the file downloads: a read
   * blocks until the piece holding its bytes is verified, and the pieces just ahead of the read
   * position are fetched first (highest priority, in order). Closing the stream gives those
   * pieces their file priority back. Do not read it on a network thread.
   *
   * @throws IndexOutOfBoundsException if there is no such file
   * @throws IllegalArgumentException if the file is skipped (make it wanted first)
   * @throws IllegalStateException while a magnet link's metadata is being fetched
   */
  TorrentFileStream openStream(int fileIndex);

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
