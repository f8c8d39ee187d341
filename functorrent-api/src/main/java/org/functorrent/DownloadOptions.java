package org.functorrent;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.functorrent.storage.FilePriority;

/**
 * How to run one download. Immutable; each {@code with} method returns a changed copy.
 *
 * @param directory where the torrent's files go (its name is created inside); the working
 *     directory by default
 * @param seed whether to keep serving peers after completion; false by default
 * @param peers peers to connect to besides those the trackers give
 * @param useTrackers whether to announce to the torrent's trackers; true by default
 * @param filePriorities a priority per file, in the order of {@code MetaInfo.files()}; empty (the
 *     default) means every file {@link FilePriority#NORMAL}. {@link FilePriority#SKIP}ped files
 *     are neither downloaded nor created; {@link FilePriority#HIGH} files are fetched first
 */
public record DownloadOptions(
    Path directory,
    boolean seed,
    ImmutableList<InetSocketAddress> peers,
    boolean useTrackers,
    ImmutableList<FilePriority> filePriorities) {

  public DownloadOptions {
    checkArgument(directory != null, "directory: null (expected: a path)");
    peers = ImmutableList.copyOf(peers);
    filePriorities = ImmutableList.copyOf(filePriorities);
  }

  /** Options with every file wanted. */
  public DownloadOptions(
      Path directory, boolean seed, ImmutableList<InetSocketAddress> peers, boolean useTrackers) {
    this(directory, seed, peers, useTrackers, ImmutableList.of());
  }

  public static DownloadOptions defaults() {
    return new DownloadOptions(Path.of(""), false, ImmutableList.of(), true, ImmutableList.of());
  }

  public DownloadOptions withDirectory(Path newDirectory) {
    return new DownloadOptions(newDirectory, seed, peers, useTrackers, filePriorities);
  }

  public DownloadOptions withSeed(boolean newSeed) {
    return new DownloadOptions(directory, newSeed, peers, useTrackers, filePriorities);
  }

  public DownloadOptions withPeers(List<InetSocketAddress> newPeers) {
    return new DownloadOptions(
        directory, seed, ImmutableList.copyOf(newPeers), useTrackers, filePriorities);
  }

  public DownloadOptions withTrackers(boolean newUseTrackers) {
    return new DownloadOptions(directory, seed, peers, newUseTrackers, filePriorities);
  }

  /**
   * A priority per file of the torrent, in the order of {@code MetaInfo.files()}; checked against
   * the torrent when the download starts.
   */
  public DownloadOptions withFilePriorities(List<FilePriority> newPriorities) {
    return new DownloadOptions(
        directory, seed, peers, useTrackers, ImmutableList.copyOf(newPriorities));
  }
}
