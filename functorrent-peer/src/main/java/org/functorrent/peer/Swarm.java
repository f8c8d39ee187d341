package org.functorrent.peer;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.functorrent.metainfo.InfoHash;

/**
 * The peers of one torrent: connections, piece picking, choking, downloading and serving. Its
 * state lives on one event loop; every method may be called from any thread.
 */
public interface Swarm extends AutoCloseable {
  InfoHash infoHash();

  /**
   * Adds peer addresses to connect to (from a tracker, the command line, PEX). Known, banned and
   * own addresses are ignored; connections open as the per-torrent and per-client limits allow.
   */
  void addPeers(Collection<InetSocketAddress> peers);

  /**
   * Sets a piece's priority: 0 skips it, 1 is the default, up to 7 is picked first. Pieces of the
   * same priority go rarest first. File priorities map to the pieces of each file.
   */
  void setPiecePriority(int piece, int priority);

  /** In sequential mode pieces are picked in index order (for streaming), ignoring rarity. */
  void setSequential(boolean sequential);

  /** Completes when every wanted piece is verified (at once for a seeder). */
  CompletableFuture<Void> completion();

  /** A snapshot of the counters, taken on the swarm's event loop. */
  CompletableFuture<SwarmStats> stats();

  /**
   * Closes every connection of this swarm and removes it from its client. Idempotent; the future
   * completes once every channel is closed.
   */
  CompletableFuture<Void> closeAsync();

  /** {@link #closeAsync()} and wait (bounded) for it. */
  @Override
  void close();
}
