package org.functorrent.storage;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How a file-system storage behaves. Immutable; the {@code with...} methods return changed copies.
 *
 * @param maxOpenFiles at most this many files are kept open (a bounded LRU cache); a few more may
 *     be open for a moment while that many operations run at once
 * @param preallocate whether files are written full of zeros when first opened for writing, rather
 *     than left sparse
 * @param hashParallelism how many pieces are hashed at once when checking existing data
 * @param priorities a priority per file of the torrent, in the order of {@code MetaInfo.files()};
 *     empty means every file {@link FilePriority#NORMAL}
 * @param resumeFile where the fast-resume file is kept; empty means {@code
 *     .functorrent/<info-hash>.resume} inside the download directory
 * @param fastResume whether a fast-resume file is read and written at all
 */
public record StorageOptions(
    int maxOpenFiles,
    boolean preallocate,
    int hashParallelism,
    ImmutableList<FilePriority> priorities,
    Optional<Path> resumeFile,
    boolean fastResume) {

  /** The default cache size of open files. */
  public static final int DEFAULT_MAX_OPEN_FILES = 64;

  public StorageOptions {
    checkArgument(maxOpenFiles > 0, "maxOpenFiles: %s (expected: > 0)", maxOpenFiles);
    checkArgument(hashParallelism > 0, "hashParallelism: %s (expected: > 0)", hashParallelism);
    priorities = ImmutableList.copyOf(priorities);
  }

  /**
   * Defaults: {@value #DEFAULT_MAX_OPEN_FILES} open files, sparse files, one hash per core, every
   * file wanted, fast resume on at its default place.
   */
  public static StorageOptions defaults() {
    return new StorageOptions(
        DEFAULT_MAX_OPEN_FILES,
        false,
        Runtime.getRuntime().availableProcessors(),
        ImmutableList.of(),
        Optional.empty(),
        true);
  }

  public StorageOptions withMaxOpenFiles(int maxOpenFiles) {
    return new StorageOptions(
        maxOpenFiles, preallocate, hashParallelism, priorities, resumeFile, fastResume);
  }

  public StorageOptions withPreallocate(boolean preallocate) {
    return new StorageOptions(
        maxOpenFiles, preallocate, hashParallelism, priorities, resumeFile, fastResume);
  }

  public StorageOptions withHashParallelism(int hashParallelism) {
    return new StorageOptions(
        maxOpenFiles, preallocate, hashParallelism, priorities, resumeFile, fastResume);
  }

  public StorageOptions withPriorities(List<FilePriority> priorities) {
    return new StorageOptions(
        maxOpenFiles,
        preallocate,
        hashParallelism,
        ImmutableList.copyOf(priorities),
        resumeFile,
        fastResume);
  }

  public StorageOptions withResumeFile(Path resumeFile) {
    return new StorageOptions(
        maxOpenFiles, preallocate, hashParallelism, priorities, Optional.of(resumeFile), true);
  }

  public StorageOptions withFastResume(boolean fastResume) {
    return new StorageOptions(
        maxOpenFiles, preallocate, hashParallelism, priorities, resumeFile, fastResume);
  }
}
