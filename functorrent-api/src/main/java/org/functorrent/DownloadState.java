package org.functorrent;

/** Where a download is in its life. */
public enum DownloadState {
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
