package org.functorrent.tracker.internal;

import com.google.common.collect.ImmutableMap;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.tracker.AnnounceRequest;
import org.functorrent.tracker.AnnounceResponse;
import org.functorrent.tracker.ScrapeStats;
import org.functorrent.tracker.TrackerException;
import org.functorrent.tracker.internal.HttpTrackerCodec.MalformedResponseException;
import org.functorrent.tracker.internal.HttpTrackerCodec.TrackerFailureException;

/**
 * HTTP(S) announce and scrape on Netty: one connection per request, redirects followed a bounded
 * number of times, gzip and deflate accepted, the (decompressed) body bounded, one deadline for the
 * whole exchange.
 */
public final class HttpTrackerClient {
  private final EventLoopGroup group;
  private final Class<? extends SocketChannel> channelType;
  private final Duration timeout;
  private final int maxRedirects;
  private final int maxResponseBytes;
  private final String userAgent;
  private SslContext sslContext;

  public HttpTrackerClient(
      EventLoopGroup group,
      Class<? extends SocketChannel> channelType,
      Duration timeout,
      int maxRedirects,
      int maxResponseBytes,
      String userAgent,
      SslContext sslContext) {
    this.sslContext = sslContext;
    this.group = group;
    this.channelType = channelType;
    this.timeout = timeout;
    this.maxRedirects = maxRedirects;
    this.maxResponseBytes = maxResponseBytes;
    this.userAgent = userAgent;
  }

  public CompletableFuture<AnnounceResponse> announce(URI tracker, AnnounceRequest request) {
    return get(HttpTrackerCodec.announceUri(tracker, request), tracker)
        .thenApply(
            body -> {
              try {
                return HttpTrackerCodec.parseAnnounce(body);
              } catch (TrackerFailureException e) {
                throw new CompletionException(
                    new TrackerException(tracker.toString(), "failure reason: " + e.getMessage()));
              } catch (MalformedResponseException e) {
                throw new CompletionException(
                    new TrackerException(
                        tracker.toString(), "malformed response: " + e.getMessage()));
              }
            });
  }

  public CompletableFuture<ImmutableMap<InfoHash, ScrapeStats>> scrape(
      URI tracker, List<InfoHash> infoHashes) {
    URI scrape = HttpTrackerCodec.scrapeUri(tracker, infoHashes).orElse(null);
    if (scrape == null) {
      return CompletableFuture.failedFuture(
          new TrackerException(
              tracker.toString(),
              "scrape not supported (expected: a last path segment starting with \"announce\")"));
    }
    return get(scrape, tracker)
        .thenApply(
            body -> {
              try {
                return HttpTrackerCodec.parseScrape(body);
              } catch (TrackerFailureException e) {
                throw new CompletionException(
                    new TrackerException(tracker.toString(), "failure reason: " + e.getMessage()));
              } catch (MalformedResponseException e) {
                throw new CompletionException(
                    new TrackerException(
                        tracker.toString(), "malformed scrape response: " + e.getMessage()));
              }
            });
  }

  /** The body of a 200 response to GET {@code uri}, after redirects. */
  CompletableFuture<byte[]> get(URI uri, URI tracker) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    fetch(uri, maxRedirects, tracker.toString(), result);
    return result;
  }

  private void fetch(URI uri, int redirectsLeft, String tracker, CompletableFuture<byte[]> result) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean https = scheme.equals("https");
    if (!https && !scheme.equals("http")) {
      result.completeExceptionally(
          new TrackerException(tracker, "unsupported URL " + uri + " (expected: http or https)"));
      return;
    }
    String host = uri.getHost();
    if (host == null) {
      result.completeExceptionally(new TrackerException(tracker, "no host in URL " + uri));
      return;
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : (https ? 443 : 80);
    SslContext ssl;
    try {
      ssl = https ? sslContext() : null;
    } catch (SSLException e) {
      result.completeExceptionally(new TrackerException(tracker, "TLS unavailable: " + e, e));
      return;
    }
    Resolver.resolve(host, port)
        .whenComplete(
            (address, error) -> {
              if (error != null) {
                result.completeExceptionally(
                    new TrackerException(tracker, "unreachable: " + rootMessage(error), error));
              } else {
                connect(uri, address, ssl, redirectsLeft, tracker, result);
              }
            });
  }

  private void connect(
      URI uri,
      InetSocketAddress address,
      SslContext ssl,
      int redirectsLeft,
      String tracker,
      CompletableFuture<byte[]> result) {
    String host = uri.getHost();
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(channelType)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), 1 << 30))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (ssl != null) {
                      p.addLast(ssl.newHandler(ch.alloc(), host, address.getPort()));
                    }
                    addResponseHandlers(p, uri, redirectsLeft, tracker, result);
                  }
                });
    ChannelFuture cf = b.connect(address);
    Channel channel = cf.channel();
    ScheduledFuture<?> deadline =
        channel
            .eventLoop()
            .schedule(
                () -> {
                  if (result.completeExceptionally(
                      new TrackerException(
                          tracker, "timeout after " + timeout.toMillis() + " ms"))) {
                    channel.close();
                  }
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    result.whenComplete((body, error) -> deadline.cancel(false));
    cf.addListener(
        f -> {
          if (!f.isSuccess()) {
            Throwable cause = f.cause();
            String what =
                cause instanceof ConnectException
                    ? "unreachable: " + rootMessage(cause)
                    : "connection failed: " + rootMessage(cause);
            result.completeExceptionally(new TrackerException(tracker, what, cause));
            return;
          }
          FullHttpRequest request =
              new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, pathAndQuery(uri));
          boolean defaultPort =
              uri.getPort() < 0
                  || (ssl == null && uri.getPort() == 80)
                  || (ssl != null && uri.getPort() == 443);
          String hostHeader = defaultPort ? host : host + ":" + uri.getPort();
          request
              .headers()
              .set(HttpHeaderNames.HOST, hostHeader)
              .set(HttpHeaderNames.USER_AGENT, userAgent)
              .set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.GZIP_DEFLATE)
              .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          channel.writeAndFlush(request);
        });
  }

  /**
   * Adds the handlers that send the request and read one response to {@code uri} into {@code
   * result}: everything but TLS. The fuzz tests run this same pipeline on an embedded channel.
   */
  void addResponseHandlers(
      ChannelPipeline p,
      URI uri,
      int redirectsLeft,
      String tracker,
      CompletableFuture<byte[]> result) {
    p.addLast(new HttpClientCodec());
    p.addLast(new HttpContentDecompressor(maxResponseBytes));
    p.addLast(new HttpObjectAggregator(maxResponseBytes));
    p.addLast(new ResponseHandler(uri, redirectsLeft, tracker, result));
  }

  private static String pathAndQuery(URI uri) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }

  private synchronized SslContext sslContext() throws SSLException {
    if (sslContext == null) {
      sslContext = SslContextBuilder.forClient().build();
    }
    return sslContext;
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c.getMessage() == null) && c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  private final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final URI uri;
    private final int redirectsLeft;
    private final String tracker;
    private final CompletableFuture<byte[]> result;
    private boolean responded;

    ResponseHandler(URI uri, int redirectsLeft, String tracker, CompletableFuture<byte[]> result) {
      this.uri = uri;
      this.redirectsLeft = redirectsLeft;
      this.tracker = tracker;
      this.result = result;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      responded = true;
      ctx.close();
      if (response.decoderResult().isFailure()) {
        result.completeExceptionally(
            new TrackerException(
                tracker,
                "malformed HTTP response: " + rootMessage(response.decoderResult().cause())));
        return;
      }
      int code = response.status().code();
      byte[] body = ByteBufUtil.getBytes(response.content());
      if (isRedirect(code)) {
        String location = response.headers().get(HttpHeaderNames.LOCATION);
        if (location == null) {
          result.completeExceptionally(
              new TrackerException(tracker, "HTTP " + code + " redirect without a Location"));
        } else if (redirectsLeft <= 0) {
          result.completeExceptionally(
              new TrackerException(
                  tracker, "too many redirects (expected: at most " + maxRedirects + ")"));
        } else {
          URI next;
          try {
            next = uri.resolve(location.trim());
          } catch (IllegalArgumentException e) {
            result.completeExceptionally(
                new TrackerException(tracker, "bad redirect Location \"" + location + "\""));
            return;
          }
          if (!result.isDone()) {
            fetch(next, redirectsLeft - 1, tracker, result);
          }
        }
        return;
      }
      if (code != 200) {
        // Some trackers send a bencoded failure reason with an error status.
        String reason = "HTTP " + response.status();
        try {
          HttpTrackerCodec.parseAnnounce(body);
        } catch (TrackerFailureException e) {
          reason = "failure reason: " + e.getMessage() + " (HTTP " + code + ")";
        } catch (MalformedResponseException | RuntimeException e) {
          // Not bencode: keep the status line.
        }
        result.completeExceptionally(new TrackerException(tracker, reason));
        return;
      }
      result.complete(body);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!responded) {
        result.completeExceptionally(
            new TrackerException(tracker, "connection closed before a complete response"));
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      String what;
      responded = true;
      if (cause instanceof TooLongHttpContentException
          || cause instanceof DecompressionException
          || cause.getCause() instanceof DecompressionException) {
        what = "response larger than " + maxResponseBytes + " bytes";
      } else if (cause instanceof javax.net.ssl.SSLException
          || cause.getCause() instanceof javax.net.ssl.SSLException) {
        what = "TLS failed: " + rootMessage(cause);
      } else if (cause instanceof TooLongFrameException) {
        what = "response header too long: " + rootMessage(cause);
      } else {
        what = "malformed HTTP response: " + rootMessage(cause);
      }
      result.completeExceptionally(new TrackerException(tracker, what, cause));
      ctx.close();
    }
  }

  private static boolean isRedirect(int code) {
    return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
  }
}
