package org.functorrent.peer.internal;

import org.functorrent.common.TorrentException;

/**
 * A peer sent a message that breaks an extension's protocol (a malformed {@code ut_metadata} or
 * {@code ut_pex} message). The connection that received it closes; nothing else is affected.
 */
public final class PeerProtocolException extends TorrentException {
  private static final long serialVersionUID = 1L;

  public PeerProtocolException(String message) {
    super(message);
  }

  public PeerProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
