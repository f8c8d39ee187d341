package org.functorrent.peer.internal;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * BEP 3 choking: the interested peers that give us the most (or, once we seed, that we upload to
 * fastest) get the regular upload slots, and one more slot rotates among the others every third
 * round (30 seconds at one round per 10 seconds). Snubbed peers get no regular slot while we
 * download. A pure decision over a list of candidates, so it is tested without sockets.
 */
public final class Choker<P> {
  private final int slots;
  private final Random random;
  private P optimistic;

  /** What the choker knows of a peer for one round. */
  public record Candidate<P>(
      P peer, boolean interested, long downloadRate, long uploadRate, boolean snubbed) {}

  public Choker(int slots, Random random) {
    checkArgument(slots >= 1, "slots: %s (expected: >= 1)", slots);
    this.slots = slots;
    this.random = random;
  }

  /** The peers to unchoke this round; every other peer is choked. */
  public Set<P> round(List<Candidate<P>> candidates, boolean seeding, boolean rotateOptimistic) {
    List<Candidate<P>> interested = new ArrayList<>();
    for (Candidate<P> c : candidates) {
      if (c.interested() && (seeding || !c.snubbed())) {
        interested.add(c);
      }
    }
    Comparator<Candidate<P>> byRate =
        seeding
            ? Comparator.comparingLong(Candidate<P>::uploadRate)
            : Comparator.comparingLong(Candidate<P>::downloadRate);
    interested.sort(byRate.reversed());
    Set<P> unchoked = new LinkedHashSet<>();
    for (Candidate<P> c : interested) {
      if (unchoked.size() >= slots - 1) {
        break;
      }
      unchoked.add(c.peer());
    }
    List<P> others = new ArrayList<>();
    for (Candidate<P> c : candidates) {
      if (c.interested() && !unchoked.contains(c.peer())) {
        others.add(c.peer());
      }
    }
    if (rotateOptimistic || optimistic == null || !others.contains(optimistic)) {
      optimistic = others.isEmpty() ? null : others.get(random.nextInt(others.size()));
    }
    if (optimistic != null) {
      unchoked.add(optimistic);
    }
    return unchoked;
  }

  /** The peer that holds the optimistic slot, if any. */
  public P optimistic() {
    return optimistic;
  }
}
