package org.functorrent.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import com.google.common.util.concurrent.MoreExecutors;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.functorrent.tracker.AnnounceEvent;
import org.functorrent.tracker.AnnounceRequest;
import org.functorrent.tracker.AnnounceResponse;
import org.functorrent.tracker.TrackerException;
import org.functorrent.tracker.TrackerListener;
import org.functorrent.tracker.TrackerStatus;
import org.functorrent.tracker.TransferStats;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The announce loop on an {@link EmbeddedChannel}'s event loop with frozen time: every timer fires
 * only when the test advances the clock, so the intervals are checked exactly, without sleeping.
 */
class AnnounceLoopTest {
  private static final URI A = URI.create("http://a.test/announce");
  private static final URI B = URI.create("udp://b.test:1");
  private static final URI C = URI.create("http://c.test/announce");

  private record Sent(URI tracker, AnnounceRequest request) {}

  private final List<Sent> sent = new ArrayList<>();
  private final List<String> events = new ArrayList<>();
  private final Map<URI, Function<AnnounceRequest, CompletableFuture<AnnounceResponse>>> trackers =
      new HashMap<>();
  private final AtomicLong uploaded = new AtomicLong();
  private EmbeddedChannel channel;

  @BeforeEach
  void setUp() {
    channel = new EmbeddedChannel();
    channel.freezeTime();
  }

  private static AnnounceResponse response(long interval, Long minInterval, String trackerId) {
    return new AnnounceResponse(
        Duration.ofSeconds(interval),
        Optional.ofNullable(minInterval).map(Duration::ofSeconds),
        OptionalInt.of(1),
        OptionalInt.of(2),
        Optional.ofNullable(trackerId),
        Optional.empty(),
        ImmutableList.of(new InetSocketAddress("127.0.0.1", 7000)));
  }

  private void answers(URI tracker, AnnounceResponse r) {
    trackers.put(tracker, req -> CompletableFuture.completedFuture(r));
  }

  private void fails(URI tracker, String reason) {
    trackers.put(
        tracker,
        req -> CompletableFuture.failedFuture(new TrackerException(tracker.toString(), reason)));
  }

  private AnnounceLoop loop(List<List<URI>> tiers, long seed) {
    EventLoop eventLoop = channel.eventLoop();
    AnnounceRequest template =
        new AnnounceRequest(
            InfoHash.fromHex("cccccccccccccccccccccccccccccccccccccccc"),
            PeerId.random("-T-"),
            6881,
            TransferStats.of(0, 0, 0),
            AnnounceEvent.NONE,
            50,
            7,
            Optional.empty());
    TrackerListener listener =
        new TrackerListener() {
          @Override
          public void statusChanged(URI tracker, TrackerStatus status) {
            events.add(tracker.getHost() + " " + status);
          }

          @Override
          public void peersDiscovered(URI tracker, List<InetSocketAddress> peers) {
            events.add(tracker.getHost() + " peers " + peers.size());
          }
        };
    return new AnnounceLoop(
        eventLoop,
        (tracker, request) -> {
          sent.add(new Sent(tracker, request));
          return trackers.get(tracker).apply(request);
        },
        tiers,
        template,
        () -> TransferStats.of(uploaded.get(), 5, 10),
        listener,
        MoreExecutors.directExecutor(),
        new AnnounceLoop.Settings(
            Duration.ofSeconds(10), Duration.ofSeconds(40), Duration.ZERO, Duration.ofSeconds(3)),
        new Random(seed));
  }

  private void advance(long seconds) {
    channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
    // Tasks that run may submit or schedule (with no delay) more tasks: drain them too.
    for (int i = 0; i < 20; i++) {
      channel.runPendingTasks();
    }
  }

  private ImmutableList<ImmutableList<URI>> order(AnnounceLoop loop) {
    CompletableFuture<ImmutableList<ImmutableList<URI>>> f = loop.tierOrder();
    channel.runPendingTasks();
    return f.getNow(null);
  }

  private List<String> sentEvents() {
    return sent.stream()
        .map(s -> s.tracker().getHost() + " " + s.request().event())
        .collect(ImmutableList.toImmutableList());
  }

  @Test
  void startedThenEveryIntervalThenCompletedOnceThenStopped() {
    answers(A, response(1800, 60L, null));
    AnnounceLoop loop = loop(List.of(List.of(A)), 1);
    loop.start();
    advance(0);
    assertThat(sentEvents()).containsExactly("a.test STARTED");
    assertThat(loop.statuses()).containsEntry(A, new TrackerStatus.Started());
    assertThat(events).containsExactly("a.test Started[]", "a.test peers 1");

    advance(1799);
    assertThat(sent).hasSize(1);
    uploaded.set(99);
    advance(1);
    assertThat(sentEvents()).containsExactly("a.test STARTED", "a.test NONE");
    assertThat(sent.get(1).request().stats()).isEqualTo(TransferStats.of(99, 5, 10));

    loop.completed();
    advance(59); // min interval since the last announce not yet over
    assertThat(sent).hasSize(2);
    advance(1);
    assertThat(sentEvents()).endsWith("a.test COMPLETED");
    assertThat(loop.statuses()).containsEntry(A, new TrackerStatus.Completed());

    loop.completed(); // once only
    advance(1800);
    assertThat(sentEvents()).endsWith("a.test COMPLETED", "a.test NONE");

    CompletableFuture<Void> closed = loop.close();
    advance(0);
    assertThat(closed).isCompleted();
    assertThat(sentEvents()).endsWith("a.test STOPPED");
    assertThat(loop.statuses()).containsEntry(A, TrackerStatus.NONE);
    advance(100_000);
    assertThat(sentEvents()).endsWith("a.test STOPPED");
  }

  @Test
  void neverMoreOftenThanMinInterval() {
    answers(A, response(5, 60L, null));
    AnnounceLoop loop = loop(List.of(List.of(A)), 1);
    loop.start();
    advance(0);
    advance(59);
    assertThat(sent).hasSize(1);
    advance(1);
    assertThat(sent).hasSize(2);
    loop.close();
  }

  @Test
  void announceNowDoesNotWaitForTheInterval() {
    answers(A, response(1800, 60L, null));
    AnnounceLoop loop = loop(List.of(List.of(A)), 1);
    loop.start();
    advance(0);
    advance(10);
    assertThat(sent).hasSize(1);
    loop.announceNow();
    advance(0);
    assertThat(sentEvents()).containsExactly("a.test STARTED", "a.test NONE");
    // The regular interval counts again from the forced announce.
    advance(1799);
    assertThat(sent).hasSize(2);
    advance(1);
    assertThat(sent).hasSize(3);
    loop.close();
    advance(0);
    loop.announceNow();
    advance(0);
    assertThat(sentEvents()).last().isEqualTo("a.test STOPPED");
  }

  @Test
  void trackerIdIsSentBack() {
    answers(A, response(60, null, "xyz"));
    AnnounceLoop loop = loop(List.of(List.of(A)), 1);
    loop.start();
    advance(0);
    advance(60);
    assertThat(sent.get(0).request().trackerId()).isEmpty();
    assertThat(sent.get(1).request().trackerId()).contains("xyz");
    loop.close();
  }

  @Test
  void failedTrackerIsSkippedAndTheOneThatAnsweredMovesToTheFront() {
    fails(A, "failure reason: nope");
    answers(B, response(60, null, null));
    AnnounceLoop loop = loop(List.of(List.of(A, B)), 3);
    loop.start();
    advance(0);
    assertThat(loop.statuses()).containsEntry(B, new TrackerStatus.Started());
    assertThat(order(loop)).containsExactly(ImmutableList.of(B, A));
    int firstRound = sent.size();
    advance(60);
    // the next round starts with B, which answers: A is not asked
    assertThat(sentEvents().subList(firstRound, sent.size())).containsExactly("b.test NONE");
    loop.close();
  }

  @Test
  void shuffledWithinTierDependingOnTheRandom() {
    List<URI> tier = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      URI u = URI.create("http://t" + i + ".test/announce");
      tier.add(u);
      fails(u, "down");
    }
    List<List<URI>> orders = new ArrayList<>();
    for (long seed = 0; seed < 3; seed++) {
      orders.add(order(loop(List.of(tier), seed)).get(0));
    }
    for (List<URI> o : orders) {
      assertThat(o).containsExactlyInAnyOrderElementsOf(tier);
    }
    assertThat(orders).doesNotHaveDuplicates();
  }

  @Test
  void nextTierWhenTheFirstFailsAndFirstTierFirstAgainNextRound() {
    fails(A, "timeout after 30000 ms");
    answers(C, response(60, null, null));
    AnnounceLoop loop = loop(List.of(List.of(A), List.of(C)), 1);
    loop.start();
    advance(0);
    assertThat(sentEvents()).containsExactly("a.test STARTED", "c.test STARTED");
    assertThat(loop.statuses())
        .containsEntry(A, new TrackerStatus.Error("timeout after 30000 ms"))
        .containsEntry(C, new TrackerStatus.Started());
    advance(60);
    assertThat(sentEvents()).endsWith("a.test STARTED", "c.test NONE");
    loop.close();
  }

  @Test
  void backOffAfterEveryTrackerFailed() {
    fails(A, "down");
    fails(B, "down");
    AnnounceLoop loop = loop(List.of(List.of(A), List.of(B)), 1);
    loop.start();
    advance(0);
    assertThat(sent).hasSize(2);
    advance(9);
    assertThat(sent).hasSize(2);
    advance(1); // 10 s
    assertThat(sent).hasSize(4);
    advance(19);
    assertThat(sent).hasSize(4);
    advance(1); // 20 s
    assertThat(sent).hasSize(6);
    advance(40); // 40 s: the maximum
    assertThat(sent).hasSize(8);
    advance(40);
    assertThat(sent).hasSize(10);
    // recovers: the next answer resets the back-off
    answers(B, response(100, null, null));
    advance(40);
    assertThat(loop.statuses()).containsEntry(B, new TrackerStatus.Started());
    CompletableFuture<Void> closed = loop.close();
    advance(0);
    assertThat(closed).isCompleted();
    assertThat(sentEvents()).endsWith("b.test STOPPED"); // A never started: no stopped for it
  }

  @Test
  void closeIsBoundedWhenStoppedGetsNoAnswer() {
    answers(A, response(60, null, null));
    AnnounceLoop loop = loop(List.of(List.of(A)), 1);
    loop.start();
    advance(0);
    trackers.put(A, req -> new CompletableFuture<>()); // never answers
    CompletableFuture<Void> closed = loop.close();
    advance(0);
    assertThat(sentEvents()).endsWith("a.test STOPPED");
    assertThat(closed).isNotDone();
    advance(2);
    assertThat(closed).isNotDone();
    advance(1);
    assertThat(closed).isCompleted();
    assertThat(loop.close()).isNotNull();
    advance(0);
  }

  @Test
  void aThrowingStatsSupplierOrListenerDoesNotStopTheLoop() {
    answers(A, response(60, null, null));
    AnnounceLoop loop =
        new AnnounceLoop(
            channel.eventLoop(),
            (tracker, request) -> {
              sent.add(new Sent(tracker, request));
              return trackers.get(tracker).apply(request);
            },
            List.of(List.of(A)),
            AnnounceRequest.of(
                InfoHash.fromHex("dddddddddddddddddddddddddddddddddddddddd"),
                PeerId.random("-T-"),
                1,
                TransferStats.of(0, 0, 0)),
            () -> {
              throw new IllegalStateException("storage gone");
            },
            new TrackerListener() {
              @Override
              public void statusChanged(URI tracker, TrackerStatus status) {
                throw new IllegalStateException("listener bug");
              }
            },
            MoreExecutors.directExecutor(),
            new AnnounceLoop.Settings(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO),
            new Random(1));
    loop.start();
    advance(0);
    advance(60);
    assertThat(sentEvents()).containsExactly("a.test STARTED", "a.test NONE");
    loop.close();
    advance(0);
  }
}
