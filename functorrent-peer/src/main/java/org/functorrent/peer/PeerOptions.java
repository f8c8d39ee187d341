package org.functorrent.peer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;

/**
 * Tunables of the peer side, an immutable value. {@link #defaults()} suits the open internet;
 * {@link #builder()} starts from the defaults and {@link #toBuilder()} from other options, and
 * each {@code withX} method changes one option:
 *
 * <pre>{@code
 * PeerOptions options = PeerOptions.builder()
 *     .maxPeersPerTorrent(80)
 *     .blockTimeout(Duration.ofSeconds(10))
 *     .build();
 * PeerOptions patient = options.withHandshakeTimeout(Duration.ofSeconds(40));
 * }</pre>
 *
 * <p>{@link Builder#build()} checks every option; its messages name the option and the range
 * expected.
 *
 * @param maxPeersPerTorrent connections per torrent
 * @param maxPeersPerClient connections of all torrents of a client together
 * @param uploadSlots unchoked peers per torrent, the optimistic slot included
 * @param initialRequestQueue outstanding block requests per peer at first
 * @param maxRequestQueue outstanding block requests per peer at most (the peer's reqq also caps
 *     it)
 * @param maxServeQueue requests we queue from one peer; we announce it as our reqq
 * @param blockTimeout a peer that delivers nothing for this long while it has our requests is
 *     stalled: its requests go to other peers. A peer that choked us gets half of it, 5 s at
 *     most, to answer the requests it kept (BEP 6 lets a fast peer keep them)
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

  /**
   * Checks every option; {@link Builder#build()} calls this. Prefer {@link #builder()}, {@link
   * #toBuilder()} or a {@code withX} method: a record's canonical constructor cannot be hidden, and
   * eighteen positional arguments are easy to get wrong.
   *
   * @throws IllegalArgumentException an option is out of its range; the message names it and
   *     the range expected
   * @throws NullPointerException a duration or {@code clientName} is null
   */
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

  /** The options for the open internet, the values a new {@link #builder()} starts from. */
  public static PeerOptions defaults() {
    return builder().build();
  }

  /** A builder that starts from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** These options with another {@link #blockTimeout()}. */
  public PeerOptions withBlockTimeout(Duration timeout) {
    return toBuilder().blockTimeout(timeout).build();
  }

  /** These options with another {@link #uploadSlots()}. */
  public PeerOptions withUploadSlots(int slots) {
    return toBuilder().uploadSlots(slots).build();
  }

  /** These options with another {@link #initialRequestQueue()} and {@link #maxRequestQueue()}. */
  public PeerOptions withRequestQueue(int initial, int max) {
    return toBuilder().initialRequestQueue(initial).maxRequestQueue(max).build();
  }

  /** These options with another {@link #chokeInterval()}. */
  public PeerOptions withChokeInterval(Duration interval) {
    return toBuilder().chokeInterval(interval).build();
  }

  /** These options with another {@link #maxPendingWrites()}. */
  public PeerOptions withMaxPendingWrites(int max) {
    return toBuilder().maxPendingWrites(max).build();
  }

  /** These options with another {@link #maxPendingWritesPerClient()}. */
  public PeerOptions withMaxPendingWritesPerClient(int max) {
    return toBuilder().maxPendingWritesPerClient(max).build();
  }

  /** These options with another {@link #maxMetadataSize()}. */
  public PeerOptions withMaxMetadataSize(int max) {
    return toBuilder().maxMetadataSize(max).build();
  }

  /** These options with another {@link #handshakeTimeout()}. */
  public PeerOptions withHandshakeTimeout(Duration timeout) {
    return toBuilder().handshakeTimeout(timeout).build();
  }

  /** These options with another {@link #idleTimeout()}. */
  public PeerOptions withIdleTimeout(Duration timeout) {
    return toBuilder().idleTimeout(timeout).build();
  }

  /** These options with another {@link #maxServeQueue()}. */
  public PeerOptions withMaxServeQueue(int max) {
    return toBuilder().maxServeQueue(max).build();
  }

  /** These options with another {@link #maxUnsentBytes()}. */
  public PeerOptions withMaxUnsentBytes(int max) {
    return toBuilder().maxUnsentBytes(max).build();
  }

  /**
   * Collects options and makes {@link PeerOptions} of them. A new builder holds the defaults; the
   * setters check nothing, {@link #build()} checks everything. Not thread-safe; each {@code
   * build()} returns a new immutable value, and later setter calls do not change it.
   */
  public static final class Builder {
    private int maxPeersPerTorrent = 50;
    private int maxPeersPerClient = 200;
    private int uploadSlots = 4;
    private int initialRequestQueue = 32;
    private int maxRequestQueue = 500;
    private int maxServeQueue = 500;
    private Duration blockTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration handshakeTimeout = Duration.ofSeconds(20);
    private Duration keepAliveInterval = Duration.ofSeconds(90);
    private Duration idleTimeout = Duration.ofSeconds(240);
    private Duration chokeInterval = Duration.ofSeconds(10);
    private int maxPendingWrites = 256;
    private int maxConnectFailures = 5;
    private String clientName = "FuncTorrent 0.1";
    private int maxPendingWritesPerClient = 4096;
    private int maxMetadataSize = DEFAULT_MAX_METADATA_SIZE;
    private int maxUnsentBytes = DEFAULT_MAX_UNSENT_BYTES;

    private Builder() {}

    private Builder(PeerOptions o) {
      maxPeersPerTorrent = o.maxPeersPerTorrent;
      maxPeersPerClient = o.maxPeersPerClient;
      uploadSlots = o.uploadSlots;
      initialRequestQueue = o.initialRequestQueue;
      maxRequestQueue = o.maxRequestQueue;
      maxServeQueue = o.maxServeQueue;
      blockTimeout = o.blockTimeout;
      connectTimeout = o.connectTimeout;
      handshakeTimeout = o.handshakeTimeout;
      keepAliveInterval = o.keepAliveInterval;
      idleTimeout = o.idleTimeout;
      chokeInterval = o.chokeInterval;
      maxPendingWrites = o.maxPendingWrites;
      maxConnectFailures = o.maxConnectFailures;
      clientName = o.clientName;
      maxPendingWritesPerClient = o.maxPendingWritesPerClient;
      maxMetadataSize = o.maxMetadataSize;
      maxUnsentBytes = o.maxUnsentBytes;
    }

    /** Sets {@link PeerOptions#maxPeersPerTorrent()}; default 50. */
    public Builder maxPeersPerTorrent(int max) {
      maxPeersPerTorrent = max;
      return this;
    }

    /** Sets {@link PeerOptions#maxPeersPerClient()}; default 200. */
    public Builder maxPeersPerClient(int max) {
      maxPeersPerClient = max;
      return this;
    }

    /** Sets {@link PeerOptions#uploadSlots()}; default 4. */
    public Builder uploadSlots(int slots) {
      uploadSlots = slots;
      return this;
    }

    /**
     * Sets {@link PeerOptions#initialRequestQueue()}; default 32, at most {@link
     * #maxRequestQueue(int)}.
     */
    public Builder initialRequestQueue(int initial) {
      initialRequestQueue = initial;
      return this;
    }

    /** Sets {@link PeerOptions#maxRequestQueue()}; default 500. */
    public Builder maxRequestQueue(int max) {
      maxRequestQueue = max;
      return this;
    }

    /** Sets {@link PeerOptions#maxServeQueue()}; default 500. */
    public Builder maxServeQueue(int max) {
      maxServeQueue = max;
      return this;
    }

    /** Sets {@link PeerOptions#blockTimeout()}; default 30 s. */
    public Builder blockTimeout(Duration timeout) {
      blockTimeout = timeout;
      return this;
    }

    /** Sets {@link PeerOptions#connectTimeout()}; default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      connectTimeout = timeout;
      return this;
    }

    /** Sets {@link PeerOptions#handshakeTimeout()}; default 20 s. */
    public Builder handshakeTimeout(Duration timeout) {
      handshakeTimeout = timeout;
      return this;
    }

    /** Sets {@link PeerOptions#keepAliveInterval()}; default 90 s. */
    public Builder keepAliveInterval(Duration interval) {
      keepAliveInterval = interval;
      return this;
    }

    /** Sets {@link PeerOptions#idleTimeout()}; default 240 s. */
    public Builder idleTimeout(Duration timeout) {
      idleTimeout = timeout;
      return this;
    }

    /** Sets {@link PeerOptions#chokeInterval()}; default 10 s. */
    public Builder chokeInterval(Duration interval) {
      chokeInterval = interval;
      return this;
    }

    /** Sets {@link PeerOptions#maxPendingWrites()}; default 256. */
    public Builder maxPendingWrites(int max) {
      maxPendingWrites = max;
      return this;
    }

    /** Sets {@link PeerOptions#maxConnectFailures()}; default 5. */
    public Builder maxConnectFailures(int max) {
      maxConnectFailures = max;
      return this;
    }

    /** Sets {@link PeerOptions#clientName()}; default {@code "FuncTorrent 0.1"}. */
    public Builder clientName(String name) {
      clientName = name;
      return this;
    }

    /** Sets {@link PeerOptions#maxPendingWritesPerClient()}; default 4096. */
    public Builder maxPendingWritesPerClient(int max) {
      maxPendingWritesPerClient = max;
      return this;
    }

    /**
     * Sets {@link PeerOptions#maxMetadataSize()}; default {@link
     * PeerOptions#DEFAULT_MAX_METADATA_SIZE}.
     */
    public Builder maxMetadataSize(int max) {
      maxMetadataSize = max;
      return this;
    }

    /**
     * Sets {@link PeerOptions#maxUnsentBytes()}; default {@link
     * PeerOptions#DEFAULT_MAX_UNSENT_BYTES}.
     */
    public Builder maxUnsentBytes(int max) {
      maxUnsentBytes = max;
      return this;
    }

    /**
     * Checks the options and returns them as an immutable value.
     *
     * @throws IllegalArgumentException an option is out of its range; the message names it and
     *     the range expected
     * @throws NullPointerException a duration or the client name is null
     */
    public PeerOptions build() {
      return new PeerOptions(maxPeersPerTorrent, maxPeersPerClient, uploadSlots,
          initialRequestQueue, maxRequestQueue, maxServeQueue, blockTimeout, connectTimeout,
          handshakeTimeout, keepAliveInterval, idleTimeout, chokeInterval, maxPendingWrites,
          maxConnectFailures, clientName, maxPendingWritesPerClient, maxMetadataSize,
          maxUnsentBytes);
    }
  }
}
