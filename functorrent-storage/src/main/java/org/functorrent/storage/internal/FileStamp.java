package org.functorrent.storage.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * A file's size and modification time, to tell whether it changed since a fast-resume record.
 *
 * @param size the size in bytes, or -1 when the file is missing
 * @param modifiedNanos the modification time in nanoseconds since the epoch, 0 when missing
 */
public record FileStamp(long size, long modifiedNanos) {
  public static final FileStamp MISSING = new FileStamp(-1, 0);

  /**
   * The stamp of {@code path}; a symbolic link is followed, so callers check first that it stays
   * inside the download directory. Anything but a regular file is missing.
   */
  public static FileStamp of(Path path) throws IOException {
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      if (!attributes.isRegularFile()) {
        return MISSING;
      }
      return new FileStamp(
          attributes.size(), attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS));
    } catch (NoSuchFileException e) {
      return MISSING;
    }
  }
}
