package org.functorrent.peer.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.functorrent.metainfo.InfoHash;

/**
 * The state machine that fetches a torrent's info dictionary from peers with {@code ut_metadata}
 * (BEP 9), free of any I/O so that tests drive it with fake peers and a hand clock. The caller
 * feeds it events (a peer is ready, a data or reject message, a peer left, a clock tick) on one
 * thread and it answers through {@link Actions}.
 *
 * <ul>
 *   <li>Sizes: a peer announcing no {@code metadata_size}, or 0, or more than the limit, is
 *       refused.
 *       The size announced by the most peers is fetched; peers announcing another size wait.
 *   <li>Requests: the 16 KiB pieces are spread over the peers, at most {@link #MAX_IN_FLIGHT} per
 *       peer, a piece never asked of a peer that rejected it. A request unanswered for the timeout
 *       goes to another peer (to the same one only if no other can take it).
 *   <li>Checking: the assembled bytes must hash to the info-hash. When they do not and one peer
 *       sent every piece, that peer is banned. When several did, the fetch goes on in
 *       single-source mode: every piece from one peer at a time, so the next failure names the
 *       liar, who is banned; honest peers are never banned for another's data.
 *   <li>A data message with a wrong {@code total_size} or a wrong length for its piece bans its
 *       sender at once; data nobody asked for (or arriving after its request timed out) is ignored.
 * </ul>
 *
 * @param <P> how the caller names a peer connection
 */
final class MetadataFetcher<P> {
  /** Requests in flight per peer (per source in single-source mode: every missing piece). */
  static final int MAX_IN_FLIGHT = 4;

  /** What the fetcher asks of its caller. */
  interface Actions<P> {
    /** Sends {@code peer} a request for metadata piece {@code piece}. */
    void request(P peer, int piece);

    /** Closes the connection to {@code peer} and never lets that peer in again. */
    void ban(P peer, String reason);

    /** The metadata, its SHA-1 checked against the info-hash. Called once. */
    void completed(byte[] metadata);
  }

  private static final class PeerState {
    final long size;
    int inFlight;
    final Set<Integer> rejected = new HashSet<>();
    final Set<Integer> timedOut = new HashSet<>();

    PeerState(long size) {
      this.size = size;
    }
  }

  private record InFlight<Q>(Q peer, long sentNanos) {}

  private final InfoHash infoHash;
  private final long maxSize;
  private final long timeoutNanos;
  private final Actions<P> actions;
  private final Map<P, PeerState> peers = new LinkedHashMap<>();
  private final Map<Integer, InFlight<P>> inFlight = new HashMap<>();

  private long size = -1;
  private byte[][] pieces;
  private List<P> contributors;
  private int received;

  private boolean singleSource;
  private P source;
  private final Set<P> triedSources = new HashSet<>();
  private boolean done;
  private int hashFailures;

  MetadataFetcher(InfoHash infoHash, long maxSize, long timeoutNanos, Actions<P> actions) {
    this.infoHash = infoHash;
    this.maxSize = maxSize;
    this.timeoutNanos = timeoutNanos;
    this.actions = actions;
  }

  boolean isDone() {
    return done;
  }

  /** The size being fetched, or -1 before any peer announced one. */
  long size() {
    return size;
  }

  /** Whether a hash failure with several contributors made the fetch take one source at a time. */
  boolean isSingleSource() {
    return singleSource;
  }

  int hashFailures() {
    return hashFailures;
  }

  /** Peers able to serve (they announced a usable size). */
  int peerCount() {
    return peers.size();
  }

  /**
   * A peer's extended handshake announced {@code ut_metadata} and {@code metadataSize} (0 when it
   * announced none). Returns null when the peer is taken, otherwise why it is refused (the caller
   * closes it).
   */
  String peerReady(P peer, long metadataSize, long nowNanos) {
    if (done) {
      return "metadata already complete";
    }
    if (metadataSize <= 0) {
      return "no metadata_size in its extended handshake";
    }
    if (metadataSize > maxSize) {
      return "metadata_size " + metadataSize + " (expected: <= " + maxSize + ")";
    }
    peers.put(peer, new PeerState(metadataSize));
    assign(nowNanos);
    return null;
  }

  /** The connection to {@code peer} closed: its requests go to others. */
  void peerGone(P peer, long nowNanos) {
    if (peers.remove(peer) == null) {
      return;
    }
    inFlight.values().removeIf(f -> f.peer().equals(peer));
    if (peer.equals(source)) {
      source = null;
    }
    assign(nowNanos);
  }

  /** {@code peer} sent a reject for {@code piece}. */
  void rejected(P peer, int piece, long nowNanos) {
    PeerState state = peers.get(peer);
    if (state == null || done) {
      return;
    }
    state.rejected.add(piece);
    InFlight<P> f = inFlight.get(piece);
    if (f != null && f.peer().equals(peer)) {
      inFlight.remove(piece);
      state.inFlight--;
    }
    if (peer.equals(source)) {
      triedSources.add(peer);
      source = null;
    }
    assign(nowNanos);
  }

  /** {@code peer} sent piece {@code piece} of metadata it says is {@code totalSize} bytes. */
  void data(P peer, int piece, long totalSize, byte[] bytes, long nowNanos) {
    PeerState state = peers.get(peer);
    InFlight<P> f = inFlight.get(piece);
    if (state == null || done || f == null || !f.peer().equals(peer)) {
      return; // not asked of this peer (or no longer): ignored
    }
    inFlight.remove(piece);
    state.inFlight--;
    if (totalSize != size || bytes.length != MetadataMessage.pieceLength(size, piece)) {
      ban(peer, "ut_metadata piece " + piece + " of " + bytes.length + " bytes, total_size "
          + totalSize + " (expected: " + MetadataMessage.pieceLength(size, piece) + " bytes of "
          + size + ")");
      assign(nowNanos);
      return;
    }
    if (pieces[piece] == null) {
      pieces[piece] = bytes;
      contributors.set(piece, peer);
      received++;
    }
    if (received == pieces.length) {
      check(nowNanos);
    } else {
      assign(nowNanos);
    }
  }

  /** Once a second or so: requests unanswered for too long go to another peer. */
  void tick(long nowNanos) {
    if (done) {
      return;
    }
    List<Integer> late = new ArrayList<>();
    inFlight.forEach((piece, f) -> {
      if (nowNanos - f.sentNanos() > timeoutNanos) {
        late.add(piece);
      }
    });
    for (int piece : late) {
      InFlight<P> f = inFlight.remove(piece);
      PeerState state = peers.get(f.peer());
      if (state != null) {
        state.inFlight--;
        state.timedOut.add(piece);
      }
      if (f.peer().equals(source)) {
        triedSources.add(source);
        source = null;
      }
    }
    assign(nowNanos);
  }

  private void check(long nowNanos) {
    byte[] metadata = new byte[(int) size];
    for (int i = 0; i < pieces.length; i++) {
      System.arraycopy(pieces[i], 0, metadata, i * MetadataMessage.PIECE_SIZE, pieces[i].length);
    }
    if (InfoHash.sha1Of(metadata).equals(infoHash)) {
      done = true;
      for (InFlight<P> f : inFlight.values()) {
        PeerState s = peers.get(f.peer());
        if (s != null) {
          s.inFlight--;
        }
      }
      inFlight.clear();
      actions.completed(metadata);
      return;
    }
    hashFailures++;
    Set<P> distinct = new HashSet<>(contributors);
    if (distinct.size() == 1) {
      ban(distinct.iterator().next(), "its metadata does not match the info-hash");
    } else {
      // Several peers contributed and any of them may have lied: from now on one source at a
      // time, so that the next failure has a single culprit.
      singleSource = true;
    }
    reset();
    assign(nowNanos);
  }

  private void ban(P peer, String reason) {
    PeerState state = peers.remove(peer);
    if (state == null) {
      return;
    }
    inFlight.values().removeIf(f -> f.peer().equals(peer));
    if (peer.equals(source)) {
      source = null;
    }
    actions.ban(peer, reason);
  }

  /** Forgets every received piece and the chosen size (requests in flight are dropped). */
  private void reset() {
    for (InFlight<P> f : inFlight.values()) {
      PeerState s = peers.get(f.peer());
      if (s != null) {
        s.inFlight--;
      }
    }
    inFlight.clear();
    size = -1;
    pieces = null;
    contributors = null;
    received = 0;
  }

  /** The size announced by the most peers (the first announced on a tie); -1 with no peer. */
  private long popularSize() {
    Map<Long, Integer> votes = new LinkedHashMap<>();
    for (PeerState s : peers.values()) {
      votes.merge(s.size, 1, Integer::sum);
    }
    long best = -1;
    int bestVotes = 0;
    for (Map.Entry<Long, Integer> e : votes.entrySet()) {
      if (e.getValue() > bestVotes) {
        best = e.getKey();
        bestVotes = e.getValue();
      }
    }
    return best;
  }

  private void assign(long nowNanos) {
    if (done) {
      return;
    }
    if (size >= 0 && peers.values().stream().noneMatch(s -> s.size == size)) {
      reset(); // nobody left who serves this size
    }
    if (size < 0) {
      long chosen = popularSize();
      if (chosen < 0) {
        return;
      }
      size = chosen;
      int count = MetadataMessage.pieceCount(size);
      pieces = new byte[count][];
      contributors = new ArrayList<>(Collections.nCopies(count, null));
      received = 0;
    }
    if (singleSource) {
      assignSingleSource(nowNanos);
      return;
    }
    for (int piece = 0; piece < pieces.length; piece++) {
      if (pieces[piece] != null || inFlight.containsKey(piece)) {
        continue;
      }
      P best = pick(piece, false);
      if (best == null) {
        best = pick(piece, true); // only peers that were slow on this piece are left
      }
      if (best == null) {
        continue;
      }
      send(best, piece, nowNanos);
    }
  }

  private P pick(int piece, boolean allowTimedOut) {
    P best = null;
    int bestLoad = Integer.MAX_VALUE;
    for (Map.Entry<P, PeerState> e : peers.entrySet()) {
      PeerState s = e.getValue();
      if (s.size != size
          || s.inFlight >= MAX_IN_FLIGHT
          || s.rejected.contains(piece)
          || (!allowTimedOut && s.timedOut.contains(piece))) {
        continue;
      }
      if (s.inFlight < bestLoad) {
        best = e.getKey();
        bestLoad = s.inFlight;
      }
    }
    return best;
  }

  private void assignSingleSource(long nowNanos) {
    if (source == null || !peers.containsKey(source)) {
      source = null;
      for (Map.Entry<P, PeerState> e : peers.entrySet()) {
        // A peer that rejected a piece cannot be the one source of all of them.
        if (e.getValue().size == size
            && e.getValue().rejected.isEmpty()
            && !triedSources.contains(e.getKey())) {
          source = e.getKey();
          break;
        }
      }
      if (source == null && !triedSources.isEmpty()) {
        // Every peer had its turn (slow or rejecting): round again, rejections forgiven.
        triedSources.clear();
        peers.values().forEach(s -> s.rejected.clear());
        assignSingleSource(nowNanos);
        return;
      }
      if (source == null) {
        return;
      }
      // Pieces from earlier sources stay out of the new source's metadata.
      for (InFlight<P> f : inFlight.values()) {
        PeerState s = peers.get(f.peer());
        if (s != null) {
          s.inFlight--;
        }
      }
      inFlight.clear();
      Arrays.fill(pieces, null);
      Collections.fill(contributors, null);
      received = 0;
    }
    PeerState state = peers.get(source);
    for (int piece = 0; piece < pieces.length && state.inFlight < MAX_IN_FLIGHT; piece++) {
      if (pieces[piece] == null
          && !inFlight.containsKey(piece)
          && !state.rejected.contains(piece)) {
        send(source, piece, nowNanos);
      }
    }
  }

  private void send(P peer, int piece, long nowNanos) {
    inFlight.put(piece, new InFlight<>(peer, nowNanos));
    peers.get(peer).inFlight++;
    actions.request(peer, piece);
  }
}
