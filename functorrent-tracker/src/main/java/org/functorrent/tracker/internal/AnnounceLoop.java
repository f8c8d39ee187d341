package org.functorrent.tracker.internal;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.functorrent.tracker.AnnounceEvent;
import org.functorrent.tracker.AnnounceRequest;
import org.functorrent.tracker.AnnounceResponse;
import org.functorrent.tracker.TrackerException;
import org.functorrent.tracker.TrackerListener;
import org.functorrent.tracker.TrackerStatus;
import org.functorrent.tracker.TransferStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The announce loop of one torrent over multitracker tiers (BEP 12). All its state is confined to
 * one event loop; every timer is an {@link EventLoop#schedule} task.
 *
 * <p>Each round announces to one tracker: the tiers in order, each tier in its (initially shuffled)
 * order; a tracker that fails is marked {@code Error} and the next one is tried; one that answers
 * moves to the front of its tier and ends the round. A tracker gets {@code started} before anything
 * else, {@code completed} once (after the caller reports completion), and {@code stopped} on close
 * if it had accepted {@code started}. The next round follows after the tracker's interval (at least
 * its min interval and the configured floor); after a round in which every tracker failed, after an
 * exponential back-off.
 */
public final class AnnounceLoop {
  private static final Logger log = LoggerFactory.getLogger(AnnounceLoop.class);

  /** Sends one announce; the future fails with a {@link TrackerException}. */
  public interface Announcer {
    CompletableFuture<AnnounceResponse> announce(URI tracker, AnnounceRequest request);
  }

  /** The loop's timing settings. */
  public record Settings(
      Duration retryBase, Duration retryMax, Duration minAnnounceInterval, Duration stopTimeout) {}

  private static final class Tracker {
    final URI uri;
    boolean started;
    Optional<String> trackerId = Optional.empty();

    Tracker(URI uri) {
      this.uri = uri;
    }
  }

  private final EventLoop loop;
  private final Announcer announcer;
  private final AnnounceRequest template;
  private final Supplier<TransferStats> stats;
  private final TrackerListener listener;
  private final Executor listenerExecutor;
  private final Settings settings;

  private final List<List<Tracker>> tiers = new ArrayList<>();
  private final Map<URI, TrackerStatus> statuses = new LinkedHashMap<>();
  private volatile ImmutableMap<URI, TrackerStatus> statusSnapshot;

  private TransferStats lastStats = TransferStats.of(0, 0, 0);
  private boolean completedPending;
  private boolean completedSent;
  private boolean minIntervalElapsed = true;
  private boolean inFlight;
  private Tracker inFlightTracker;
  private AnnounceEvent inFlightEvent;
  private boolean closed;
  private int failures;
  private ScheduledFuture<?> next;
  private CompletableFuture<Void> closeFuture;

  public AnnounceLoop(
      EventLoop loop,
      Announcer announcer,
      List<? extends List<URI>> tiers,
      AnnounceRequest template,
      Supplier<TransferStats> stats,
      TrackerListener listener,
      Executor listenerExecutor,
      Settings settings,
      Random random) {
    this.loop = loop;
    this.announcer = announcer;
    this.template = template;
    this.stats = stats;
    this.listener = listener;
    this.listenerExecutor = listenerExecutor;
    this.settings = settings;
    Map<URI, Tracker> seen = new HashMap<>();
    for (List<URI> tier : tiers) {
      List<Tracker> t = new ArrayList<>();
      for (URI uri : tier) {
        if (!seen.containsKey(uri)) {
          Tracker tracker = new Tracker(uri);
          seen.put(uri, tracker);
          t.add(tracker);
          statuses.put(uri, TrackerStatus.NONE);
        }
      }
      Collections.shuffle(t, random);
      if (!t.isEmpty()) {
        this.tiers.add(t);
      }
    }
    this.statusSnapshot = ImmutableMap.copyOf(statuses);
  }

  /** Starts the loop: the first round ({@code started}) runs at once. */
  public void start() {
    loop.execute(this::round);
  }

  /** The download completed: {@code completed} goes out once, as soon as min interval allows. */
  public void completed() {
    loop.execute(
        () -> {
          if (closed || completedPending || completedSent) {
            return;
          }
          completedPending = true;
          if (!inFlight && minIntervalElapsed) {
            scheduleRound(Duration.ZERO);
          }
        });
  }

  /**
   * Announces at once, whatever the interval says: for a peer that must learn of new peers now
   * (such as a seeder that has to dial a leecher which never dials out). Ignored while an announce
   * is in flight or after close.
   */
  public void announceNow() {
    loop.execute(
        () -> {
          if (!closed && !inFlight) {
            scheduleRound(Duration.ZERO);
          }
        });
  }

  /** The status of every tracker, in tier order as given. */
  public ImmutableMap<URI, TrackerStatus> statuses() {
    return statusSnapshot;
  }

  /** The current order of trackers in each tier (for tests and diagnostics). */
  public CompletableFuture<ImmutableList<ImmutableList<URI>>> tierOrder() {
    CompletableFuture<ImmutableList<ImmutableList<URI>>> f = new CompletableFuture<>();
    loop.execute(
        () ->
            f.complete(
                tiers.stream()
                    .map(t -> t.stream().map(x -> x.uri).collect(ImmutableList.toImmutableList()))
                    .collect(ImmutableList.toImmutableList())));
    return f;
  }

  /**
   * Stops the loop and sends {@code stopped} to every tracker that accepted {@code started};
   * completes when they answered or the stop timeout passed, whichever is first. Idempotent.
   */
  public CompletableFuture<Void> close() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (closeFuture == null) {
            closeFuture = new CompletableFuture<>();
            closeNow();
          }
          closeFuture.whenComplete((v, e) -> result.complete(null));
        });
    return result;
  }

  private void closeNow() {
    closed = true;
    if (next != null) {
      next.cancel(false);
    }
    List<Tracker> toStop = new ArrayList<>();
    for (List<Tracker> tier : tiers) {
      for (Tracker t : tier) {
        boolean maybeStarted = t == inFlightTracker && inFlightEvent == AnnounceEvent.STARTED;
        if (t.started || maybeStarted) {
          toStop.add(t);
        }
      }
    }
    if (toStop.isEmpty()) {
      closeFuture.complete(null);
      return;
    }
    TransferStats s = currentStats();
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (Tracker t : toStop) {
      AnnounceRequest request =
          template.withStats(s).withEvent(AnnounceEvent.STOPPED).withTrackerId(t.trackerId);
      CompletableFuture<AnnounceResponse> f = safeAnnounce(t.uri, request);
      all.add(
          f.whenComplete(
              (r, e) ->
                  loop.execute(
                      () -> {
                        if (e == null) {
                          t.started = false;
                          setStatus(t.uri, TrackerStatus.NONE);
                        } else {
                          setStatus(t.uri, new TrackerStatus.Error(reason(e)));
                        }
                      })));
    }
    ScheduledFuture<?> timeout =
        loop.schedule(
            () -> {
              closeFuture.complete(null);
            },
            settings.stopTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, e) ->
                loop.execute(
                    () -> {
                      timeout.cancel(false);
                      closeFuture.complete(null);
                    }));
  }

  private void scheduleRound(Duration delay) {
    if (next != null) {
      next.cancel(false);
    }
    next = loop.schedule(this::round, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void round() {
    if (closed || inFlight) {
      return;
    }
    List<Tracker> order = new ArrayList<>();
    tiers.forEach(order::addAll);
    if (order.isEmpty()) {
      return;
    }
    inFlight = true;
    attempt(order, 0);
  }

  private void attempt(List<Tracker> order, int index) {
    if (closed) {
      inFlight = false;
      return;
    }
    if (index >= order.size()) {
      inFlight = false;
      inFlightTracker = null;
      failures++;
      long factor = 1L << Math.min(failures - 1, 20);
      Duration delay = settings.retryBase().multipliedBy(factor);
      if (delay.compareTo(settings.retryMax()) > 0) {
        delay = settings.retryMax();
      }
      log.debug("every tracker failed ({} rounds); next round in {}", failures, delay);
      scheduleRound(delay);
      return;
    }
    Tracker t = order.get(index);
    AnnounceEvent event;
    if (!t.started) {
      event = AnnounceEvent.STARTED;
    } else if (completedPending) {
      event = AnnounceEvent.COMPLETED;
    } else {
      event = AnnounceEvent.NONE;
    }
    AnnounceRequest request =
        template.withStats(currentStats()).withEvent(event).withTrackerId(t.trackerId);
    inFlightTracker = t;
    inFlightEvent = event;
    safeAnnounce(t.uri, request)
        .whenComplete(
            (response, error) ->
                loop.execute(
                    () -> {
                      if (closed) {
                        inFlight = false;
                        return;
                      }
                      if (error == null) {
                        succeeded(t, event, response);
                      } else {
                        setStatus(t.uri, new TrackerStatus.Error(reason(error)));
                        attempt(order, index + 1);
                      }
                    }));
  }

  private void succeeded(Tracker t, AnnounceEvent event, AnnounceResponse response) {
    inFlight = false;
    inFlightTracker = null;
    failures = 0;
    t.started = true;
    if (event == AnnounceEvent.COMPLETED) {
      completedPending = false;
      completedSent = true;
    }
    if (response.trackerId().isPresent()) {
      t.trackerId = response.trackerId();
    }
    response.warning().ifPresent(w -> log.info("tracker {} warns: {}", t.uri, w));
    setStatus(t.uri, completedSent ? new TrackerStatus.Completed() : new TrackerStatus.Started());
    for (List<Tracker> tier : tiers) {
      if (tier.remove(t)) {
        tier.add(0, t);
      }
    }
    if (!response.peers().isEmpty()) {
      List<java.net.InetSocketAddress> peers = response.peers();
      notify(() -> listener.peersDiscovered(t.uri, peers));
    }
    Duration min = response.minInterval().orElse(Duration.ZERO);
    if (min.compareTo(settings.minAnnounceInterval()) < 0) {
      min = settings.minAnnounceInterval();
    }
    Duration interval = response.interval().compareTo(min) < 0 ? min : response.interval();
    minIntervalElapsed = false;
    Duration minFinal = min;
    loop.schedule(
        () -> {
          minIntervalElapsed = true;
          if (completedPending && !inFlight && !closed) {
            scheduleRound(Duration.ZERO);
          }
        },
        minFinal.toNanos(),
        TimeUnit.NANOSECONDS);
    scheduleRound(interval);
  }

  private CompletableFuture<AnnounceResponse> safeAnnounce(URI uri, AnnounceRequest request) {
    try {
      return announcer.announce(uri, request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private TransferStats currentStats() {
    try {
      TransferStats s = stats.get();
      if (s != null) {
        lastStats = s;
      }
    } catch (RuntimeException e) {
      log.warn("transfer statistics supplier failed; using the last ones", e);
    }
    return lastStats;
  }

  private void setStatus(URI uri, TrackerStatus status) {
    TrackerStatus old = statuses.put(uri, status);
    if (!status.equals(old)) {
      statusSnapshot = ImmutableMap.copyOf(statuses);
      notify(() -> listener.statusChanged(uri, status));
    }
  }

  private void notify(Runnable event) {
    listenerExecutor.execute(
        () -> {
          try {
            event.run();
          } catch (RuntimeException e) {
            log.warn("tracker listener failed", e);
          }
        });
  }

  static String reason(Throwable error) {
    Throwable c = error;
    while (c.getCause() != null && !(c instanceof TrackerException)) {
      c = c.getCause();
    }
    if (c instanceof TrackerException te) {
      return te.reason();
    }
    return HttpTrackerClient.rootMessage(error);
  }
}
