package org.functorrent.tracker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.functorrent.tracker.AnnounceEvent;
import org.functorrent.tracker.ScrapeStats;
import org.junit.jupiter.api.Test;

class SwarmsTest {
  private static final InfoHash HASH = InfoHash.fromHex("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");

  private final AtomicLong now = new AtomicLong();
  private final Swarms swarms =
      new Swarms(
          new Ticker() {
            @Override
            public long read() {
              return now.get();
            }
          },
          Duration.ofMinutes(6));

  private static InetSocketAddress at(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }

  @Test
  void peersExpireAfterTheExpiryTime() {
    PeerId a = PeerId.random("-A-");
    PeerId b = PeerId.random("-B-");
    swarms.announce(HASH, a, at(1), 10, AnnounceEvent.STARTED, 50);
    now.addAndGet(TimeUnit.MINUTES.toNanos(4));
    swarms.announce(HASH, b, at(2), 10, AnnounceEvent.STARTED, 50);
    now.addAndGet(TimeUnit.MINUTES.toNanos(2));
    assertThat(swarms.announce(HASH, b, at(2), 10, AnnounceEvent.NONE, 50).peers())
        .extracting(Swarms.Peer::address)
        .containsExactly(at(1)); // exactly 6 minutes: still there
    now.incrementAndGet();
    assertThat(swarms.announce(HASH, b, at(2), 10, AnnounceEvent.NONE, 50).peers()).isEmpty();
    now.addAndGet(TimeUnit.MINUTES.toNanos(7));
    swarms.expireAll();
    assertThat(swarms.scrape(List.of(HASH))).containsEntry(HASH, new ScrapeStats(0, 0, 0));
  }

  @Test
  void numWantLimitsAndExcludesTheAsker() {
    PeerId asker = PeerId.random("-Q-");
    for (int i = 1; i <= 10; i++) {
      swarms.announce(HASH, PeerId.random("-P-"), at(i), 0, AnnounceEvent.STARTED, 0);
    }
    Swarms.Result r = swarms.announce(HASH, asker, at(99), 5, AnnounceEvent.STARTED, 4);
    assertThat(r.peers()).hasSize(4).extracting(Swarms.Peer::peerId).doesNotContain(asker);
    assertThat(r.seeders()).isEqualTo(10);
    assertThat(r.leechers()).isEqualTo(1);
  }

  @Test
  void completedIsCountedAndStoppedRemoves() {
    PeerId a = PeerId.random("-A-");
    swarms.announce(HASH, a, at(1), 10, AnnounceEvent.STARTED, 50);
    swarms.announce(HASH, a, at(1), 0, AnnounceEvent.COMPLETED, 50);
    assertThat(swarms.scrape(List.of())).containsEntry(HASH, new ScrapeStats(1, 1, 0));
    swarms.announce(HASH, a, at(1), 0, AnnounceEvent.STOPPED, 50);
    assertThat(swarms.scrape(List.of(HASH))).containsEntry(HASH, new ScrapeStats(0, 1, 0));
  }
}
