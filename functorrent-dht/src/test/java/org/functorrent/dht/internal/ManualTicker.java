package org.functorrent.dht.internal;

import com.google.common.base.Ticker;
import java.time.Duration;

/** A clock that moves only when told to. */
final class ManualTicker extends Ticker {
  private long nanos = 1_000_000_000L;

  @Override
  public long read() {
    return nanos;
  }

  void advance(Duration d) {
    nanos += d.toNanos();
  }
}
