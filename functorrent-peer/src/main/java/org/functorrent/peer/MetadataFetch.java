package org.functorrent.peer;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.MetaInfo;

/**
 * Fetching a torrent's info dictionary from peers, knowing only its info-hash (a magnet link; BEP
 * 9, {@code ut_metadata}). Peers come from the caller ({@link #addPeers}: trackers, the magnet's
 * {@code x.pe}) and from incoming connections for this info-hash, which the client routes here
 * while the fetch runs. Once the metadata is in and checked against the info-hash, every
 * connection closes and {@link #metaInfo()} completes; the caller then starts the torrent's
 * {@link Swarm} with {@link #peers()}. Every method may be called from any thread.
 */
public interface MetadataFetch extends AutoCloseable {
  InfoHash infoHash();

  /** Adds peer addresses to ask; known and banned addresses are ignored. */
  void addPeers(Collection<InetSocketAddress> peers);

  /**
   * Completes with the torrent built from the fetched info dictionary and the trackers given to
   * {@link PeerClient#fetchMetadata}; completes exceptionally with an {@link
   * org.functorrent.metainfo.InvalidTorrentException} if the dictionary (whose hash did match) is
   * not a torrent we can open, or a {@link java.util.concurrent.CancellationException} if the
   * fetch is closed first.
   */
  CompletableFuture<MetaInfo> metaInfo();

  /**
   * The peer addresses known to this fetch (those added, and those incoming peers said they listen
   * on), banned ones left out: where the swarm should look once the metadata is in.
   */
  List<InetSocketAddress> peers();

  /** Connections that completed both handshakes and offer the metadata, now. */
  int connectedPeers();

  /** Closes every connection of this fetch and removes it from its client. Idempotent. */
  CompletableFuture<Void> closeAsync();

  /** {@link #closeAsync()} and wait (bounded) for it. */
  @Override
  void close();
}
