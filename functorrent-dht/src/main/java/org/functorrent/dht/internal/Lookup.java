package org.functorrent.dht.internal;

import com.google.common.collect.ImmutableList;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.functorrent.bencode.BencodeString;
import org.functorrent.dht.NodeId;
import org.functorrent.dht.internal.KrpcMessage.Response;

/**
 * An iterative lookup (BEP 5, Kademlia): find_node or get_peers sent to closer and closer nodes,
 * at most {@code alpha} in flight, until the {@link RoutingTable#K} closest nodes that did not
 * fail have all answered, or nobody is left to ask. Nodes given only by address (bootstrap nodes)
 * are asked first and do not count among the closest. Not thread-safe: confined to the node's
 * event loop, like everything it calls.
 */
final class Lookup {
  /** The most candidates a lookup keeps; the farthest unasked ones give way. */
  static final int MAX_CANDIDATES = 256;

  enum Kind {
    FIND_NODE,
    GET_PEERS
  }

  /** Sends a query on the lookup's behalf and reports the answer. */
  interface Querier {
    /** Sends the lookup's query to {@code address}; exactly one of the callbacks runs later. */
    void query(InetSocketAddress address, Kind kind, NodeId target, Consumer<Response> onResponse,
        Runnable onFailure);
  }

  /** A node that answered, with the token it gave (for get_peers). */
  record Answered(NodeContact node, BencodeString token) {}

  /** What a finished lookup found. */
  record Result(
      ImmutableList<InetSocketAddress> peers,
      ImmutableList<Answered> closest,
      int queried,
      int answered) {}

  private enum State {
    FRESH,
    IN_FLIGHT,
    ANSWERED,
    FAILED
  }

  private static final class Candidate {
    final NodeContact contact;
    State state = State.FRESH;
    BencodeString token;

    Candidate(NodeContact contact) {
      this.contact = contact;
    }
  }

  private final Kind kind;
  private final NodeId target;
  private final int alpha;
  private final Querier querier;
  private final Predicate<InetSocketAddress> allowed;
  private final NodeId own;
  private final Consumer<List<InetSocketAddress>> onPeers;
  private final CompletableFuture<Result> done = new CompletableFuture<>();

  /** Candidates by their distance to the target. */
  private final TreeMap<NodeId, Candidate> candidates = new TreeMap<>();
  private final List<InetSocketAddress> seeds = new ArrayList<>();
  private final Set<InetSocketAddress> contacted = new HashSet<>();
  private final LinkedHashSet<InetSocketAddress> peers = new LinkedHashSet<>();
  private int inFlight;
  private int queried;
  private int answered;

  Lookup(
      Kind kind,
      NodeId target,
      int alpha,
      NodeId own,
      Querier querier,
      Predicate<InetSocketAddress> allowed,
      Consumer<List<InetSocketAddress>> onPeers) {
    this.kind = kind;
    this.target = target;
    this.alpha = alpha;
    this.own = own;
    this.querier = querier;
    this.allowed = allowed;
    this.onPeers = onPeers;
  }

  CompletableFuture<Result> done() {
    return done;
  }

  NodeId target() {
    return target;
  }

  /** Starts with {@code known} nodes and {@code addresses} of nodes whose ids we do not know. */
  void start(List<NodeContact> known, List<InetSocketAddress> addresses) {
    for (NodeContact c : known) {
      offer(c);
    }
    for (InetSocketAddress a : addresses) {
      if (allowed.test(a) && !seeds.contains(a)) {
        seeds.add(a);
      }
    }
    step();
  }

  /** Peers known before the lookup starts (from our own store): given to {@code onPeers} first. */
  void addKnownPeers(List<InetSocketAddress> known) {
    List<InetSocketAddress> fresh = new ArrayList<>();
    for (InetSocketAddress p : known) {
      if (peers.add(p)) {
        fresh.add(p);
      }
    }
    if (!fresh.isEmpty()) {
      onPeers.accept(List.copyOf(fresh));
    }
  }

  /** Ends the lookup now with what it has. */
  void cancel() {
    finish();
  }

  private void offer(NodeContact c) {
    if (c.id().equals(own) || !allowed.test(c.address()) || contacted.contains(c.address())) {
      return;
    }
    NodeId distance = c.id().distance(target);
    if (candidates.containsKey(distance)) {
      return;
    }
    if (candidates.size() >= MAX_CANDIDATES) {
      Map.Entry<NodeId, Candidate> farthest = candidates.lastEntry();
      if (farthest.getKey().compareTo(distance) < 0 || farthest.getValue().state != State.FRESH) {
        return;
      }
      candidates.pollLastEntry();
    }
    candidates.put(distance, new Candidate(c));
  }

  private void step() {
    if (done.isDone()) {
      return;
    }
    while (inFlight < alpha && !seeds.isEmpty()) {
      InetSocketAddress a = seeds.remove(0);
      if (contacted.add(a)) {
        send(a, null);
      }
    }
    int counted = 0;
    boolean allAnswered = true;
    for (Candidate c : candidates.values()) {
      if (c.state == State.FAILED) {
        continue;
      }
      counted++;
      if (c.state != State.ANSWERED) {
        allAnswered = false;
      }
      if (c.state == State.FRESH && inFlight < alpha) {
        if (contacted.add(c.contact.address())) {
          send(c.contact.address(), c);
        } else {
          c.state = State.FAILED; // the same address under another id: asked already
          counted--;
        }
      }
      if (counted >= RoutingTable.K) {
        break;
      }
    }
    boolean closestAnswered = counted >= RoutingTable.K && allAnswered;
    if (closestAnswered || (inFlight == 0 && seeds.isEmpty())) {
      finish();
    }
  }

  private void send(InetSocketAddress address, Candidate c) {
    if (c != null) {
      c.state = State.IN_FLIGHT;
    }
    inFlight++;
    queried++;
    querier.query(
        address,
        kind,
        target,
        response -> {
          inFlight--;
          answered++;
          if (c != null) {
            c.state = State.ANSWERED;
            c.token = response.token().orElse(null);
          } else {
            // A seed: now that we know its id, it is a candidate like any other.
            Candidate known = new Candidate(new NodeContact(response.sender(), address));
            known.state = State.ANSWERED;
            known.token = response.token().orElse(null);
            if (!response.sender().equals(own)) {
              candidates.putIfAbsent(response.sender().distance(target), known);
            }
          }
          if (!done.isDone()) {
            for (NodeContact n : response.nodes()) {
              offer(n);
            }
            if (kind == Kind.GET_PEERS && !response.values().isEmpty()) {
              List<InetSocketAddress> fresh = new ArrayList<>();
              for (InetSocketAddress p : response.values()) {
                if (peers.add(p)) {
                  fresh.add(p);
                }
              }
              if (!fresh.isEmpty()) {
                onPeers.accept(List.copyOf(fresh));
              }
            }
          }
          step();
        },
        () -> {
          inFlight--;
          if (c != null) {
            c.state = State.FAILED;
          }
          step();
        });
  }

  private void finish() {
    if (done.isDone()) {
      return;
    }
    ImmutableList.Builder<Answered> closest = ImmutableList.builder();
    int n = 0;
    for (Candidate c : candidates.values()) {
      if (c.state == State.ANSWERED) {
        closest.add(new Answered(c.contact, c.token));
        if (++n == RoutingTable.K) {
          break;
        }
      }
    }
    done.complete(new Result(ImmutableList.copyOf(peers), closest.build(), queried, answered));
  }
}
