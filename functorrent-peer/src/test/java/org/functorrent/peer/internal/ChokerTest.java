package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.functorrent.peer.internal.Choker.Candidate;
import org.junit.jupiter.api.Test;

class ChokerTest {
  private static Candidate<String> c(String id, boolean interested, long down, long up) {
    return new Candidate<>(id, interested, down, up, false);
  }

  @Test
  void leechingUnchokesThoseThatGiveUsMostPlusOneOptimistic() {
    Choker<String> choker = new Choker<>(3, new Random(1));
    List<Candidate<String>> peers = List.of(
        c("slow", true, 10, 0), c("fast", true, 1000, 0), c("mid", true, 500, 0),
        c("uninterested", false, 5000, 0), c("other", true, 1, 0));
    Set<String> unchoked = choker.round(peers, false, true);
    assertThat(unchoked).hasSize(3).contains("fast", "mid").doesNotContain("uninterested");
    assertThat(choker.optimistic()).isIn("slow", "other");
  }

  @Test
  void seedingRanksByUploadRate() {
    Choker<String> choker = new Choker<>(2, new Random(2));
    List<Candidate<String>> peers = List.of(
        c("a", true, 0, 10), c("b", true, 0, 900), c("c", true, 0, 20));
    Set<String> unchoked = choker.round(peers, true, true);
    assertThat(unchoked).contains("b").hasSize(2);
  }

  @Test
  void fewInterestedPeersAreAllUnchoked() {
    Choker<String> choker = new Choker<>(4, new Random(3));
    Set<String> unchoked =
        choker.round(List.of(c("a", true, 0, 0), c("b", true, 0, 0), c("x", false, 0, 0)),
            true, false);
    assertThat(unchoked).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void optimisticSlotStaysUntilRotatedThenMoves() {
    List<Candidate<String>> peers = new ArrayList<>();
    peers.add(c("top", true, 100, 0));
    for (int i = 0; i < 10; i++) {
      peers.add(c("p" + i, true, 0, 0));
    }
    Choker<String> choker = new Choker<>(2, new Random(4));
    choker.round(peers, false, true);
    String first = choker.optimistic();
    choker.round(peers, false, false);
    choker.round(peers, false, false);
    assertThat(choker.optimistic()).as("kept between rotations").isEqualTo(first);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      choker.round(peers, false, true);
      seen.add(choker.optimistic());
    }
    assertThat(seen).hasSizeGreaterThan(1).doesNotContain("top");
  }

  @Test
  void snubbedPeersGetNoRegularSlotWhileDownloading() {
    Choker<String> choker = new Choker<>(2, new Random(5));
    List<Candidate<String>> peers = List.of(
        new Candidate<>("snub", true, 10_000, 0, true), c("ok", true, 10, 0));
    Set<String> unchoked = choker.round(peers, false, false);
    assertThat(unchoked).contains("ok");
    assertThat(choker.optimistic()).isEqualTo("snub");
  }
}
