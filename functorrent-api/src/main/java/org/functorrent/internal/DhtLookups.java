package org.functorrent.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.functorrent.dht.DhtNode;
import org.functorrent.metainfo.InfoHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One torrent's use of the client's DHT node (BEP 5): a {@code get_peers} lookup at once and
 * then every 5 minutes while downloading (15 while seeding; 1 after a lookup that found nobody),
 * once the node has bootstrapped, and, when it has a port to announce,
 * an {@code announce_peer} at once and then every 20 minutes (an announce is a lookup too, so its
 * peers count). The peers found go to {@code onPeers} on the torrent's event loop, until {@link
 * #close()}. One operation at a time; its state is confined to that loop.
 */
final class DhtLookups {
  private static final Logger log = LoggerFactory.getLogger(DhtLookups.class);

  static final Duration DOWNLOADING_LOOKUP = Duration.ofMinutes(5);
  static final Duration SEEDING_LOOKUP = Duration.ofMinutes(15);
  static final Duration ANNOUNCE = Duration.ofMinutes(20);
  /**
   * After lookups that found nobody (a swarm not announced yet, a young routing table): the
   * first retry comes after {@link #FIRST_RETRY}, each next one after twice as long, up to this.
   */
  static final Duration RETRY = Duration.ofMinutes(1);
  static final Duration FIRST_RETRY = Duration.ofSeconds(10);
  private static final long CHECK_SECONDS = 10;

  private final DhtNode dht;
  private final InfoHash infoHash;
  private final EventLoop loop;
  private final int announcePort;
  private final BooleanSupplier seeding;
  private final Consumer<List<InetSocketAddress>> onPeers;

  // Confined to loop.
  private ScheduledFuture<?> timer;
  private boolean started;
  private boolean running;
  /** Whether the last operation found a peer: if not, the next lookup comes sooner. */
  private boolean foundAny = true;
  /** Operations in a row that found nobody. */
  private int emptyInARow;
  private boolean closed;
  private long lastLookup;
  private long lastAnnounce;
  private boolean lookedUp;
  private boolean announced;

  /**
   * @param announcePort the TCP port to announce, or 0 to only look peers up (a magnet's
   *     metadata phase)
   * @param seeding whether the torrent seeds now (lookups are rarer then)
   */
  DhtLookups(
      DhtNode dht,
      InfoHash infoHash,
      EventLoop loop,
      int announcePort,
      BooleanSupplier seeding,
      Consumer<List<InetSocketAddress>> onPeers) {
    this.dht = dht;
    this.infoHash = infoHash;
    this.loop = loop;
    this.announcePort = announcePort;
    this.seeding = seeding;
    this.onPeers = onPeers;
  }

  /**
   * Starts the first lookup (or announce) once the node has bootstrapped (a lookup from an empty
   * routing table would find nothing); on the loop.
   */
  void start() {
    if (started || closed) {
      return;
    }
    started = true;
    dht.bootstrapped().whenComplete((size, error) -> onLoop(() -> {
      if (!closed) {
        timer = loop.scheduleWithFixedDelay(this::check, 0, CHECK_SECONDS, TimeUnit.SECONDS);
      }
    }));
  }

  /** Looks up again at once (unless one is running); on the loop. */
  void lookupNow() {
    lookedUp = false;
    check();
  }

  /** Stops: no new operation, no more peers handed on. On the loop; idempotent. */
  void close() {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void check() {
    if (closed || running) {
      return;
    }
    long now = System.nanoTime();
    if (announcePort > 0 && (!announced || now - lastAnnounce >= ANNOUNCE.toNanos())) {
      announced = true;
      lookedUp = true;
      lastAnnounce = now;
      lastLookup = now;
      run(dht.announce(infoHash, announcePort, this::found), "announce");
      return;
    }
    Duration interval =
        seeding.getAsBoolean()
            ? SEEDING_LOOKUP
            : foundAny ? DOWNLOADING_LOOKUP : retryAfter(emptyInARow);
    if (!lookedUp || now - lastLookup >= interval.toNanos()) {
      lookedUp = true;
      lastLookup = now;
      run(dht.getPeers(infoHash, this::found), "get_peers");
    }
  }

  private void run(CompletableFuture<?> operation, String what) {
    running = true;
    foundAny = false;
    operation.whenComplete((result, error) -> {
      if (error != null) {
        log.debug("{}: DHT {} failed: {}", infoHash, what, error.toString());
      } else {
        log.debug("{}: DHT {} done: {}", infoHash, what, result);
      }
      onLoop(
          () -> {
            running = false;
            emptyInARow = foundAny ? 0 : emptyInARow + 1;
          });
    });
  }

  /** How long to wait after {@code empty} operations in a row found nobody. */
  static Duration retryAfter(int empty) {
    Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(Math.max(empty - 1, 0), 16));
    return wait.compareTo(RETRY) < 0 ? wait : RETRY;
  }

  /** Runs on the DHT node's callback executor. */
  private void found(List<InetSocketAddress> peers) {
    if (peers.isEmpty()) {
      return;
    }
    List<InetSocketAddress> batch = List.copyOf(peers);
    onLoop(() -> {
      foundAny = true;
      if (!closed) {
        onPeers.accept(batch);
      }
    });
  }

  private void onLoop(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("{}: DHT result after the client closed", infoHash);
    }
  }
}
