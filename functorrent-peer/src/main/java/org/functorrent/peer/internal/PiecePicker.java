package org.functorrent.peer.internal;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Decides which blocks to request from which peer, and tracks every block from request to
 * verification. Rarest first with random tie-breaking among the pieces of the highest priority,
 * partially downloaded pieces first, an optional sequential order, and an endgame that hands out
 * blocks already requested from another peer once nothing else is left. Pieces with a deadline
 * (streaming) come before all of that, earliest deadline first, and once their deadline is near
 * their blocks may be asked from several peers, as in the endgame. Not thread-safe: it lives on
 * its torrent's event loop. {@code P} identifies a peer (a connection).
 */
public final class PiecePicker<P> {
  private final int pieceCount;
  private final IntToLongFunction pieceSize;
  private final Random random;
  private final LongSupplier nanoClock;
  private final int[] availability;
  private final byte[] priority;
  /** How many pieces have each priority (0 to 7). */
  private final int[] piecesAtPriority = new int[8];
  /**
   * At most the availability of any unstarted piece of the top priority, so a candidate that has
   * it cannot be beaten on rarity. Lowered wherever a piece could go below it; raised only by a
   * scan of a peer that has every unstarted piece, which sees them all.
   */
  private int availabilityFloor;
  private final BitSet have = new BitSet();
  /** Pieces not verified whose priority is above 0: what we still want. */
  private final BitSet needed = new BitSet();
  /** Needed pieces not started yet: where a new piece is chosen from. */
  private final BitSet unstarted = new BitSet();
  /** Reused by {@link #choosePiece}: a peer's pieces among {@link #unstarted}. */
  private final BitSet scratch = new BitSet();
  private final Map<Integer, Partial<P>> partials = new LinkedHashMap<>();
  private boolean sequential;
  private int maxEndgameRequests = 2;
  private final Map<Integer, Long> deadlines = new HashMap<>();
  private long deadlineUrgencyNanos = TimeUnit.SECONDS.toNanos(3);

  /** The state of a piece being downloaded. */
  private static final class Partial<P> {
    final int piece;
    final int[] requests;
    final boolean[] received;
    final boolean[] written;
    final List<P> senders;
    int writtenCount;
    /**
     * Every block before this one is received or requested: the search for a free block starts
     * here, so a piece whose blocks are all asked for costs one check per pick, not one per block.
     */
    int firstFree;

    Partial(int piece, int blocks) {
      this.piece = piece;
      this.requests = new int[blocks];
      this.received = new boolean[blocks];
      this.written = new boolean[blocks];
      this.senders = new ArrayList<>(Collections.nCopies(blocks, null));
    }

    /** Moves {@link #firstFree} past the taken blocks; true if a free block is left. */
    boolean hasFree() {
      while (firstFree < requests.length && (received[firstFree] || requests[firstFree] > 0)) {
        firstFree++;
      }
      return firstFree < requests.length;
    }

    /** Block {@code b} may be free again. */
    void freed(int b) {
      firstFree = Math.min(firstFree, b);
    }
  }

  /** What became of a received block. */
  public enum Received {
    /** The block was wanted: write it. */
    ACCEPTED,
    /** Another peer delivered it first (endgame), or the piece is already verified: drop it. */
    DUPLICATE,
    /** Never requested, or not a block boundary: drop it. */
    UNEXPECTED
  }

  public PiecePicker(int pieceCount, IntToLongFunction pieceSize, Random random) {
    this(pieceCount, pieceSize, random, System::nanoTime);
  }

  /** A picker whose deadlines are measured on {@code nanoClock} (tests advance it by hand). */
  public PiecePicker(
      int pieceCount, IntToLongFunction pieceSize, Random random, LongSupplier nanoClock) {
    checkArgument(pieceCount > 0, "pieceCount: %s (expected: > 0)", pieceCount);
    this.pieceCount = pieceCount;
    this.pieceSize = pieceSize;
    this.random = random;
    this.nanoClock = nanoClock;
    this.availability = new int[pieceCount];
    this.priority = new byte[pieceCount];
    Arrays.fill(priority, (byte) 1);
    piecesAtPriority[1] = pieceCount;
    needed.set(0, pieceCount);
    unstarted.set(0, pieceCount);
  }

  public int pieceCount() {
    return pieceCount;
  }

  int blockCount(int piece) {
    return (int) ((pieceSize.applyAsLong(piece) + Block.SIZE - 1) / Block.SIZE);
  }

  Block block(int piece, int index) {
    int offset = index * Block.SIZE;
    int length = (int) Math.min(Block.SIZE, pieceSize.applyAsLong(piece) - offset);
    return new Block(piece, offset, length);
  }

  /**
   * Marks pieces as already verified (resume data or a seeder's store); whatever was started of
   * them is forgotten.
   */
  public void setHave(BitSet verified) {
    have.or(verified);
    have.clear(pieceCount, Math.max(pieceCount, have.length()));
    needed.andNot(have);
    unstarted.andNot(have);
    partials.keySet().removeIf(have::get);
    deadlines.keySet().removeIf(have::get);
  }

  public boolean have(int piece) {
    return have.get(piece);
  }

  public BitSet haveSet() {
    return (BitSet) have.clone();
  }

  public int verifiedCount() {
    return have.cardinality();
  }

  /** Whether every piece with a priority above 0 is verified. */
  public boolean isComplete() {
    return needed.isEmpty();
  }

  /** Sets a piece's priority: 0 skips it, higher values are picked before lower ones. */
  public void setPriority(int piece, int value) {
    checkArgument(value >= 0 && value <= 7, "priority: %s (expected: 0..7)", value);
    piecesAtPriority[priority[piece]]--;
    piecesAtPriority[value]++;
    priority[piece] = (byte) value;
    availabilityFloor = 0; // the top priority may be another one now
    boolean wanted = value > 0 && !have.get(piece);
    needed.set(piece, wanted);
    unstarted.set(piece, wanted && !partials.containsKey(piece));
  }

  public int priority(int piece) {
    return priority[piece];
  }

  /**
   * Gives a piece a deadline on the picker's clock: it is picked before every piece without one,
   * earliest deadline first, whatever the sequential or rarest-first order says. A piece of
   * priority 0 stays skipped. The deadline goes once the piece is verified.
   */
  public void setDeadline(int piece, long deadlineNanos) {
    checkArgument(piece >= 0 && piece < pieceCount, "piece: %s (expected: 0..%s)", piece,
        pieceCount - 1);
    if (!have.get(piece)) {
      deadlines.put(piece, deadlineNanos);
    }
  }

  public void clearDeadline(int piece) {
    deadlines.remove(piece);
  }

  public boolean hasDeadline(int piece) {
    return deadlines.containsKey(piece);
  }

  /**
   * How long before its deadline a piece becomes urgent: from then on (and once it is late) its
   * blocks may be requested from up to the endgame's number of peers at once.
   */
  public void setDeadlineUrgency(long nanos) {
    checkArgument(nanos >= 0, "nanos: %s (expected: >= 0)", nanos);
    this.deadlineUrgencyNanos = nanos;
  }

  /** In sequential mode the lowest needed index is picked first, ignoring rarity. */
  public void setSequential(boolean sequential) {
    this.sequential = sequential;
  }

  /** How many peers may be asked for the same block in the endgame. */
  public void setMaxEndgameRequests(int max) {
    checkArgument(max >= 1, "max: %s (expected: >= 1)", max);
    this.maxEndgameRequests = max;
  }

  public int availability(int piece) {
    return availability[piece];
  }

  public void peerHas(int piece) {
    availability[piece]++;
  }

  public void peerHasAll(BitSet pieces) {
    for (int i = pieces.nextSetBit(0); i >= 0 && i < pieceCount; i = pieces.nextSetBit(i + 1)) {
      availability[i]++;
    }
  }

  public void peerGone(BitSet pieces) {
    for (int i = pieces.nextSetBit(0); i >= 0 && i < pieceCount; i = pieces.nextSetBit(i + 1)) {
      availability[i]--;
      availabilityFloor = Math.min(availabilityFloor, availability[i]);
    }
  }

  private boolean needed(int piece) {
    return needed.get(piece);
  }

  /** Whether a peer with these pieces has one that we need. */
  public boolean isInteresting(BitSet peerHas) {
    return peerHas.intersects(needed);
  }

  /** Whether every needed block has been requested at least once: the endgame. */
  public boolean inEndgame() {
    if (!unstarted.isEmpty()) {
      return false;
    }
    for (Partial<P> p : partials.values()) {
      if (priority[p.piece] == 0) {
        continue;
      }
      if (p.hasFree()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Picks up to {@code max} blocks to request from a peer that has {@code peerHas}, and counts
   * them as requested. {@code requestedFromPeer} tells which blocks not to ask this peer for:
   * those it already has outstanding (so that the endgame and deadlines never ask one peer twice
   * for a block) and those it recently failed to deliver in time.
   */
  public List<Block> pick(BitSet peerHas, int max, Predicate<Block> requestedFromPeer) {
    List<Block> picked = new ArrayList<>();
    if (max <= 0) {
      return picked;
    }
    // 0. Pieces with a deadline, earliest first; near or past it, blocks others have too.
    if (!deadlines.isEmpty()) {
      pickDeadlines(peerHas, max, requestedFromPeer, picked);
      if (picked.size() >= max) {
        return picked;
      }
    }
    // 1. Finish what was started.
    for (Partial<P> p : partials.values()) {
      if (!peerHas.get(p.piece) || priority[p.piece] == 0) {
        continue;
      }
      if (!p.hasFree()) {
        continue;
      }
      for (int b = p.firstFree; b < p.requests.length && picked.size() < max; b++) {
        if (!p.received[b] && p.requests[b] == 0 && !requestedFromPeer.test(block(p.piece, b))) {
          p.requests[b]++;
          picked.add(block(p.piece, b));
        }
      }
      if (picked.size() >= max) {
        return picked;
      }
    }
    // 2. Start new pieces.
    while (picked.size() < max) {
      int piece = choosePiece(peerHas);
      if (piece < 0) {
        break;
      }
      Partial<P> p = start(piece);
      for (int b = 0; b < p.requests.length && picked.size() < max; b++) {
        p.requests[b]++;
        picked.add(block(piece, b));
      }
    }
    // 3. Endgame: blocks requested from others, least requested first.
    if (picked.size() < max && inEndgame()) {
      Set<Block> pickedNow = new HashSet<>(picked);
      for (int round = 1; round < maxEndgameRequests && picked.size() < max; round++) {
        for (Partial<P> p : partials.values()) {
          if (!peerHas.get(p.piece) || priority[p.piece] == 0) {
            continue;
          }
          for (int b = 0; b < p.requests.length && picked.size() < max; b++) {
            if (p.received[b] || p.requests[b] != round) {
              continue; // checked before making the block: this runs on every refill in endgame
            }
            Block block = block(p.piece, b);
            if (!pickedNow.contains(block) && !requestedFromPeer.test(block)) {
              p.requests[b]++;
              picked.add(block);
              pickedNow.add(block);
            }
          }
        }
      }
    }
    return picked;
  }

  private void pickDeadlines(
      BitSet peerHas, int max, Predicate<Block> requestedFromPeer, List<Block> picked) {
    List<Map.Entry<Integer, Long>> order = new ArrayList<>(deadlines.entrySet());
    order.sort(
        Comparator.comparingLong((Map.Entry<Integer, Long> e) -> e.getValue())
            .thenComparingInt(Map.Entry::getKey));
    long now = nanoClock.getAsLong();
    for (Map.Entry<Integer, Long> e : order) {
      int piece = e.getKey();
      if (!peerHas.get(piece) || !needed(piece)) {
        continue;
      }
      Partial<P> p = partials.get(piece);
      if (p == null) {
        p = start(piece);
      }
      boolean urgent = now - (e.getValue() - deadlineUrgencyNanos) >= 0;
      // Fresh blocks first; then, when urgent, blocks already asked from others (least asked
      // first), each from this peer at most once.
      for (int round = 0; round < (urgent ? maxEndgameRequests : 1); round++) {
        for (int b = 0; b < p.requests.length; b++) {
          if (picked.size() >= max) {
            return;
          }
          if (!p.received[b] && p.requests[b] == round) {
            Block block = block(piece, b);
            if (!requestedFromPeer.test(block) && (round == 0 || !picked.contains(block))) {
              p.requests[b]++;
              picked.add(block);
            }
          }
        }
      }
    }
  }

  private Partial<P> start(int piece) {
    Partial<P> p = new Partial<>(piece, blockCount(piece));
    partials.put(piece, p);
    unstarted.clear(piece);
    return p;
  }

  /**
   * The wanted piece, among the unstarted ones {@code peerHas}, of the highest priority and then
   * the fewest peers (or the first, when sequential); ties are broken at random.
   *
   * <p>A candidate of the top priority that no other peer has (availability 1: {@code peerHas} is
   * a bitfield counted in the availability), or as few as {@link #availabilityFloor}, cannot be
   * beaten, so the scan takes the first such one it meets, starting at a random piece. Downloading
   * from seeders, nearly every pick ends there. A scan of all the candidates for each piece
   * started made such a download quadratic in the piece count (4 096 pieces: 8 million steps,
   * much of it before the JIT had compiled this loop). Otherwise two passes: one finds the best
   * and counts its ties, the other finds the tie chosen by one random number.
   */
  private int choosePiece(BitSet peerHas) {
    BitSet candidates = scratch;
    candidates.clear();
    candidates.or(unstarted);
    candidates.and(peerHas);
    int top = topPriority();
    int unbeatable = Math.max(availabilityFloor, 1);
    int start = sequential ? 0 : random.nextInt(pieceCount);
    int bestPriority = 0;
    int bestAvailability = Integer.MAX_VALUE;
    int ties = 0;
    int first = -1;
    for (int pass = 0; pass < 2; pass++) {
      int from = pass == 0 ? start : 0;
      int to = pass == 0 ? pieceCount : start;
      for (int i = candidates.nextSetBit(from); i >= 0 && i < to;
          i = candidates.nextSetBit(i + 1)) {
        int prio = priority[i];
        int avail = sequential ? 0 : availability[i];
        if (prio == top && avail <= unbeatable) {
          return i;
        }
        if (prio > bestPriority || (prio == bestPriority && avail < bestAvailability)) {
          bestPriority = prio;
          bestAvailability = avail;
          ties = 1;
          first = i;
        } else if (prio == bestPriority && avail == bestAvailability) {
          ties++;
        }
      }
    }
    if (first < 0 || sequential) {
      return first;
    }
    if (bestPriority == top && candidates.cardinality() == unstarted.cardinality()) {
      // This peer has every unstarted piece: the fewest peers any of them has is known now.
      availabilityFloor = bestAvailability;
    }
    if (ties == 1) {
      return first;
    }
    int skip = random.nextInt(ties);
    for (int i = candidates.nextSetBit(0); i >= 0; i = candidates.nextSetBit(i + 1)) {
      if (priority[i] == bestPriority && availability[i] == bestAvailability && skip-- == 0) {
        return i;
      }
    }
    throw new AssertionError("tie " + skip + " not found");
  }

  /** The highest priority any piece has: no candidate can have a higher one. */
  private int topPriority() {
    for (int level = piecesAtPriority.length - 1; level > 0; level--) {
      if (piecesAtPriority[level] > 0) {
        return level;
      }
    }
    return 0;
  }

  /**
   * How many requests for {@code block} are still out (after {@link #blockReceived} counted the
   * one answered): more than 0 only when it was asked of several peers, as in the end game.
   */
  public int requestsOutstanding(Block block) {
    Partial<P> p = partials.get(block.piece());
    int b = blockIndex(block);
    return p == null || b < 0 ? 0 : p.requests[b];
  }

  /** A request that will not be answered (cancelled, rejected, timed out, peer gone). */
  public void requestDropped(Block block) {
    Partial<P> p = partials.get(block.piece());
    int b = blockIndex(block);
    if (p != null && b >= 0 && p.requests[b] > 0) {
      p.requests[b]--;
      p.freed(b);
    }
  }

  /** The index of {@code block} in its piece, or -1 when it is not one of the piece's blocks. */
  private int blockIndex(Block block) {
    int piece = block.piece();
    int offset = block.offset();
    if (piece >= pieceCount || offset % Block.SIZE != 0) {
      return -1;
    }
    // As block(piece, offset / SIZE) would make it, without making it: this runs for every block.
    long left = pieceSize.applyAsLong(piece) - offset;
    return left > 0 && block.length() == Math.min(Block.SIZE, left) ? offset / Block.SIZE : -1;
  }

  /** A block arrived from {@code sender}, who had it requested. */
  public Received blockReceived(Block block, P sender) {
    if (block.piece() < pieceCount && have.get(block.piece())) {
      return Received.DUPLICATE;
    }
    Partial<P> p = partials.get(block.piece());
    int b = blockIndex(block);
    if (p == null || b < 0) {
      return Received.UNEXPECTED;
    }
    if (p.requests[b] > 0) {
      p.requests[b]--;
    }
    if (p.received[b]) {
      return Received.DUPLICATE;
    }
    p.received[b] = true;
    p.senders.set(b, sender);
    return Received.ACCEPTED;
  }

  /** The block is in storage; true when that completes its piece, which is then to be verified. */
  public boolean blockWritten(Block block) {
    Partial<P> p = partials.get(block.piece());
    int b = blockIndex(block);
    if (p == null || b < 0 || !p.received[b] || p.written[b]) {
      return false;
    }
    p.written[b] = true;
    p.writtenCount++;
    return p.writtenCount == p.written.length;
  }

  /** Storage did not take the block: it must be downloaded again. */
  public void blockWriteFailed(Block block) {
    Partial<P> p = partials.get(block.piece());
    int b = blockIndex(block);
    if (p != null && b >= 0 && !p.written[b]) {
      p.received[b] = false;
      p.senders.set(b, null);
      p.freed(b);
    }
  }

  /**
   * Forgets the written blocks {@code sender} gave pieces that still miss blocks, so that they are
   * downloaded again (from a peer found to send bad data). Blocks still being written, and pieces
   * complete and being verified, are left alone: their outcome still names the sender. Returns
   * how many blocks were forgotten.
   */
  public int discardBlocksFrom(P sender) {
    int discarded = 0;
    for (Partial<P> p : partials.values()) {
      if (p.writtenCount == p.written.length) {
        continue;
      }
      for (int b = 0; b < p.written.length; b++) {
        if (p.written[b] && sender.equals(p.senders.get(b))) {
          p.written[b] = false;
          p.received[b] = false;
          p.senders.set(b, null);
          p.freed(b);
          p.writtenCount--;
          discarded++;
        }
      }
    }
    return discarded;
  }

  /** Peers that have an outstanding request for this block (endgame duplicates to cancel). */
  public boolean isReceived(Block block) {
    Partial<P> p = partials.get(block.piece());
    int b = blockIndex(block);
    return have.get(block.piece()) || (p != null && b >= 0 && p.received[b]);
  }

  public void pieceVerified(int piece) {
    partials.remove(piece);
    deadlines.remove(piece);
    have.set(piece);
    needed.clear(piece);
    unstarted.clear(piece);
  }

  /** Who sent each block of {@code piece} (null where none was received); empty if not started. */
  public List<P> blockSenders(int piece) {
    Partial<P> p = partials.get(piece);
    return p == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(p.senders));
  }

  /**
   * The piece failed its hash check: start it again. Who sent its blocks is {@link
   * #blockSenders}, asked before this.
   */
  public void pieceFailed(int piece) {
    partials.remove(piece);
    unstarted.set(piece, needed(piece));
    availabilityFloor = Math.min(availabilityFloor, availability[piece]);
  }

  /** Pieces started and not yet verified. */
  public Set<Integer> partialPieces() {
    return new HashSet<>(partials.keySet());
  }
}
