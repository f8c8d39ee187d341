package org.functorrent.internal;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.functorrent.TorrentFileStream;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentFile;

/**
 * A stream over one file of a running download: each read waits for the piece under the position,
 * reads it through storage, and keeps a window of pieces ahead of the position at the top of the
 * picker. Once the download has ended, verified bytes are read from the file on disk.
 */
final class PieceStream extends TorrentFileStream {
  /** How far ahead of the read position pieces are fetched first. */
  private static final long READ_AHEAD_BYTES = 8L << 20;

  private static final int MIN_WINDOW_PIECES = 2;
  private static final int MAX_WINDOW_PIECES = 64;

  private final ActiveDownload download;
  private final MetaInfo meta;
  private final int fileIndex;
  private final TorrentFile file;
  private final Path path;
  private final int windowPieces;
  private final int lastPiece;
  private long position;
  private int windowStart = -1;
  private boolean closed;
  private FileChannel fallback;

  PieceStream(ActiveDownload download, MetaInfo meta, int fileIndex, TorrentFile file, Path path) {
    this.download = download;
    this.meta = meta;
    this.fileIndex = fileIndex;
    this.file = file;
    this.path = path;
    long pieces = READ_AHEAD_BYTES / meta.pieceLength();
    this.windowPieces = (int) Math.max(MIN_WINDOW_PIECES, Math.min(MAX_WINDOW_PIECES, pieces));
    this.lastPiece =
        file.length() == 0 ? -1 : (int) ((file.offset() + file.length() - 1) / meta.pieceLength());
  }

  @Override
  public int fileIndex() {
    return fileIndex;
  }

  @Override
  public long length() {
    return file.length();
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public void seek(long newPosition) throws IOException {
    checkArgument(
        newPosition >= 0 && newPosition <= file.length(),
        "position: %s (expected: 0 to %s)",
        newPosition,
        file.length());
    ensureOpen();
    position = newPosition;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n <= 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureOpen();
    if (len == 0) {
      return 0;
    }
    if (position >= file.length()) {
      return -1;
    }
    long absolute = file.offset() + position;
    int piece = (int) (absolute / meta.pieceLength());
    int inPiece = (int) (absolute % meta.pieceLength());
    int n =
        (int)
            Math.min(len, Math.min(file.length() - position, meta.pieceSize(piece) - inPiece));
    moveWindow(piece);
    download.awaitVerified(piece);
    ByteBuffer dst = ByteBuffer.wrap(b, off, n);
    if (!download.readVerified(piece, inPiece, dst)) {
      readFromFile(ByteBuffer.wrap(b, off, n), position);
    }
    position += n;
    return n;
  }

  /** Moves without waiting for the bytes skipped. */
  @Override
  public long skip(long n) throws IOException {
    ensureOpen();
    if (n <= 0) {
      return 0;
    }
    long skipped = Math.min(n, file.length() - position);
    position += skipped;
    return skipped;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    download.streamClosed(this);
    if (fallback != null) {
      fallback.close();
    }
  }

  private void moveWindow(int piece) {
    if (piece != windowStart) {
      windowStart = piece;
      download.streamWindow(this, piece, Math.min(lastPiece, piece + windowPieces - 1));
    }
  }

  private void readFromFile(ByteBuffer dst, long at) throws IOException {
    if (fallback == null) {
      fallback = FileChannel.open(path, StandardOpenOption.READ);
    }
    long filePosition = at;
    while (dst.hasRemaining()) {
      int read = fallback.read(dst, filePosition);
      if (read < 0) {
        throw new EOFException(path + ": shorter than the torrent says");
      }
      filePosition += read;
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("stream of file " + fileIndex + ": closed");
    }
  }
}
