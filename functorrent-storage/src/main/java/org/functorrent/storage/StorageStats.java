package org.functorrent.storage;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A snapshot of one torrent's storage statistics.
 *
 * @param bytesRead bytes read for {@link Storage#readBlock} (served to peers)
 * @param bytesWritten bytes of blocks written by {@link Storage#writeBlock}; blocks into a verified
 *     piece are ignored and not counted
 * @param bytesHashed bytes read from storage and hashed to verify pieces
 * @param piecesVerified pieces whose SHA-1 matched, by {@link Storage#verifyPiece} or a check of
 *     existing data
 * @param piecesFailed pieces whose SHA-1 did not match in {@link Storage#verifyPiece} (a check of
 *     existing data counts none: incomplete data there is expected)
 */
public record StorageStats(
    long bytesRead, long bytesWritten, long bytesHashed, long piecesVerified, long piecesFailed) {

  public StorageStats {
    checkArgument(bytesRead >= 0, "bytesRead: %s (expected: >= 0)", bytesRead);
    checkArgument(bytesWritten >= 0, "bytesWritten: %s (expected: >= 0)", bytesWritten);
    checkArgument(bytesHashed >= 0, "bytesHashed: %s (expected: >= 0)", bytesHashed);
    checkArgument(piecesVerified >= 0, "piecesVerified: %s (expected: >= 0)", piecesVerified);
    checkArgument(piecesFailed >= 0, "piecesFailed: %s (expected: >= 0)", piecesFailed);
  }
}
