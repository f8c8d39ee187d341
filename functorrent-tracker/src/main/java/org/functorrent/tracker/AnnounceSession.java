package org.functorrent.tracker;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.util.concurrent.MoreExecutors;
import io.netty.channel.EventLoop;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.functorrent.tracker.internal.AnnounceLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The announce loop of one torrent: {@code started} first, then a regular announce every interval
 * (never more often than the tracker's min interval), {@code completed} once after {@link
 * #completed()}, {@code stopped} on {@link #close()}, and a back-off after rounds in which every
 * tracker failed. Trackers come in tiers (BEP 12), HTTP and UDP mixed: shuffled within a tier, the
 * next one tried when one fails, one that answered moved to the front of its tier.
 *
 * <pre>{@code
 * AnnounceSession session = AnnounceSession.builder(client, meta.infoHash(), peerId)
 *     .tiers(meta.trackerTiers())
 *     .port(6881)
 *     .stats(storage::transferStats)
 *     .listener(listener)
 *     .start();
 * ...
 * session.close(); // sends stopped, waits at most the stop timeout
 * }</pre>
 */
public final class AnnounceSession implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AnnounceSession.class);

  private final AnnounceLoop loop;
  private final EventLoop eventLoop;

  private AnnounceSession(AnnounceLoop loop, EventLoop eventLoop) {
    this.loop = loop;
    this.eventLoop = eventLoop;
  }

  public static Builder builder(TrackerClient client, InfoHash infoHash, PeerId peerId) {
    return new Builder(client, infoHash, peerId);
  }

  /** The status of every tracker, in the order the tiers listed them. */
  public ImmutableMap<URI, TrackerStatus> statuses() {
    return loop.statuses();
  }

  /** The status of {@code tracker}; {@code None} for a tracker this session does not have. */
  public TrackerStatus status(URI tracker) {
    return loop.statuses().getOrDefault(tracker, TrackerStatus.NONE);
  }

  /** The download completed: {@code completed} goes out once, as soon as min interval allows. */
  public void completed() {
    loop.completed();
  }

  /** Announces at once, ignoring the trackers' intervals (a forced re-announce). */
  public void announceNow() {
    loop.announceNow();
  }

  /** Stops announcing and sends {@code stopped}; completes within the stop timeout. */
  public CompletableFuture<Void> closeAsync() {
    return loop.close();
  }

  /**
   * As {@link #closeAsync()}, waiting for it (bounded by the stop timeout) unless called on the
   * session's event loop, where it does not wait.
   */
  @Override
  public void close() {
    CompletableFuture<Void> f = loop.close();
    if (!eventLoop.inEventLoop()) {
      f.join();
    }
  }

  /** Settings of an {@link AnnounceSession}. */
  public static final class Builder {
    private final TrackerClient client;
    private final InfoHash infoHash;
    private final PeerId peerId;
    private final List<List<URI>> tiers = new ArrayList<>();
    private int port = -1;
    private Supplier<TransferStats> stats;
    private TrackerListener listener = new TrackerListener() {};
    private Executor listenerExecutor = ForkJoinPool.commonPool();
    private int numWant = AnnounceRequest.DEFAULT_NUM_WANT;
    private Duration retryBase = Duration.ofSeconds(30);
    private Duration retryMax = Duration.ofMinutes(30);
    private Duration minAnnounceInterval = Duration.ofSeconds(30);
    private Duration stopTimeout = Duration.ofSeconds(5);
    private EventLoop eventLoop;
    private Random random = new SecureRandom();

    private Builder(TrackerClient client, InfoHash infoHash, PeerId peerId) {
      this.client = requireNonNull(client, "client");
      this.infoHash = requireNonNull(infoHash, "infoHash");
      this.peerId = requireNonNull(peerId, "peerId");
    }

    /**
     * The tracker tiers, as {@code MetaInfo.trackerTiers()} gives them. URLs that are not http,
     * https or udp, or not URLs at all, are logged and left out.
     */
    public Builder tiers(List<? extends List<String>> urlTiers) {
      tiers.clear();
      for (List<String> tier : urlTiers) {
        List<URI> t = new ArrayList<>();
        for (String url : tier) {
          try {
            URI uri = new URI(url.trim());
            if (TrackerClient.supports(uri)) {
              t.add(uri);
            } else {
              log.info("tracker {} left out: unsupported scheme", url);
            }
          } catch (URISyntaxException e) {
            log.info("tracker {} left out: {}", url, e.getMessage());
          }
        }
        if (!t.isEmpty()) {
          tiers.add(t);
        }
      }
      return this;
    }

    /** The port this peer listens on. */
    public Builder port(int port) {
      checkArgument(port > 0 && port <= 0xffff, "port: %s (expected: 1 to 65535)", port);
      this.port = port;
      return this;
    }

    /** Where the uploaded / downloaded / left numbers come from; asked before each announce. */
    public Builder stats(Supplier<TransferStats> stats) {
      this.stats = requireNonNull(stats, "stats");
      return this;
    }

    public Builder listener(TrackerListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Where listener methods run, one at a time, in order; the common pool by default. Never an
     * event loop.
     */
    public Builder listenerExecutor(Executor executor) {
      this.listenerExecutor = requireNonNull(executor, "executor");
      return this;
    }

    public Builder numWant(int numWant) {
      checkArgument(numWant >= 0, "numWant: %s (expected: >= 0)", numWant);
      this.numWant = numWant;
      return this;
    }

    /** The back-off after a round in which every tracker failed: doubles up to {@code max}. */
    public Builder retry(Duration base, Duration max) {
      checkArgument(base.toMillis() > 0, "retry base: %s (expected: > 0)", base);
      checkArgument(max.compareTo(base) >= 0, "retry max: %s (expected: >= base %s)", max, base);
      this.retryBase = base;
      this.retryMax = max;
      return this;
    }

    /** The shortest time between announces, whatever a tracker says; 30 seconds by default. */
    public Builder minAnnounceInterval(Duration floor) {
      checkArgument(!floor.isNegative(), "minAnnounceInterval: %s (expected: >= 0)", floor);
      this.minAnnounceInterval = floor;
      return this;
    }

    /** How long close waits for the {@code stopped} announces; 5 seconds by default. */
    public Builder stopTimeout(Duration timeout) {
      checkArgument(!timeout.isNegative(), "stopTimeout: %s (expected: >= 0)", timeout);
      this.stopTimeout = timeout;
      return this;
    }

    /** The event loop the session's state lives on; one of the client's group by default. */
    public Builder eventLoop(EventLoop eventLoop) {
      this.eventLoop = requireNonNull(eventLoop, "eventLoop");
      return this;
    }

    /** The randomness of the shuffle within tiers and of the announce key (tests fix a seed). */
    public Builder random(Random random) {
      this.random = requireNonNull(random, "random");
      return this;
    }

    /** Starts the session: the first announce ({@code started}) goes out at once. */
    public AnnounceSession start() {
      checkState(port > 0, "port not set (expected: port(int) before start())");
      checkState(stats != null, "stats not set (expected: stats(Supplier) before start())");
      checkState(!tiers.isEmpty(), "no usable tracker (expected: at least one http/https/udp URL)");
      EventLoop loop = eventLoop != null ? eventLoop : client.group().next();
      AnnounceRequest template =
          new AnnounceRequest(
              infoHash,
              peerId,
              port,
              TransferStats.of(0, 0, 0),
              AnnounceEvent.NONE,
              numWant,
              random.nextInt(),
              Optional.empty());
      AnnounceLoop announceLoop =
          new AnnounceLoop(
              loop,
              client::announce,
              ImmutableList.copyOf(tiers),
              template,
              stats,
              listener,
              MoreExecutors.newSequentialExecutor(listenerExecutor),
              new AnnounceLoop.Settings(retryBase, retryMax, minAnnounceInterval, stopTimeout),
              random);
      announceLoop.start();
      return new AnnounceSession(announceLoop, loop);
    }
  }
}
