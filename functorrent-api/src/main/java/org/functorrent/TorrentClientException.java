package org.functorrent;

import org.functorrent.common.TorrentException;

/** A client could not start, such as when its listen port is taken. */
public final class TorrentClientException extends TorrentException {
  private static final long serialVersionUID = 1L;

  public TorrentClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
