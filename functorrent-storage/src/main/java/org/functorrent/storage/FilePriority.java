package org.functorrent.storage;

/** How much a file of a torrent is wanted. */
public enum FilePriority {
  /**
   * Not downloaded: the file is not created. Bytes of a piece shared with a wanted file are kept in
   * a hidden part file so the piece can still be verified and served.
   */
  SKIP,
  NORMAL,
  /** Wanted before the others; storage treats it as {@link #NORMAL}, the piece picker does not. */
  HIGH;

  /** Whether the file's bytes are stored in the file itself. */
  public boolean isWanted() {
    return this != SKIP;
  }
}
