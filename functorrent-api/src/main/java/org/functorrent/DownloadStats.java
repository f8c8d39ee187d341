package org.functorrent;

import com.google.common.collect.ImmutableMap;
import java.net.URI;
import org.functorrent.tracker.TrackerStatus;

/**
 * A snapshot of a download.
 *
 * @param state where the download is in its life
 * @param downloadedBytes payload bytes received from peers in accepted blocks
 * @param uploadedBytes payload bytes sent to peers
 * @param downloadRate payload bytes per second received, over the last few seconds
 * @param uploadRate payload bytes per second sent, over the last few seconds
 * @param peers connected peers
 * @param piecesHave verified pieces
 * @param pieceCount the torrent's pieces (0 while a magnet link's metadata is being fetched)
 * @param totalBytes the torrent's size (0 while a magnet link's metadata is being fetched: unknown)
 * @param bytesLeft bytes of wanted pieces not yet verified
 * @param trackers the status of each tracker
 * @param wantedBytes the bytes of the pieces wanted (every piece that holds a byte of a file not
 *     skipped); {@code totalBytes} when no file is skipped
 * @param faults what peers did wrong: bad pieces, bans, wasted bytes
 */
public record DownloadStats(
    DownloadState state,
    long downloadedBytes,
    long uploadedBytes,
    long downloadRate,
    long uploadRate,
    int peers,
    int piecesHave,
    int pieceCount,
    long totalBytes,
    long bytesLeft,
    ImmutableMap<URI, TrackerStatus> trackers,
    long wantedBytes,
    PeerFaults faults) {

  /** The share of wanted bytes verified, from 0 to 1 (0 while the metadata is being fetched). */
  public double progress() {
    if (state == DownloadState.FETCHING_METADATA) {
      return 0;
    }
    return wantedBytes == 0 ? 1 : (double) (wantedBytes - bytesLeft) / wantedBytes;
  }
}
