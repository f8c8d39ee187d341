package org.functorrent;

import java.io.IOException;
import java.io.InputStream;

/**
 * An {@link InputStream} over one file of a torrent, from {@link Download#openStream(int)}. Reads
 * block until the bytes they need are verified, so they never return unverified data. It can be
 * positioned anywhere in the file ({@link #seek}); {@link #skip} moves without waiting for the
 * bytes skipped. Not thread-safe: one reader at a time. Wrap it in a {@code BufferedInputStream}
 * for many small reads.
 */
public abstract class TorrentFileStream extends InputStream {
  /** For the library's implementation only. */
  protected TorrentFileStream() {}

  /** The index of the file in {@code MetaInfo.files()}. */
  public abstract int fileIndex();

  /** The file's length in bytes. */
  public abstract long length();

  /** Where the next read starts, from 0 to {@link #length()}. */
  public abstract long position();

  /**
   * Moves the read position to {@code position}; the pieces from there on are fetched first.
   *
   * @throws IllegalArgumentException if {@code position} is not between 0 and {@link #length()}
   * @throws IOException if the stream is closed
   */
  public abstract void seek(long position) throws IOException;
}
