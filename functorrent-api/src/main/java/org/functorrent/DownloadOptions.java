package org.functorrent;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * How to run one download. Immutable; each {@code with} method returns a changed copy.
 *
 * @param directory where the torrent's files go (its name is created inside); the working
 *     directory by default
 * @param seed whether to keep serving peers after completion; false by default
 * @param peers peers to connect to besides those the trackers give
 * @param useTrackers whether to announce to the torrent's trackers; true by default
 */
public record DownloadOptions(
    Path directory, boolean seed, ImmutableList<InetSocketAddress> peers, boolean useTrackers) {

  public DownloadOptions {
    checkArgument(directory != null, "directory: null (expected: a path)");
    peers = ImmutableList.copyOf(peers);
  }

  public static DownloadOptions defaults() {
    return new DownloadOptions(Path.of(""), false, ImmutableList.of(), true);
  }

  public DownloadOptions withDirectory(Path newDirectory) {
    return new DownloadOptions(newDirectory, seed, peers, useTrackers);
  }

  public DownloadOptions withSeed(boolean newSeed) {
    return new DownloadOptions(directory, newSeed, peers, useTrackers);
  }

  public DownloadOptions withPeers(List<InetSocketAddress> newPeers) {
    return new DownloadOptions(directory, seed, ImmutableList.copyOf(newPeers), useTrackers);
  }

  public DownloadOptions withTrackers(boolean newUseTrackers) {
    return new DownloadOptions(directory, seed, peers, newUseTrackers);
  }
}
