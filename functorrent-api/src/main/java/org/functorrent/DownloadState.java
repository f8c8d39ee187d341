package org.functorrent;

/** Where a download is in its life. */
public enum DownloadState {
  /**
   * A magnet link's download asks peers for the torrent's metadata (BEP 9); size, pieces and files
   * are not known yet.
   */
  FETCHING_METADATA,
  /** Checking the data already on disk against the piece hashes. */
  CHECKING,
  /** Fetching pieces from peers. */
  DOWNLOADING,
  /** Every piece verified; serving other peers. */
  SEEDING,
  /** Every piece verified and stopped, as asked (no seeding). */
  COMPLETED,
  /**
   * Paused by {@link Download#pause()}: no connections, trackers told {@code stopped}, files kept
   * open; {@link Download#resume()} goes on where it left off.
   */
  PAUSED,
  /** Stopped before completion by {@link Download#stop()} or the client's close. */
  STOPPED,
  /** Stopped by an error, such as a storage failure. */
  FAILED
}
