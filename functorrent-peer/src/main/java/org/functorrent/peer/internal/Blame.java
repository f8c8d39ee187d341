package org.functorrent.peer.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whom a failed hash check bans. A piece sent by one peer alone bans that peer at once;
 * a piece of several senders gives each a strike, and two strikes ban. A failed piece that a
 * banned peer contributed to is put down to that peer and costs the others nothing: without this
 * rule the blocks a liar left in half-done pieces would get the honest peers who finish those
 * pieces banned too. Not thread-safe: one swarm's event loop owns it.
 *
 * @param <P> how a peer is named (its peer id)
 */
final class Blame<P> {
  private final Set<P> banned = new HashSet<>();
  private final Map<P, Integer> strikes = new HashMap<>();

  /** A piece from these senders (one entry per block) failed; returns the peers to ban now. */
  List<P> pieceFailed(Collection<P> senders) {
    Set<P> distinct = new LinkedHashSet<>(senders);
    for (P p : distinct) {
      if (banned.contains(p)) {
        return List.of();
      }
    }
    List<P> ban = new ArrayList<>();
    for (P p : distinct) {
      int n = strikes.merge(p, 1, Integer::sum);
      if (n >= 2 || distinct.size() == 1) {
        banned.add(p);
        ban.add(p);
      }
    }
    return ban;
  }

  boolean isBanned(P peer) {
    return banned.contains(peer);
  }

  int bannedCount() {
    return banned.size();
  }
}
