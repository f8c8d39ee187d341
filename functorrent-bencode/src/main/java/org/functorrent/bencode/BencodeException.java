package org.functorrent.bencode;

import org.functorrent.common.TorrentException;

/**
 * Malformed bencode: the message says what was expected and at which byte offset of the input.
 */
public final class BencodeException extends TorrentException {
  private static final long serialVersionUID = 1L;

  private final long offset;

  public BencodeException(String problem, long offset) {
    super("malformed bencode at byte " + offset + ": " + problem);
    this.offset = offset;
  }

  /** The offset, from the start of the input, of the first byte that could not be accepted. */
  public long offset() {
    return offset;
  }
}
