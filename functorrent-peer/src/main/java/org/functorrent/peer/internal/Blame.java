package org.functorrent.peer.internal;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whom a failed hash check bans.
 *
 * <ul>
 *   <li>A piece that one peer sent alone bans that peer at once.
 *   <li>A piece that a banned peer contributed to is put down to that peer and costs the others
 *       nothing: the blocks a liar left in half-done pieces would otherwise get the honest peers
 *       who finish them banned.
 *   <li>A piece of several senders bans nobody yet: the swarm hashes each of its blocks as they
 *       are on disk and hands the hashes to {@link #suspect}. When the piece later passes, {@link
 *       #piecePassed} compares them with the good blocks, and a peer whose block differed is
 *       banned. Only the peers who really sent bad data are banned, however the blocks were
 *       shared (libtorrent's "smart ban" works the same way).
 * </ul>
 *
 * <p>At most {@link #MAX_SUSPECT_PIECES} failed pieces are remembered; the oldest are forgotten.
 * Not thread-safe: one swarm's event loop owns it.
 *
 * @param <P> how a peer is named (its peer id)
 */
final class Blame<P> {
  static final int MAX_SUSPECT_PIECES = 256;

  /** What to do about a failed piece. */
  enum Verdict {
    /** Ban {@link #toBan}: the piece came from one peer alone. */
    BAN,
    /** Hash its blocks and hand them to {@link #suspect}: several peers sent it. */
    HASH_BLOCKS,
    /** Nothing more: a banned peer took part, or nobody sent it. */
    NONE
  }

  /** One block's sender and the SHA-1 of what it sent. */
  private record Sent<P>(P sender, byte[] hash) {}

  private final Set<P> banned = new HashSet<>();
  private final List<P> toBan = new ArrayList<>();
  /** By piece, by block: what each sender gave in the failed attempts. */
  private final Map<Integer, List<List<Sent<P>>>> suspects =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, List<List<Sent<P>>>> eldest) {
          return size() > MAX_SUSPECT_PIECES;
        }
      };

  /**
   * A piece whose blocks came from {@code blockSenders} (one entry per block, null where
   * unknown) failed its hash check. On {@link Verdict#BAN}, {@link #toBan} names the peer, and it
   * counts as banned from now on.
   */
  Verdict pieceFailed(List<P> blockSenders) {
    toBan.clear();
    Set<P> distinct = new LinkedHashSet<>();
    for (P p : blockSenders) {
      if (p != null) {
        distinct.add(p);
      }
    }
    for (P p : distinct) {
      if (banned.contains(p)) {
        return Verdict.NONE;
      }
    }
    if (distinct.isEmpty()) {
      return Verdict.NONE;
    }
    if (distinct.size() == 1) {
      P liar = distinct.iterator().next();
      banned.add(liar);
      toBan.add(liar);
      return Verdict.BAN;
    }
    return Verdict.HASH_BLOCKS;
  }

  /** The peers to ban that the last {@link #pieceFailed} or {@link #piecePassed} named. */
  List<P> toBan() {
    return List.copyOf(toBan);
  }

  /**
   * The blocks of a failed piece of several senders, as hashed on disk before it is downloaded
   * again: {@code hashes.get(b)} is the SHA-1 of block {@code b}, or null if it was not read.
   */
  void suspect(int piece, List<P> blockSenders, List<byte[]> hashes) {
    List<List<Sent<P>>> blocks = suspects.get(piece);
    if (blocks == null) {
      blocks = new ArrayList<>();
      for (int b = 0; b < blockSenders.size(); b++) {
        blocks.add(new ArrayList<>(1));
      }
      suspects.put(piece, blocks);
    }
    for (int b = 0; b < blockSenders.size() && b < blocks.size(); b++) {
      P sender = blockSenders.get(b);
      byte[] hash = hashes.get(b);
      if (sender != null && hash != null) {
        blocks.get(b).add(new Sent<>(sender, hash));
      }
    }
  }

  /** Whether failed attempts of {@code piece} wait for its good blocks to be compared with. */
  boolean isSuspect(int piece) {
    return suspects.containsKey(piece);
  }

  /**
   * {@code piece} passed its hash check and its blocks hash to {@code goodHashes} (null where not
   * read): returns the senders, not yet banned, of a block that differed, now counted as banned.
   */
  List<P> piecePassed(int piece, List<byte[]> goodHashes) {
    toBan.clear();
    List<List<Sent<P>>> blocks = suspects.remove(piece);
    if (blocks == null) {
      return List.of();
    }
    for (int b = 0; b < blocks.size() && b < goodHashes.size(); b++) {
      byte[] good = goodHashes.get(b);
      if (good == null) {
        continue;
      }
      for (Sent<P> sent : blocks.get(b)) {
        if (!MessageDigest.isEqual(sent.hash(), good) && banned.add(sent.sender())) {
          toBan.add(sent.sender());
        }
      }
    }
    return toBan();
  }

  /** Bans {@code peer} from outside (an earlier swarm's ban); false if it was banned already. */
  boolean ban(P peer) {
    return banned.add(Objects.requireNonNull(peer));
  }

  /** Every peer banned so far. */
  Set<P> banned() {
    return Set.copyOf(banned);
  }

  boolean isBanned(P peer) {
    return banned.contains(Objects.requireNonNull(peer));
  }

  int bannedCount() {
    return banned.size();
  }
}
