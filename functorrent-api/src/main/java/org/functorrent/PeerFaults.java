package org.functorrent;

/**
 * What peers of a download did wrong, and what it cost, since the download was added (pauses and
 * resumes included).
 *
 * @param wastedBytes payload bytes received and dropped: unrequested, or already had
 * @param failedPieces pieces that failed their hash check and were downloaded again
 * @param bannedPeers peers banned for sending bad data
 * @param nonReadingPeers peers closed for leaving too much of what we sent them unread
 * @param timedOutBlocks requests taken back from a peer that did not answer them in time
 */
public record PeerFaults(
    long wastedBytes,
    int failedPieces,
    int bannedPeers,
    int nonReadingPeers,
    long timedOutBlocks) {
  /** No fault at all. */
  public static final PeerFaults NONE = new PeerFaults(0, 0, 0, 0, 0);

  /** The sum of these faults and {@code more}. */
  public PeerFaults plus(PeerFaults more) {
    return new PeerFaults(
        wastedBytes + more.wastedBytes,
        failedPieces + more.failedPieces,
        bannedPeers + more.bannedPeers,
        nonReadingPeers + more.nonReadingPeers,
        timedOutBlocks + more.timedOutBlocks);
  }
}
