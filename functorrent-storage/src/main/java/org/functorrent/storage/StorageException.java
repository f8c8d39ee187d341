package org.functorrent.storage;

import java.nio.file.Path;
import java.util.Optional;
import org.functorrent.common.TorrentException;

/**
 * A failure of the disk or the file system under a torrent's storage: disk full, permission denied,
 * a read-only directory, a file replaced by a directory, a symbolic link that leads out of the
 * download directory. The message names the path; the cause, when there is one, is the {@link
 * java.io.IOException} the file system gave.
 */
public class StorageException extends TorrentException {
  private static final long serialVersionUID = 1L;

  private final transient Path path;

  public StorageException(String message, Path path) {
    super(message + ": " + path);
    this.path = path;
  }

  public StorageException(String message, Path path, Throwable cause) {
    super(message + ": " + path + ": " + describe(cause), cause);
    this.path = path;
  }

  /** A failure that concerns no single path, with its cause. */
  public StorageException(String message, Throwable cause) {
    super(message + ": " + describe(cause), cause);
    this.path = null;
  }

  /** A failure that concerns no single path, such as use after {@code close()}. */
  public StorageException(String message) {
    super(message);
    this.path = null;
  }

  /** The file or directory concerned, when there is one. */
  public Optional<Path> path() {
    return Optional.ofNullable(path);
  }

  private static String describe(Throwable cause) {
    String simple = cause.getClass().getSimpleName();
    String message = cause.getMessage();
    return message == null ? simple : simple + " (" + message + ")";
  }
}
