package org.functorrent.tracker;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What a torrent reports to its trackers: bytes uploaded and downloaded since it started, and bytes
 * left to download. Storage owns these numbers; the announce loop asks for them through a supplier.
 */
public record TransferStats(long uploaded, long downloaded, long left) {
  public TransferStats {
    checkArgument(uploaded >= 0, "uploaded: %s (expected: >= 0)", uploaded);
    checkArgument(downloaded >= 0, "downloaded: %s (expected: >= 0)", downloaded);
    checkArgument(left >= 0, "left: %s (expected: >= 0)", left);
  }

  public static TransferStats of(long uploaded, long downloaded, long left) {
    return new TransferStats(uploaded, downloaded, left);
  }
}
