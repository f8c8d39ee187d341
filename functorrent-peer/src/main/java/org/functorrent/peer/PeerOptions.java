package org.functorrent.peer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;

/**
 * Tunables of the peer side. {@link #defaults()} suits the open internet; tests shorten the
 * timeouts.
 *
 * @param maxPeersPerTorrent connections per torrent
 * @param maxPeersPerClient connections of all torrents of a client together
 * @param uploadSlots unchoked peers per torrent, the optimistic slot included
 * @param initialRequestQueue outstanding block requests per peer at first
 * @param maxRequestQueue outstanding block requests per peer at most (the peer's reqq also caps
 *     it)
 * @param maxServeQueue requests we queue from one peer; we announce it as our reqq
 * @param blockTimeout a peer that delivers nothing for this long while it has our requests is
 *     stalled: its requests go to other peers
 * @param connectTimeout TCP connect timeout
 * @param handshakeTimeout time to the peer's handshake after connecting
 * @param keepAliveInterval a keep-alive goes out when nothing else did for this long
 * @param idleTimeout a connection that received nothing for this long closes
 * @param chokeInterval time between two choking rounds (BEP 3: ten seconds)
 * @param maxPendingWrites received blocks waiting for storage per connection before that
 *     connection stops reading
 * @param maxConnectFailures an address that failed this many times in a row is dropped
 * @param clientName the {@code v} of our extended handshake
 * @param maxPendingWritesPerClient received blocks waiting for storage in all connections of a
 *     client together before every connection that receives another block stops reading; they
 *     read again once the total is down to half of it
 * @param maxMetadataSize the largest info dictionary we fetch from peers with a magnet link (BEP
 *     9); a peer announcing a larger {@code metadata_size} is not asked (default 8 MiB, which
 *     holds the piece hashes of a 1 TiB torrent in 2 MiB pieces, and many files)
 * @param maxUnsentBytes the bytes we may have queued for one peer and not yet sent: a peer that
 *     leaves more than this unread (it makes us answer messages it sends but does not read the
 *     answers) is closed. At least {@link #MIN_UNSENT_BYTES}; default {@link
 *     #DEFAULT_MAX_UNSENT_BYTES}
 */
public record PeerOptions(
    int maxPeersPerTorrent,
    int maxPeersPerClient,
    int uploadSlots,
    int initialRequestQueue,
    int maxRequestQueue,
    int maxServeQueue,
    Duration blockTimeout,
    Duration connectTimeout,
    Duration handshakeTimeout,
    Duration keepAliveInterval,
    Duration idleTimeout,
    Duration chokeInterval,
    int maxPendingWrites,
    int maxConnectFailures,
    String clientName,
    int maxPendingWritesPerClient,
    int maxMetadataSize,
    int maxUnsentBytes) {

  /** The default of {@link #maxMetadataSize()}: 8 MiB. */
  public static final int DEFAULT_MAX_METADATA_SIZE = 8 << 20;

  /**
   * The least {@link #maxUnsentBytes()}, 3 MiB: what an honest peer that reads more slowly than we
   * serve may have queued. We stop serving it once 1 MiB waits for its socket (the high-water mark
   * of the send buffer), and the block reads already started then add at most 1 MiB and one
   * block; the rest is room for control messages (haves above all).
   */
  public static final int MIN_UNSENT_BYTES = 3 << 20;

  /** The default of {@link #maxUnsentBytes()}: 4 MiB. */
  public static final int DEFAULT_MAX_UNSENT_BYTES = 4 << 20;

  /** Options with the default {@link #maxUnsentBytes()}. */
  public PeerOptions(
      int maxPeersPerTorrent,
      int maxPeersPerClient,
      int uploadSlots,
      int initialRequestQueue,
      int maxRequestQueue,
      int maxServeQueue,
      Duration blockTimeout,
      Duration connectTimeout,
      Duration handshakeTimeout,
      Duration keepAliveInterval,
      Duration idleTimeout,
      Duration chokeInterval,
      int maxPendingWrites,
      int maxConnectFailures,
      String clientName,
      int maxPendingWritesPerClient,
      int maxMetadataSize) {
    this(maxPeersPerTorrent, maxPeersPerClient, uploadSlots, initialRequestQueue,
        maxRequestQueue, maxServeQueue, blockTimeout, connectTimeout, handshakeTimeout,
        keepAliveInterval, idleTimeout, chokeInterval, maxPendingWrites, maxConnectFailures,
        clientName, maxPendingWritesPerClient, maxMetadataSize, DEFAULT_MAX_UNSENT_BYTES);
  }

  /** Options with the default {@link #maxMetadataSize()} and {@link #maxUnsentBytes()}. */
  public PeerOptions(
      int maxPeersPerTorrent,
      int maxPeersPerClient,
      int uploadSlots,
      int initialRequestQueue,
      int maxRequestQueue,
      int maxServeQueue,
      Duration blockTimeout,
      Duration connectTimeout,
      Duration handshakeTimeout,
      Duration keepAliveInterval,
      Duration idleTimeout,
      Duration chokeInterval,
      int maxPendingWrites,
      int maxConnectFailures,
      String clientName,
      int maxPendingWritesPerClient) {
    this(maxPeersPerTorrent, maxPeersPerClient, uploadSlots, initialRequestQueue,
        maxRequestQueue, maxServeQueue, blockTimeout, connectTimeout, handshakeTimeout,
        keepAliveInterval, idleTimeout, chokeInterval, maxPendingWrites, maxConnectFailures,
        clientName, maxPendingWritesPerClient, DEFAULT_MAX_METADATA_SIZE);
  }

  public PeerOptions {
    checkArgument(maxPeersPerTorrent > 0, "maxPeersPerTorrent: %s (expected: > 0)",
        maxPeersPerTorrent);
    checkArgument(maxPeersPerClient > 0, "maxPeersPerClient: %s (expected: > 0)",
        maxPeersPerClient);
    checkArgument(uploadSlots > 0, "uploadSlots: %s (expected: > 0)", uploadSlots);
    checkArgument(initialRequestQueue > 0 && initialRequestQueue <= maxRequestQueue,
        "initialRequestQueue: %s (expected: 1..maxRequestQueue %s)", initialRequestQueue,
        maxRequestQueue);
    checkArgument(maxServeQueue > 0, "maxServeQueue: %s (expected: > 0)", maxServeQueue);
    positive(blockTimeout, "blockTimeout");
    positive(connectTimeout, "connectTimeout");
    positive(handshakeTimeout, "handshakeTimeout");
    positive(keepAliveInterval, "keepAliveInterval");
    positive(idleTimeout, "idleTimeout");
    positive(chokeInterval, "chokeInterval");
    checkArgument(maxPendingWrites > 1, "maxPendingWrites: %s (expected: > 1)", maxPendingWrites);
    checkArgument(maxConnectFailures > 0, "maxConnectFailures: %s (expected: > 0)",
        maxConnectFailures);
    checkNotNull(clientName, "clientName");
    checkArgument(maxPendingWritesPerClient > 1, "maxPendingWritesPerClient: %s (expected: > 1)",
        maxPendingWritesPerClient);
    checkArgument(maxMetadataSize > 0, "maxMetadataSize: %s (expected: > 0)", maxMetadataSize);
    checkArgument(maxUnsentBytes >= MIN_UNSENT_BYTES, "maxUnsentBytes: %s (expected: >= %s)",
        maxUnsentBytes, MIN_UNSENT_BYTES);
  }

  private static void positive(Duration d, String name) {
    checkNotNull(d, name);
    checkArgument(!d.isNegative() && !d.isZero(), "%s: %s (expected: > 0)", name, d);
  }

  public static PeerOptions defaults() {
    return new PeerOptions(
        50,
        200,
        4,
        32,
        500,
        500,
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        Duration.ofSeconds(20),
        Duration.ofSeconds(90),
        Duration.ofSeconds(240),
        Duration.ofSeconds(10),
        256,
        5,
        "FuncTorrent 0.1",
        4096);
  }

  public PeerOptions withBlockTimeout(Duration timeout) {
    return new PeerOptions(maxPeersPerTorrent, maxPeersPerClient, uploadSlots,
        initialRequestQueue, maxRequestQueue, maxServeQueue, timeout, connectTimeout,
        handshakeTimeout, keepAliveInterval, idleTimeout, chokeInterval, maxPendingWrites,
        maxConnectFailures, clientName, maxPendingWritesPerClient, maxMetadataSize, maxUnsentBytes);
  }

  public PeerOptions withUploadSlots(int slots) {
    return new PeerOptions(maxPeersPerTorrent, maxPeersPerClient, slots,
        initialRequestQueue, maxRequestQueue, maxServeQueue, blockTimeout, connectTimeout,
        handshakeTimeout, keepAliveInterval, idleTimeout, chokeInterval, maxPendingWrites,
        maxConnectFailures, clientName, maxPendingWritesPerClient, maxMetadataSize, maxUnsentBytes);
  }

  public PeerOptions withRequestQueue(int initial, int max) {
    return new PeerOptions(maxPeersPerTorrent, maxPeersPerClient, uploadSlots,
        initial, max, maxServeQueue, blockTimeout, connectTimeout,
        handshakeTimeout, keepAliveInterval, idleTimeout, chokeInterval, maxPendingWrites,
        maxConnectFailures, clientName, maxPendingWritesPerClient, maxMetadataSize, maxUnsentBytes);
  }

  public PeerOptions withChokeInterval(Duration interval) {
    return new PeerOptions(maxPeersPerTorrent, maxPeersPerClient, uploadSlots,
        initialRequestQueue, maxRequestQueue, maxServeQueue, blockTimeout, connectTimeout,
        handshakeTimeout, keepAliveInterval, idleTimeout, interval, maxPendingWrites,
        maxConnectFailures, clientName, maxPendingWritesPerClient, maxMetadataSize, maxUnsentBytes);
  }

  public PeerOptions withMaxPendingWrites(int max) {
    return new PeerOptions(maxPeersPerTorrent, maxPeersPerClient, uploadSlots,
        initialRequestQueue, maxRequestQueue, maxServeQueue, blockTimeout, connectTimeout,
        handshakeTimeout, keepAliveInterval, idleTimeout, chokeInterval, max,
        maxConnectFailures, clientName, maxPendingWritesPerClient, maxMetadataSize, maxUnsentBytes);
  }

  public PeerOptions withMaxPendingWritesPerClient(int max) {
    return new PeerOptions(maxPeersPerTorrent, maxPeersPerClient, uploadSlots,
        initialRequestQueue, maxRequestQueue, maxServeQueue, blockTimeout, connectTimeout,
        handshakeTimeout, keepAliveInterval, idleTimeout, chokeInterval, maxPendingWrites,
        maxConnectFailures, clientName, max, maxMetadataSize, maxUnsentBytes);
  }

  public PeerOptions withMaxMetadataSize(int max) {
    return new PeerOptions(maxPeersPerTorrent, maxPeersPerClient, uploadSlots,
        initialRequestQueue, maxRequestQueue, maxServeQueue, blockTimeout, connectTimeout,
        handshakeTimeout, keepAliveInterval, idleTimeout, chokeInterval, maxPendingWrites,
        maxConnectFailures, clientName, maxPendingWritesPerClient, max, maxUnsentBytes);
  }

  public PeerOptions withHandshakeTimeout(Duration timeout) {
    return new PeerOptions(maxPeersPerTorrent, maxPeersPerClient, uploadSlots,
        initialRequestQueue, maxRequestQueue, maxServeQueue, blockTimeout, connectTimeout,
        timeout, keepAliveInterval, idleTimeout, chokeInterval, maxPendingWrites,
        maxConnectFailures, clientName, maxPendingWritesPerClient, maxMetadataSize,
        maxUnsentBytes);
  }

  public PeerOptions withIdleTimeout(Duration timeout) {
    return new PeerOptions(maxPeersPerTorrent, maxPeersPerClient, uploadSlots,
        initialRequestQueue, maxRequestQueue, maxServeQueue, blockTimeout, connectTimeout,
        handshakeTimeout, keepAliveInterval, timeout, chokeInterval, maxPendingWrites,
        maxConnectFailures, clientName, maxPendingWritesPerClient, maxMetadataSize,
        maxUnsentBytes);
  }

  public PeerOptions withMaxServeQueue(int max) {
    return new PeerOptions(maxPeersPerTorrent, maxPeersPerClient, uploadSlots,
        initialRequestQueue, maxRequestQueue, max, blockTimeout, connectTimeout,
        handshakeTimeout, keepAliveInterval, idleTimeout, chokeInterval, maxPendingWrites,
        maxConnectFailures, clientName, maxPendingWritesPerClient, maxMetadataSize,
        maxUnsentBytes);
  }

  public PeerOptions withMaxUnsentBytes(int max) {
    return new PeerOptions(maxPeersPerTorrent, maxPeersPerClient, uploadSlots,
        initialRequestQueue, maxRequestQueue, maxServeQueue, blockTimeout, connectTimeout,
        handshakeTimeout, keepAliveInterval, idleTimeout, chokeInterval, maxPendingWrites,
        maxConnectFailures, clientName, maxPendingWritesPerClient, maxMetadataSize, max);
  }
}
