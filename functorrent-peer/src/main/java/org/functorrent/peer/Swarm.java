package org.functorrent.peer;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;

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

  /**
   * Sets every file's priority at once, in the order of {@code MetaInfo.files()}: 0 skips a file,
   * 1 is the default, up to 7 is picked first. A piece shared by several files takes the highest
   * priority among them; padding files count for nothing (see {@link
   * FilePriorities#toPiecePriorities}). Replaces every piece priority set before. Pieces of
   * priority 0 are never requested, and {@link #completion()} completes once every other piece is
   * verified.
   *
   * @throws IllegalArgumentException if the list does not have one priority in 0..7 per file
   */
  void setFilePriorities(List<Integer> filePriorities);

  /**
   * Gives a piece a deadline, {@code deadline} from now, for streaming a file while it downloads.
   * Pieces with a deadline are requested before any other, earliest deadline first, whatever the
   * sequential or rarest-first order; once the deadline is a few seconds away (or past), the
   * piece's missing blocks are also asked from a second peer, and the slower copy is cancelled
   * when the first arrives. A piece of priority 0 stays skipped. The deadline is dropped once the
   * piece is verified; setting it again replaces it.
   */
  void setPieceDeadline(int piece, Duration deadline);

  /** Removes a piece's deadline: it goes back to the normal order. */
  void clearPieceDeadline(int piece);

  /** In sequential mode pieces are picked in index order (for streaming), ignoring rarity. */
  void setSequential(boolean sequential);

  /** Completes when every wanted piece is verified (at once for a seeder). */
  CompletableFuture<Void> completion();

  /** A snapshot of the counters, taken on the swarm's event loop. */
  CompletableFuture<SwarmStats> stats();

  /** The peers this swarm has banned for bad data, and those handed to {@link #ban}. */
  CompletableFuture<Set<PeerId>> bannedPeers();

  /**
   * Bans these peers as if they had sent bad data here: they are refused, and closed if
   * connected. For the bans of an earlier swarm of the same torrent (a paused download that
   * resumes); they do not count in {@link SwarmStats#bannedPeers()}.
   */
  void ban(Collection<PeerId> peers);

  /**
   * Closes every connection of this swarm and removes it from its client. Idempotent; the future
   * completes once every channel is closed.
   */
  CompletableFuture<Void> closeAsync();

  /** {@link #closeAsync()} and wait (bounded) for it. */
  @Override
  void close();
}
