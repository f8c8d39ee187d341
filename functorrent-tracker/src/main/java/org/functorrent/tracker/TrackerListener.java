package org.functorrent.tracker;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;

/**
 * Events of an {@link AnnounceSession}. Methods run on the session's listener executor, never on an
 * event loop, one at a time and in order; an exception thrown here is logged and ignored.
 */
public interface TrackerListener {
  /** The status of {@code tracker} changed. */
  default void statusChanged(URI tracker, TrackerStatus status) {}

  /** {@code tracker} answered an announce with these peers (never empty). */
  default void peersDiscovered(URI tracker, List<InetSocketAddress> peers) {}
}
