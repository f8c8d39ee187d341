package org.functorrent.peer;

/**
 * A snapshot of a swarm's counters.
 *
 * @param connectedPeers peers past the handshake
 * @param verifiedPieces pieces we have and have verified
 * @param pieceCount the torrent's number of pieces
 * @param downloadedBytes payload bytes received in accepted blocks
 * @param uploadedBytes payload bytes sent in piece messages
 * @param wastedBytes payload bytes received but dropped (unrequested or duplicate)
 * @param failedPieces pieces that failed their hash check
 * @param bannedPeers peers banned for bad data
 * @param timedOutBlocks requests taken back from a peer that answered later ones but not these
 *     within the block timeout (they went to other peers)
 * @param nonReadingPeers peers closed because they left more than {@link
 *     PeerOptions#maxUnsentBytes()} of what we sent them unread
 */
public record SwarmStats(
    int connectedPeers,
    int verifiedPieces,
    int pieceCount,
    long downloadedBytes,
    long uploadedBytes,
    long wastedBytes,
    int failedPieces,
    int bannedPeers,
    long timedOutBlocks,
    int nonReadingPeers) {

  /** Whether every piece is verified. */
  public boolean isComplete() {
    return verifiedPieces == pieceCount;
  }
}
