package org.functorrent.dht.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.functorrent.bencode.BencodeString;
import org.functorrent.dht.NodeId;
import org.functorrent.dht.internal.KrpcMessage.Response;
import org.junit.jupiter.api.Test;

/**
 * Lookups against a simulated network, answered by hand in a random order: never more than
 * alpha queries in flight, the lookup ends with the k closest live nodes, dead nodes are skipped.
 */
class LookupTest {
  private static final int NETWORK = 2000;
  private static final int ALPHA = 3;

  private record Query(InetSocketAddress to, Consumer<Response> onResponse, Runnable onFailure) {}

  /** A simulated network where every live node knows everyone. */
  private final class Network {
    final List<NodeContact> nodes = new ArrayList<>();
    final Set<InetSocketAddress> dead = new HashSet<>();
    final List<Query> pending = new ArrayList<>();
    int maxInFlight;
    int queries;

    Network(Random random, double deadShare) {
      for (int i = 0; i < NETWORK; i++) {
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 1024 + i);
        nodes.add(new NodeContact(NodeId.random(random), a));
        if (random.nextDouble() < deadShare) {
          dead.add(a);
        }
      }
    }

    NodeContact at(InetSocketAddress a) {
      return nodes.get(a.getPort() - 1024);
    }

    List<NodeContact> closest(NodeId target, int n, boolean liveOnly) {
      List<NodeContact> sorted = new ArrayList<>();
      for (NodeContact c : nodes) {
        if (!liveOnly || !dead.contains(c.address())) {
          sorted.add(c);
        }
      }
      sorted.sort((x, y) -> target.compareDistance(x.id(), y.id()));
      return sorted.subList(0, n);
    }

    Lookup.Querier querier() {
      return (to, kind, target, onResponse, onFailure) -> {
        queries++;
        pending.add(new Query(to, onResponse, onFailure));
        maxInFlight = Math.max(maxInFlight, pending.size());
      };
    }

    /** Answers pending queries one at a time, in random order, until none is left. */
    void run(Random random, NodeId target) {
      while (!pending.isEmpty()) {
        Query q = pending.remove(random.nextInt(pending.size()));
        if (dead.contains(q.to())) {
          q.onFailure().run();
        } else {
          // The 8 closest live nodes (as a node that keeps good nodes would answer) and the dead
          // ones among the 16 closest (which it has not noticed yet).
          NodeContact self = at(q.to());
          List<NodeContact> answer = new ArrayList<>(closest(target, 9, true));
          answer.remove(self);
          answer = new ArrayList<>(answer.subList(0, 8));
          for (NodeContact c : closest(target, 16, false)) {
            if (dead.contains(c.address())) {
              answer.add(c);
            }
          }
          q.onResponse().accept(new Response(BencodeString.of("t"), self.id(),
              com.google.common.collect.ImmutableList.copyOf(answer),
              com.google.common.collect.ImmutableList.of(),
              java.util.Optional.of(BencodeString.of("tok")), java.util.Optional.empty()));
        }
      }
    }
  }

  private void findsTheClosestLiveNodes(double deadShare) {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    Network net = new Network(random, deadShare);
    NodeId own = NodeId.random(random);
    NodeId target = NodeId.random(random);
    Lookup lookup = new Lookup(Lookup.Kind.GET_PEERS, target, ALPHA, own, net.querier(),
        a -> true, peers -> {});
    // Start from 8 random nodes, as a sparse routing table would.
    List<NodeContact> start = new ArrayList<>(net.nodes);
    Collections.shuffle(start, random);
    lookup.start(start.subList(0, 8), List.of());
    net.run(random, target);

    assertThat(lookup.done()).as("seed %s", seed).isCompleted();
    Lookup.Result result = lookup.done().join();
    assertThat(net.maxInFlight).as("seed %s", seed).isLessThanOrEqualTo(ALPHA);
    assertThat(result.closest()).extracting(Lookup.Answered::node).as("seed %s", seed)
        .containsExactlyElementsOf(net.closest(target, 8, true));
    assertThat(result.closest()).allMatch(a -> a.token().equals(BencodeString.of("tok")));
    // Far fewer queries than nodes: the lookup converges.
    assertThat(net.queries).as("seed %s", seed).isLessThan(200);
  }

  @Test
  void everyNodeAlive() {
    findsTheClosestLiveNodes(0);
  }

  @Test
  void aQuarterOfTheNodesDead() {
    findsTheClosestLiveNodes(0.25);
  }

  @Test
  void seedsWithUnknownIdsAreAskedFirstAndNothingLeftEndsTheLookup() {
    Random random = new Random();
    Network net = new Network(random, 0);
    NodeId target = NodeId.random(random);
    Lookup lookup = new Lookup(Lookup.Kind.FIND_NODE, target, ALPHA, NodeId.random(random),
        net.querier(), a -> true, peers -> {});
    lookup.start(List.of(), List.of(net.nodes.get(0).address()));
    assertThat(net.pending).hasSize(1);
    net.run(random, target);
    assertThat(lookup.done().join().closest()).extracting(Lookup.Answered::node)
        .containsExactlyElementsOf(net.closest(target, 8, true));

    Lookup empty = new Lookup(Lookup.Kind.FIND_NODE, target, ALPHA, NodeId.random(random),
        net.querier(), a -> true, peers -> {});
    empty.start(List.of(), List.of());
    assertThat(empty.done().join().queried()).isZero();
  }

  @Test
  void filteredAddressesAreNeverQueried() {
    Random random = new Random();
    Network net = new Network(random, 0);
    NodeId target = NodeId.random(random);
    Set<InetSocketAddress> asked = new HashSet<>();
    Lookup.Querier recording = (to, kind, t, onResponse, onFailure) -> {
      asked.add(to);
      net.querier().query(to, kind, t, onResponse, onFailure);
    };
    Lookup lookup = new Lookup(Lookup.Kind.FIND_NODE, target, ALPHA, NodeId.random(random),
        recording, a -> a.getPort() % 2 == 0, peers -> {});
    lookup.start(net.nodes.subList(0, 16), List.of());
    net.run(random, target);
    assertThat(asked).isNotEmpty().allMatch(a -> a.getPort() % 2 == 0);
  }
}
