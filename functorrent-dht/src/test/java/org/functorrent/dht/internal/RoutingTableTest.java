package org.functorrent.dht.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.functorrent.dht.NodeId;
import org.functorrent.dht.internal.RoutingTable.State;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** BEP 5's routing table rules, on a manual clock. */
class RoutingTableTest {
  private final long seed = new Random().nextLong();
  private final Random random = new Random(seed);
  private final ManualTicker clock = new ManualTicker();
  private final List<NodeContact> pinged = new ArrayList<>();
  private NodeId own;
  private RoutingTable table;
  private int nextIp;

  @BeforeEach
  void setUp() {
    own = NodeId.random(random);
    table = new RoutingTable(own, clock, 1, pinged::add);
  }

  /** A random id that shares exactly {@code prefix} leading bits with ours. */
  private NodeId idAt(int prefix) {
    NodeId id = NodeId.random(random);
    // Copy our first `prefix` bits, then flip the next one.
    byte[] b = id.toByteArray();
    byte[] o = own.toByteArray();
    for (int bit = 0; bit <= prefix; bit++) {
      int mask = 0x80 >>> (bit & 7);
      boolean ownBit = (o[bit >>> 3] & mask) != 0;
      boolean want = bit < prefix ? ownBit : !ownBit;
      b[bit >>> 3] = (byte) (want ? b[bit >>> 3] | mask : b[bit >>> 3] & ~mask);
    }
    NodeId out = NodeId.of(b);
    assertThat(own.commonPrefixLength(out)).isEqualTo(prefix);
    return out;
  }

  /** A node at a new IP address. */
  private NodeContact node(NodeId id) {
    nextIp++;
    return new NodeContact(id, new InetSocketAddress(
        "10." + (nextIp >>> 16 & 0xff) + "." + (nextIp >>> 8 & 0xff) + "." + (nextIp & 0xff),
        6881));
  }

  @Test
  void onlyTheBucketHoldingOurIdSplits() {
    for (int i = 0; i < 2000; i++) {
      table.heardFrom(node(NodeId.random(random)), true);
    }
    // Half of all random ids fall in the far half (bucket 0): it holds k of them and never split.
    assertThat(table.bucket(0)).as("seed %s", seed).hasSize(RoutingTable.K);
    assertThat(table.bucketCount()).as("seed %s", seed).isGreaterThan(5);
    for (int i = 0; i < table.bucketCount(); i++) {
      assertThat(table.bucket(i).size()).isLessThanOrEqualTo(RoutingTable.K);
      boolean last = i == table.bucketCount() - 1;
      for (RoutingTable.Entry e : table.bucket(i)) {
        int cpl = own.commonPrefixLength(e.contact().id());
        if (last) {
          assertThat(cpl).as("seed %s bucket %s", seed, i).isGreaterThanOrEqualTo(i);
        } else {
          assertThat(cpl).as("seed %s bucket %s", seed, i).isEqualTo(i);
        }
      }
    }
    // No bucket but the last can be partly empty while a closer one exists... only the last
    // splits, so every bucket before it was full when it split.
    assertThat(table.size()).isLessThanOrEqualTo(table.bucketCount() * RoutingTable.K);
  }

  @Test
  void theFirstSplitDividesTheSpaceInHalves() {
    for (int i = 0; i < RoutingTable.K; i++) {
      table.heardFrom(node(idAt(0)), true);
    }
    assertThat(table.bucketCount()).isEqualTo(1);
    table.heardFrom(node(idAt(3)), true);
    // 0..2^159 and 2^159..2^160: the far half with the 8 nodes, the near half with ours.
    assertThat(table.bucketCount()).isEqualTo(2);
    assertThat(table.bucket(0)).hasSize(8);
    assertThat(table.bucket(1)).hasSize(1);
    // The far half is full of good nodes and does not contain our id: the newcomer is discarded
    // (kept as a replacement), nobody is pinged.
    NodeContact late = node(idAt(0));
    table.heardFrom(late, true);
    assertThat(table.bucket(0)).hasSize(8).noneMatch(e -> e.contact().equals(late));
    assertThat(table.replacements(0)).containsExactly(late);
    assertThat(pinged).isEmpty();
    assertThat(table.bucketCount()).isEqualTo(2);
  }

  @Test
  void oneAddressCannotFloodTheTable() {
    RoutingTable t = new RoutingTable(own, clock, 3, pinged::add);
    for (int i = 0; i < 500; i++) {
      t.heardFrom(new NodeContact(NodeId.random(random),
          new InetSocketAddress("10.9.9.9", 1000 + i)), true);
    }
    assertThat(t.size()).isEqualTo(3);
    assertThat(t.rejectedPerIp()).isEqualTo(497);
    // Another address is still welcome.
    t.heardFrom(node(NodeId.random(random)), true);
    assertThat(t.size()).isEqualTo(4);
  }

  @Test
  void oneNodePerAddressAndOneAddressPerId() {
    NodeContact a = node(idAt(0));
    table.heardFrom(a, true);
    // Same IP:port, other id: ignored.
    table.heardFrom(new NodeContact(idAt(0), a.address()), true);
    // Same id, other address: does not move the node.
    table.heardFrom(node(a.id()), true);
    assertThat(table.entries()).extracting(RoutingTable.Entry::contact).containsExactly(a);
  }

  @Test
  void ourOwnIdNeverEntersTheTable() {
    table.heardFrom(node(own), true);
    assertThat(table.size()).isZero();
  }

  @Test
  void statesFollowBep5() {
    NodeContact a = node(idAt(0));
    table.heardFrom(a, true);
    assertThat(table.get(a.address()).state()).isEqualTo(State.GOOD);
    clock.advance(Duration.ofMinutes(15));
    assertThat(table.get(a.address()).state()).isEqualTo(State.QUESTIONABLE);
    // Answered once, and now queries us: good again.
    table.heardFrom(a, false);
    assertThat(table.get(a.address()).state()).isEqualTo(State.GOOD);
    clock.advance(Duration.ofMinutes(16));
    assertThat(table.get(a.address()).state()).isEqualTo(State.QUESTIONABLE);
    table.failed(a.address());
    assertThat(table.get(a.address()).state()).isEqualTo(State.QUESTIONABLE);
    table.failed(a.address());
    assertThat(table.get(a.address()).state()).isEqualTo(State.BAD);
    // An answer makes it good again: failures count in a row.
    table.heardFrom(a, true);
    assertThat(table.get(a.address()).state()).isEqualTo(State.GOOD);

    // A node that only ever queried us is not good, however recent.
    NodeContact b = node(idAt(0));
    table.heardFrom(b, false);
    assertThat(table.get(b.address()).state()).isEqualTo(State.QUESTIONABLE);
  }

  private List<NodeContact> fillFarBucket() {
    table.heardFrom(node(idAt(5)), true); // forces the first split, lands near us
    List<NodeContact> far = new ArrayList<>();
    for (int i = 0; i < RoutingTable.K; i++) {
      NodeContact c = node(idAt(0));
      far.add(c);
      table.heardFrom(c, true);
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(table.bucket(0)).hasSize(RoutingTable.K);
    return far;
  }

  @Test
  void aQuestionableNodeIsPingedTwiceThenReplaced() {
    List<NodeContact> far = fillFarBucket();
    clock.advance(Duration.ofMinutes(16)); // everyone questionable
    NodeContact newcomer = node(idAt(0));
    table.heardFrom(newcomer, true);
    // The least recently seen questionable node is pinged; the newcomer waits.
    assertThat(pinged).containsExactly(far.get(0));
    assertThat(table.get(newcomer.address())).isNull();
    table.failed(far.get(0).address());
    // BEP 5: try once more before discarding.
    assertThat(pinged).containsExactly(far.get(0), far.get(0));
    assertThat(table.get(far.get(0).address())).isNotNull();
    table.failed(far.get(0).address());
    assertThat(table.get(far.get(0).address())).isNull();
    assertThat(table.get(newcomer.address())).isNotNull();
    assertThat(table.get(newcomer.address()).state()).isEqualTo(State.GOOD);
    assertThat(table.bucket(0)).hasSize(RoutingTable.K);
  }

  @Test
  void aPingedNodeThatAnswersStaysAndTheNextQuestionableIsPinged() {
    List<NodeContact> far = fillFarBucket();
    clock.advance(Duration.ofMinutes(16));
    NodeContact newcomer = node(idAt(0));
    table.heardFrom(newcomer, true);
    assertThat(pinged).containsExactly(far.get(0));
    table.heardFrom(far.get(0), true); // it answered
    assertThat(table.get(far.get(0).address()).state()).isEqualTo(State.GOOD);
    assertThat(pinged).containsExactly(far.get(0), far.get(1));
    assertThat(table.get(newcomer.address())).isNull();
  }

  @Test
  void aBadNodeIsReplacedWithoutAPing() {
    List<NodeContact> far = fillFarBucket();
    table.failed(far.get(3).address());
    table.failed(far.get(3).address());
    assertThat(table.get(far.get(3).address()).state()).isEqualTo(State.BAD);
    NodeContact newcomer = node(idAt(0));
    table.heardFrom(newcomer, true);
    assertThat(table.get(far.get(3).address())).isNull();
    assertThat(table.get(newcomer.address())).isNotNull();
    assertThat(pinged).isEmpty();
  }

  @Test
  void aNodeThatOnlyQueriesUsNeitherEvictsNorCausesPings() {
    fillFarBucket();
    clock.advance(Duration.ofMinutes(16));
    NodeContact querier = node(idAt(0));
    table.heardFrom(querier, false);
    assertThat(table.get(querier.address())).isNull();
    assertThat(pinged).isEmpty();
  }

  @Test
  void closestIsByXorDistanceAndSkipsBadNodes() {
    List<NodeContact> all = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      NodeContact c = node(NodeId.random(random));
      table.heardFrom(c, true);
      if (table.get(c.address()) != null) {
        all.add(c);
      }
    }
    NodeId target = NodeId.random(random);
    List<NodeContact> expected = new ArrayList<>(all);
    expected.sort((x, y) -> target.compareDistance(x.id(), y.id()));
    assertThat(table.closest(target, 8)).as("seed %s", seed).isEqualTo(expected.subList(0, 8));
    table.failed(expected.get(0).address());
    table.failed(expected.get(0).address());
    // The bad node is gone from the answers (and from the table, if a replacement took its
    // place); the rest is still by distance.
    List<NodeContact> live = new ArrayList<>();
    for (RoutingTable.Entry e : table.entries()) {
      if (e.state() != State.BAD) {
        live.add(e.contact());
      }
    }
    live.sort((x, y) -> target.compareDistance(x.id(), y.id()));
    assertThat(table.closest(target, 8)).as("seed %s", seed)
        .doesNotContain(expected.get(0))
        .isEqualTo(live.subList(0, 8));
  }

  @Test
  void staleBucketsAreRefreshedWithAnIdInTheirRange() {
    for (int i = 0; i < 200; i++) {
      table.heardFrom(node(NodeId.random(random)), true);
    }
    assertThat(table.refreshTargets(random)).isEmpty();
    clock.advance(Duration.ofMinutes(15));
    List<NodeId> targets = table.refreshTargets(random);
    assertThat(targets).hasSize(table.bucketCount());
    for (int i = 0; i < targets.size(); i++) {
      int cpl = own.commonPrefixLength(targets.get(i));
      if (i < targets.size() - 1) {
        assertThat(cpl).as("seed %s bucket %s", seed, i).isEqualTo(i);
      } else {
        assertThat(cpl).as("seed %s bucket %s", seed, i).isGreaterThanOrEqualTo(i);
      }
    }
    // Counted as refreshed: not again right away.
    assertThat(table.refreshTargets(random)).isEmpty();
  }
}
