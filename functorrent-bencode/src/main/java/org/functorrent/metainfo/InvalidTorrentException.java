package org.functorrent.metainfo;

import org.functorrent.common.TorrentException;

/**
 * A {@code .torrent} that is well-formed bencode but not a valid torrent. The message starts with
 * the key path of the offending value, such as {@code info.files[3].path[1]}, then says what was
 * found and what was expected: {@code info.piece length: 0 (expected: > 0)}.
 */
public final class InvalidTorrentException extends TorrentException {
  private static final long serialVersionUID = 1L;

  private final String keyPath;

  public InvalidTorrentException(String keyPath, String problem) {
    super(keyPath + ": " + problem);
    this.keyPath = keyPath;
  }

  /**
   * Where the problem is: dictionary keys joined by {@code .}, list indexes in brackets, {@code
   * (root)} for the top-level value.
   */
  public String keyPath() {
    return keyPath;
  }
}
