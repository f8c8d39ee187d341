package org.functorrent.common;

/**
 * The root of every exception this library throws on purpose. Unchecked: bad input from the user
 * (a broken {@code .torrent}, an unwritable directory) fails fast with a subclass that says what
 * and where; bad input from the network never reaches the caller as an exception.
 */
public class TorrentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TorrentException(String message) {
    super(message);
  }

  public TorrentException(String message, Throwable cause) {
    super(message, cause);
  }
}
