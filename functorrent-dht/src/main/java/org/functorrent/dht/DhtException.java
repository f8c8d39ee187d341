package org.functorrent.dht;

import org.functorrent.common.TorrentException;

/** A DHT operation that could not be done: the node is disabled, not started, closed, or its
 * socket could not be bound. */
public final class DhtException extends TorrentException {
  private static final long serialVersionUID = 1L;

  public DhtException(String message) {
    super(message);
  }

  public DhtException(String message, Throwable cause) {
    super(message, cause);
  }
}
