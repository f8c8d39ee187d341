package org.functorrent.dht;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The configuration of a {@link DhtNode}. Immutable; change it with the {@code with...} methods or
 * {@link #toBuilder()}.
 *
 * <p><b>{@link #defaults()} names no bootstrap node.</b> A node made from it sends nothing until it
 * is given nodes (in {@link #withBootstrapNodes}, through {@link DhtNode#addNode} or from its
 * {@linkplain #stateFile() state file}). An application that wants to join the public mainline DHT
 * opts in explicitly:
 *
 * <pre>{@code
 * DhtOptions.defaults().withBootstrapNodes(DhtOptions.publicBootstrapNodes())
 * }</pre>
 *
 * Tests, examples and benchmarks of this project never do that: they bootstrap from loopback
 * nodes only.
 */
public final class DhtOptions {
  /** The well-known port of the mainline DHT. */
  public static final int DEFAULT_PORT = 6881;

  private static final DhtOptions DEFAULTS = new Builder().build();

  private final boolean enabled;
  private final InetSocketAddress bindAddress;
  private final ImmutableList<InetSocketAddress> bootstrapNodes;
  private final Path stateFile; // null: none
  private final Duration queryTimeout;
  private final int alpha;
  private final int maxNodesPerIp;
  private final int maxStoredInfoHashes;
  private final int maxPeersPerInfoHash;
  private final Duration peerTtl;
  private final Duration maintenanceInterval;
  private final Predicate<InetSocketAddress> addressFilter;

  private DhtOptions(Builder b) {
    this.enabled = b.enabled;
    this.bindAddress = b.bindAddress;
    this.bootstrapNodes = ImmutableList.copyOf(b.bootstrapNodes);
    this.stateFile = b.stateFile;
    this.queryTimeout = b.queryTimeout;
    this.alpha = b.alpha;
    this.maxNodesPerIp = b.maxNodesPerIp;
    this.maxStoredInfoHashes = b.maxStoredInfoHashes;
    this.maxPeersPerInfoHash = b.maxPeersPerInfoHash;
    this.peerTtl = b.peerTtl;
    this.maintenanceInterval = b.maintenanceInterval;
    this.addressFilter = b.addressFilter;
  }

  /**
   * Enabled, bound to {@code 0.0.0.0:6881}, <b>no bootstrap nodes</b>, no state file, 4 queries in
   * flight per lookup, 5 s per query, one routing-table node per IP address.
   */
  public static DhtOptions defaults() {
    return DEFAULTS;
  }

  /** A configuration that turns the DHT off: {@link DhtNode#start()} binds no socket. */
  public static DhtOptions disabled() {
    return DEFAULTS.toBuilder().enabled(false).build();
  }

  /**
   * The public routers of the mainline DHT ({@code router.bittorrent.com:6881}, {@code
   * dht.transmissionbt.com:6881}, {@code router.utorrent.com:6881}), unresolved. Only for
   * applications that mean to join the public DHT: a node given them sends packets to the
   * internet.
   */
  public static ImmutableList<InetSocketAddress> publicBootstrapNodes() {
    return ImmutableList.of(
        InetSocketAddress.createUnresolved("router.bittorrent.com", 6881),
        InetSocketAddress.createUnresolved("dht.transmissionbt.com", 6881),
        InetSocketAddress.createUnresolved("router.utorrent.com", 6881));
  }

  /** Parses {@code host:port} (a bracketed IPv6 literal as host is accepted) into an unresolved
   * address. */
  public static InetSocketAddress parseHostPort(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    checkArgument(colon > 0 && colon < hostPort.length() - 1,
        "node \"%s\" (expected: HOST:PORT)", hostPort);
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("node \"" + hostPort + "\" (expected: HOST:PORT)", e);
    }
    checkArgument(port > 0 && port < 65536, "node \"%s\": port %s (expected: 1..65535)",
        hostPort, port);
    return InetSocketAddress.createUnresolved(host, port);
  }

  /** Whether the node runs at all. */
  public boolean enabled() {
    return enabled;
  }

  /** The UDP address the node binds; port 0 picks a free one. */
  public InetSocketAddress bindAddress() {
    return bindAddress;
  }

  /** The nodes asked first when the routing table is empty; may be empty, may be unresolved. */
  public ImmutableList<InetSocketAddress> bootstrapNodes() {
    return bootstrapNodes;
  }

  /**
   * Where the node keeps its id and some good nodes between runs: read on start, written
   * atomically on close.
   */
  public Optional<Path> stateFile() {
    return Optional.ofNullable(stateFile);
  }

  /** How long a query may go unanswered before it counts as failed. */
  public Duration queryTimeout() {
    return queryTimeout;
  }

  /** The number of queries a lookup keeps in flight. */
  public int alpha() {
    return alpha;
  }

  /** The number of routing-table nodes that may share one IP address. */
  public int maxNodesPerIp() {
    return maxNodesPerIp;
  }

  /** The number of info-hashes whose peers the node stores for others. */
  public int maxStoredInfoHashes() {
    return maxStoredInfoHashes;
  }

  /** The number of peers the node stores per info-hash. */
  public int maxPeersPerInfoHash() {
    return maxPeersPerInfoHash;
  }

  /** How long a stored peer lives without a new announce. */
  public Duration peerTtl() {
    return peerTtl;
  }

  /**
   * How often the node looks after itself: refreshes buckets unchanged for 15 minutes, pings
   * questionable nodes, saves nothing (the state file is written on close only).
   */
  public Duration maintenanceInterval() {
    return maintenanceInterval;
  }

  /**
   * Which addresses the node may send to; others are neither queried nor answered. Every address
   * by default; {@link #loopbackOnly()} restricts it to 127.0.0.0/8 and ::1.
   */
  public Predicate<InetSocketAddress> addressFilter() {
    return addressFilter;
  }

  public DhtOptions withEnabled(boolean enabled) {
    return toBuilder().enabled(enabled).build();
  }

  public DhtOptions withBindAddress(InetSocketAddress bindAddress) {
    return toBuilder().bindAddress(bindAddress).build();
  }

  public DhtOptions withBootstrapNodes(List<InetSocketAddress> nodes) {
    return toBuilder().bootstrapNodes(nodes).build();
  }

  public DhtOptions withStateFile(Path stateFile) {
    return toBuilder().stateFile(stateFile).build();
  }

  public DhtOptions withMaxNodesPerIp(int max) {
    return toBuilder().maxNodesPerIp(max).build();
  }

  public DhtOptions withQueryTimeout(Duration timeout) {
    return toBuilder().queryTimeout(timeout).build();
  }

  /** These options with an {@link #addressFilter()} that lets only loopback addresses through. */
  public DhtOptions loopbackOnly() {
    return toBuilder().addressFilter(DhtOptions::isLoopback).build();
  }

  private static boolean isLoopback(InetSocketAddress a) {
    InetAddress ip = a.getAddress();
    return ip != null && ip.isLoopbackAddress();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String toString() {
    return "DhtOptions{enabled=" + enabled + ", bind=" + bindAddress + ", bootstrap="
        + bootstrapNodes + ", stateFile=" + stateFile + ", alpha=" + alpha + ", queryTimeout="
        + queryTimeout + ", maxNodesPerIp=" + maxNodesPerIp + "}";
  }

  /** Builds {@link DhtOptions}; starts from {@link #defaults()}. */
  public static final class Builder {
    private boolean enabled = true;
    private InetSocketAddress bindAddress = new InetSocketAddress(DEFAULT_PORT);
    private List<InetSocketAddress> bootstrapNodes = ImmutableList.of();
    private Path stateFile;
    private Duration queryTimeout = Duration.ofSeconds(5);
    private int alpha = 4;
    private int maxNodesPerIp = 1;
    private int maxStoredInfoHashes = 2000;
    private int maxPeersPerInfoHash = 200;
    private Duration peerTtl = Duration.ofMinutes(30);
    private Duration maintenanceInterval = Duration.ofMinutes(1);
    private Predicate<InetSocketAddress> addressFilter = a -> true;

    private Builder() {}

    private Builder(DhtOptions o) {
      enabled = o.enabled;
      bindAddress = o.bindAddress;
      bootstrapNodes = o.bootstrapNodes;
      stateFile = o.stateFile;
      queryTimeout = o.queryTimeout;
      alpha = o.alpha;
      maxNodesPerIp = o.maxNodesPerIp;
      maxStoredInfoHashes = o.maxStoredInfoHashes;
      maxPeersPerInfoHash = o.maxPeersPerInfoHash;
      peerTtl = o.peerTtl;
      maintenanceInterval = o.maintenanceInterval;
      addressFilter = o.addressFilter;
    }

    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public Builder bindAddress(InetSocketAddress bindAddress) {
      checkNotNull(bindAddress, "bindAddress");
      checkArgument(!bindAddress.isUnresolved(), "bindAddress %s (expected: an IP address)",
          bindAddress);
      this.bindAddress = bindAddress;
      return this;
    }

    /** The bootstrap nodes, resolved or not ({@link #parseHostPort} makes unresolved ones). */
    public Builder bootstrapNodes(List<InetSocketAddress> nodes) {
      this.bootstrapNodes = ImmutableList.copyOf(nodes);
      return this;
    }

    /** The state file, or null for none. */
    public Builder stateFile(Path stateFile) {
      this.stateFile = stateFile;
      return this;
    }

    public Builder queryTimeout(Duration timeout) {
      checkArgument(!timeout.isNegative() && !timeout.isZero(),
          "queryTimeout: %s (expected: > 0)", timeout);
      this.queryTimeout = timeout;
      return this;
    }

    public Builder alpha(int alpha) {
      checkArgument(alpha >= 1 && alpha <= 16, "alpha: %s (expected: 1..16)", alpha);
      this.alpha = alpha;
      return this;
    }

    public Builder maxNodesPerIp(int max) {
      checkArgument(max >= 1, "maxNodesPerIp: %s (expected: >= 1)", max);
      this.maxNodesPerIp = max;
      return this;
    }

    public Builder maxStoredInfoHashes(int max) {
      checkArgument(max >= 1, "maxStoredInfoHashes: %s (expected: >= 1)", max);
      this.maxStoredInfoHashes = max;
      return this;
    }

    public Builder maxPeersPerInfoHash(int max) {
      checkArgument(max >= 1, "maxPeersPerInfoHash: %s (expected: >= 1)", max);
      this.maxPeersPerInfoHash = max;
      return this;
    }

    public Builder peerTtl(Duration ttl) {
      checkArgument(!ttl.isNegative() && !ttl.isZero(), "peerTtl: %s (expected: > 0)", ttl);
      this.peerTtl = ttl;
      return this;
    }

    public Builder maintenanceInterval(Duration interval) {
      checkArgument(!interval.isNegative() && !interval.isZero(),
          "maintenanceInterval: %s (expected: > 0)", interval);
      this.maintenanceInterval = interval;
      return this;
    }

    public Builder addressFilter(Predicate<InetSocketAddress> filter) {
      this.addressFilter = checkNotNull(filter, "addressFilter");
      return this;
    }

    public DhtOptions build() {
      return new DhtOptions(this);
    }
  }
}
