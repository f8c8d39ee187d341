package org.functorrent.internal;

/**
 * A download's payload rates in bytes per second, smoothed over the last few samples of its
 * swarm's counters. Each rate is the bytes moved since the previous sample over the time that
 * actually passed, since samples come when the swarm answers rather than on the clock. A swarm's
 * counters start at zero: its first sample is measured from {@link #restart}, so the first
 * figure shown is what moved since then, not zero.
 */
final class TransferRates {
  /** The weight of the newest sample against the rate so far. */
  private static final double SMOOTHING = 0.5;

  private long sampledAt;
  private long downloaded;
  private long uploaded;
  private boolean fresh = true;
  private long downloadRate;
  private long uploadRate;

  /** Starts counting for a swarm whose counters are zero at {@code nanos}; the rates are kept. */
  void restart(long nanos) {
    sampledAt = nanos;
    downloaded = 0;
    uploaded = 0;
    fresh = true;
  }

  /** Takes the swarm's counters at {@code nanos}. */
  void sample(long nanos, long downloadedBytes, long uploadedBytes) {
    long elapsed = nanos - sampledAt;
    if (elapsed > 0) {
      long down = perSecond(downloadedBytes - downloaded, elapsed);
      long up = perSecond(uploadedBytes - uploaded, elapsed);
      // The first sample of a swarm stands alone: smoothing it with the rate of another swarm, or
      // with nothing, would halve it.
      downloadRate = fresh ? down : smooth(down, downloadRate);
      uploadRate = fresh ? up : smooth(up, uploadRate);
      fresh = false;
    }
    sampledAt = nanos;
    downloaded = downloadedBytes;
    uploaded = uploadedBytes;
  }

  /** Both rates drop to zero (the download paused). */
  void stop() {
    downloadRate = 0;
    uploadRate = 0;
  }

  long downloadRate() {
    return downloadRate;
  }

  long uploadRate() {
    return uploadRate;
  }

  private static long perSecond(long bytes, long nanos) {
    return (long) (Math.max(0, bytes) * 1e9 / nanos);
  }

  private static long smooth(long sample, long rate) {
    return (long) (SMOOTHING * sample + (1 - SMOOTHING) * rate);
  }
}
