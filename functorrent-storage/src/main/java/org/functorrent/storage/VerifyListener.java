package org.functorrent.storage;

/**
 * Progress of a check of existing data. Called on storage threads, possibly from several at once
 * and not necessarily in order of {@code checked}: implementations must be quick and thread-safe.
 */
@FunctionalInterface
public interface VerifyListener {
  /** A listener that ignores progress. */
  VerifyListener NONE = (checked, total) -> {};

  /**
   * One more piece was checked.
   *
   * @param checked how many pieces have been checked so far, this one included
   * @param total how many pieces this check will look at
   */
  void progress(int checked, int total);
}
