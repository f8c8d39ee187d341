package org.functorrent.tracker;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import com.google.common.collect.ImmutableMap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.tracker.internal.HttpTrackerClient;
import org.functorrent.tracker.internal.UdpTrackerClient;

/**
 * Announces to and scrapes trackers: {@code http://} and {@code https://} (BEP 3, 7, 23, 48) and
 * {@code udp://} (BEP 15), chosen by the URL's scheme. Results are futures that complete on an
 * event loop of the caller's group; a failure is always a {@link TrackerException} whose {@link
 * TrackerException#reason() reason} says what went wrong.
 *
 * <pre>{@code
 * TrackerClient client = TrackerClient.builder(group).build();
 * client.announce(URI.create("udp://127.0.0.1:6969"), request).thenAccept(r -> ...);
 * client.close();
 * }</pre>
 *
 * <p>The client opens NIO channels unless its builder is given the channel types of the group's
 * transport: {@link Builder#channelTypes}.
 */
public final class TrackerClient implements AutoCloseable {
  private final HttpTrackerClient http;
  private final UdpTrackerClient udp;
  private final EventLoopGroup group;

  private TrackerClient(Builder b) {
    this.group = b.group;
    this.http =
        new HttpTrackerClient(
            b.group,
            b.socketChannelType,
            b.httpTimeout,
            b.maxRedirects,
            b.maxResponseBytes,
            b.userAgent,
            b.sslContext);
    this.udp =
        new UdpTrackerClient(
            b.group,
            b.datagramChannelType,
            b.udpLocalAddress,
            b.udpRetransmitBase,
            b.udpMaxRetransmits,
            b.ticker);
  }

  /** A builder of a client that runs on {@code group}, which the caller owns and shuts down. */
  public static Builder builder(EventLoopGroup group) {
    return new Builder(group);
  }

  /** The event loop group this client runs on. */
  public EventLoopGroup group() {
    return group;
  }

  /** Announces {@code request} to {@code tracker}. */
  public CompletableFuture<AnnounceResponse> announce(URI tracker, AnnounceRequest request) {
    requireNonNull(request, "request");
    return switch (scheme(tracker)) {
      case "http", "https" -> http.announce(tracker, request);
      case "udp" -> udp.announce(tracker, request);
      default -> unsupported(tracker);
    };
  }

  /**
   * Scrapes {@code tracker} (given by its announce URL) for {@code infoHashes}: at most 74 over
   * UDP; over HTTP the announce URL's last path segment must start with {@code announce}.
   */
  public CompletableFuture<ImmutableMap<InfoHash, ScrapeStats>> scrape(
      URI tracker, List<InfoHash> infoHashes) {
    requireNonNull(infoHashes, "infoHashes");
    return switch (scheme(tracker)) {
      case "http", "https" -> http.scrape(tracker, infoHashes);
      case "udp" -> udp.scrape(tracker, infoHashes);
      default -> unsupported(tracker);
    };
  }

  /** Whether this client can talk to {@code tracker}: an http, https or udp URL. */
  public static boolean supports(URI tracker) {
    return switch (scheme(tracker)) {
      case "http", "https", "udp" -> true;
      default -> false;
    };
  }

  /** Closes the UDP socket; pending UDP requests fail. Idempotent, does not wait. */
  @Override
  public void close() {
    udp.close();
  }

  /** As {@link #close()}, completing when the UDP socket is closed. */
  public CompletableFuture<Void> closeAsync() {
    return udp.close();
  }

  private static String scheme(URI tracker) {
    requireNonNull(tracker, "tracker");
    return tracker.getScheme() == null ? "" : tracker.getScheme().toLowerCase(Locale.ROOT);
  }

  private static <T> CompletableFuture<T> unsupported(URI tracker) {
    return CompletableFuture.failedFuture(
        new TrackerException(
            tracker.toString(), "unsupported tracker URL (expected: http, https or udp)"));
  }

  /** Settings of a {@link TrackerClient}; every setter returns this builder. */
  public static final class Builder {
    private final EventLoopGroup group;
    private Duration httpTimeout = Duration.ofSeconds(30);
    private int maxRedirects = 5;
    private int maxResponseBytes = 1 << 20;
    private String userAgent = "FuncTorrent/0.1";
    private InetSocketAddress udpLocalAddress = new InetSocketAddress(0);
    private Duration udpRetransmitBase = Duration.ofSeconds(15);
    private int udpMaxRetransmits = 8;
    private Ticker ticker = Ticker.systemTicker();
    private SslContext sslContext;
    private Class<? extends SocketChannel> socketChannelType = NioSocketChannel.class;
    private Class<? extends DatagramChannel> datagramChannelType = NioDatagramChannel.class;

    private Builder(EventLoopGroup group) {
      this.group = requireNonNull(group, "group");
    }

    /**
     * The channel types of the group's transport, for a group that is not NIO's: such as {@code
     * EpollSocketChannel.class} and {@code EpollDatagramChannel.class} for an epoll group. NIO's
     * by default.
     */
    public Builder channelTypes(
        Class<? extends SocketChannel> socketChannelType,
        Class<? extends DatagramChannel> datagramChannelType) {
      this.socketChannelType = requireNonNull(socketChannelType, "socketChannelType");
      this.datagramChannelType = requireNonNull(datagramChannelType, "datagramChannelType");
      return this;
    }

    /** The deadline of one HTTP exchange, connect included; 30 seconds by default. */
    public Builder httpTimeout(Duration timeout) {
      checkArgument(timeout.toMillis() > 0, "httpTimeout: %s (expected: > 0)", timeout);
      this.httpTimeout = timeout;
      return this;
    }

    /** How many HTTP redirects to follow; 5 by default. */
    public Builder maxRedirects(int n) {
      checkArgument(n >= 0, "maxRedirects: %s (expected: >= 0)", n);
      this.maxRedirects = n;
      return this;
    }

    /** The largest HTTP response body accepted, after decompression; 1 MiB by default. */
    public Builder maxResponseBytes(int n) {
      checkArgument(n >= 1024, "maxResponseBytes: %s (expected: >= 1024)", n);
      this.maxResponseBytes = n;
      return this;
    }

    /**
     * The TLS settings for {@code https://} trackers, a client context; by default one built on
     * first use with the JDK's trusted certificates.
     */
    public Builder sslContext(SslContext sslContext) {
      requireNonNull(sslContext, "sslContext");
      checkArgument(sslContext.isClient(), "sslContext: a server context (expected: a client one)");
      this.sslContext = sslContext;
      return this;
    }

    /** The HTTP {@code User-Agent}. */
    public Builder userAgent(String userAgent) {
      checkArgument(!userAgent.isBlank(), "userAgent: \"%s\" (expected: not blank)", userAgent);
      this.userAgent = userAgent;
      return this;
    }

    /** The local address of the UDP socket; the wildcard address, any port, by default. */
    public Builder udpLocalAddress(InetSocketAddress address) {
      this.udpLocalAddress = requireNonNull(address, "address");
      return this;
    }

    /**
     * The first UDP retransmission timeout; the n-th waits {@code base * 2^n} (BEP 15: 15 s, the
     * default). Tests use milliseconds.
     */
    public Builder udpRetransmitBase(Duration base) {
      checkArgument(base.toMillis() > 0, "udpRetransmitBase: %s (expected: > 0)", base);
      this.udpRetransmitBase = base;
      return this;
    }

    /** How many times a UDP request is sent again before it fails; 8 by default (BEP 15). */
    public Builder udpMaxRetransmits(int n) {
      checkArgument(n >= 0 && n <= 16, "udpMaxRetransmits: %s (expected: 0 to 16)", n);
      this.udpMaxRetransmits = n;
      return this;
    }

    /** The clock of UDP connection-id lifetimes; the system ticker by default. */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    public TrackerClient build() {
      return new TrackerClient(this);
    }
  }
}
