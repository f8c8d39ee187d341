package org.functorrent.metainfo;

import org.functorrent.common.TorrentException;

/** A magnet URI that cannot be used; the message says what was wrong with it. */
public final class InvalidMagnetUriException extends TorrentException {
  private static final long serialVersionUID = 1L;

  public InvalidMagnetUriException(String message) {
    super(message);
  }
}
