package org.functorrent.dht.internal;

import com.google.common.base.Ticker;
import com.google.common.collect.HashMultiset;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.Multiset;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.functorrent.dht.NodeId;

/**
 * The routing table of BEP 5: k-buckets (k = 8) covering the id space, where only the bucket that
 * holds our own id splits. Bucket {@code i} (all but the last) holds the nodes whose ids share
 * exactly {@code i} leading bits with ours; the last bucket holds those that share at least as
 * many as its index.
 *
 * <p>A node is <em>good</em> if it answered one of our queries within the last 15 minutes, or
 * answered one ever and queried us within the last 15 minutes; <em>bad</em> after {@value
 * #MAX_FAILURES} failed queries in a row; <em>questionable</em> otherwise. A node that answers us
 * enters a full bucket by taking the place of a bad node; if there is none but there are
 * questionable nodes, it waits in the bucket's replacement cache while the least recently seen
 * questionable node is pinged (twice before it counts as bad). A node that only queried us enters a
 * bucket only where there is room, and never makes anyone be pinged.
 *
 * <p>Against flooding: one node per IP:port, one IP:port per node id, at most {@code
 * maxNodesPerIp} nodes per IP address, replacement caches of at most k entries.
 *
 * <p>Not thread-safe: the node confines it to its event loop. Time comes from the given {@link
 * Ticker}, so tests move the clock instead of sleeping.
 */
public final class RoutingTable {
  /** The size of a bucket. */
  public static final int K = 8;

  /** After this long without contact a good node becomes questionable; also the refresh age. */
  public static final Duration GOOD_FOR = Duration.ofMinutes(15);

  /** Failed queries in a row after which a node is bad. */
  public static final int MAX_FAILURES = 2;

  /** Node states of BEP 5. */
  public enum State {
    GOOD,
    QUESTIONABLE,
    BAD
  }

  /** Pings a node on the table's behalf; the answer comes back as {@link #heardFrom} or {@link
   * #failed}. */
  public interface Pinger {
    void ping(NodeContact node);
  }

  /** A node in the table. */
  public final class Entry {
    private final NodeContact contact;
    private boolean everResponded;
    private long lastResponse;
    private long lastQuery = Long.MIN_VALUE;
    private long lastSeen;
    private int failures;
    private boolean pinging;

    private Entry(NodeContact contact, long now) {
      this.contact = contact;
      this.lastSeen = now;
    }

    public NodeContact contact() {
      return contact;
    }

    public State state() {
      long now = ticker.read();
      if (failures >= MAX_FAILURES) {
        return State.BAD;
      }
      if (everResponded
          && (now - lastResponse < goodForNanos
              || (lastQuery != Long.MIN_VALUE && now - lastQuery < goodForNanos))) {
        return State.GOOD;
      }
      return State.QUESTIONABLE;
    }

    @Override
    public String toString() {
      return contact + " " + state() + (failures > 0 ? " failures=" + failures : "");
    }
  }

  private final class Bucket {
    final List<Entry> entries = new ArrayList<>(K);
    final List<NodeContact> replacements = new ArrayList<>(K);
    long lastChanged;

    Bucket(long now) {
      lastChanged = now;
    }

    Entry find(NodeId id) {
      for (Entry e : entries) {
        if (e.contact.id().equals(id)) {
          return e;
        }
      }
      return null;
    }
  }

  private final NodeId own;
  private final Ticker ticker;
  private final int maxNodesPerIp;
  private final Pinger pinger;
  private final long goodForNanos = GOOD_FOR.toNanos();
  private final List<Bucket> buckets = new ArrayList<>();
  private final Map<InetSocketAddress, Entry> byAddress = new HashMap<>();
  private final Multiset<InetAddress> perIp = HashMultiset.create();
  private long rejectedPerIp;

  public RoutingTable(NodeId own, Ticker ticker, int maxNodesPerIp, Pinger pinger) {
    this.own = own;
    this.ticker = ticker;
    this.maxNodesPerIp = maxNodesPerIp;
    this.pinger = pinger;
    buckets.add(new Bucket(ticker.read()));
  }

  public NodeId ownId() {
    return own;
  }

  /** The number of nodes in the table, of every state. */
  public int size() {
    return byAddress.size();
  }

  public int bucketCount() {
    return buckets.size();
  }

  /** Nodes refused because their IP address already had {@code maxNodesPerIp} nodes. */
  public long rejectedPerIp() {
    return rejectedPerIp;
  }

  /** The entry at {@code address}, or null. */
  public Entry get(InetSocketAddress address) {
    return byAddress.get(address);
  }

  /** Every entry, bucket by bucket. */
  public List<Entry> entries() {
    List<Entry> all = new ArrayList<>(byAddress.size());
    for (Bucket b : buckets) {
      all.addAll(b.entries);
    }
    return all;
  }

  /** The entries of bucket {@code index}, for tests and diagnostics. */
  public List<Entry> bucket(int index) {
    return List.copyOf(buckets.get(index).entries);
  }

  /** The replacement cache of bucket {@code index}, for tests and diagnostics. */
  public List<NodeContact> replacements(int index) {
    return List.copyOf(buckets.get(index).replacements);
  }

  private int indexOf(NodeId id) {
    return Math.min(own.commonPrefixLength(id), buckets.size() - 1);
  }

  /**
   * Records that {@code node} answered one of our queries ({@code response}) or sent us a query,
   * and inserts it when the rules allow.
   */
  public void heardFrom(NodeContact node, boolean response) {
    if (node.id().equals(own)) {
      return;
    }
    long now = ticker.read();
    Entry existing = byAddress.get(node.address());
    if (existing != null) {
      if (!existing.contact.id().equals(node.id())) {
        return; // one id per address: a second id at the same address is ignored
      }
      existing.lastSeen = now;
      Bucket bucket = buckets.get(indexOf(node.id()));
      if (response) {
        existing.everResponded = true;
        existing.lastResponse = now;
        existing.failures = 0;
        bucket.lastChanged = now;
        if (existing.pinging) {
          existing.pinging = false;
          pingNextQuestionable(bucket);
        }
      } else {
        existing.lastQuery = now;
      }
      return;
    }
    while (true) {
      int index = indexOf(node.id());
      Bucket bucket = buckets.get(index);
      if (bucket.find(node.id()) != null) {
        return; // one address per id: a node cannot be moved by whoever claims its id
      }
      if (perIp.count(node.address().getAddress()) >= maxNodesPerIp) {
        rejectedPerIp++;
        return;
      }
      if (bucket.entries.size() < K) {
        add(bucket, node, response, now);
        return;
      }
      if (index == buckets.size() - 1 && buckets.size() < NodeId.BITS) {
        split();
        continue;
      }
      for (Entry e : bucket.entries) {
        if (e.state() == State.BAD) {
          remove(bucket, e);
          add(bucket, node, response, now);
          return;
        }
      }
      if (!response) {
        return;
      }
      addReplacement(bucket, node);
      pingNextQuestionable(bucket);
      return;
    }
  }

  /** Records that a query to the node at {@code address} got no (valid) answer. */
  public void failed(InetSocketAddress address) {
    Entry e = byAddress.get(address);
    if (e == null) {
      for (Bucket b : buckets) {
        b.replacements.removeIf(c -> c.address().equals(address));
      }
      return;
    }
    Bucket bucket = buckets.get(indexOf(e.contact.id()));
    e.failures++;
    boolean wasPinging = e.pinging;
    e.pinging = false;
    if (e.failures >= MAX_FAILURES) {
      if (!bucket.replacements.isEmpty()) {
        remove(bucket, e);
        promoteReplacement(bucket);
        pingNextQuestionable(bucket);
      }
    } else if (wasPinging) {
      e.pinging = true; // BEP 5: try once more before discarding
      pinger.ping(e.contact);
    }
  }

  private void promoteReplacement(Bucket bucket) {
    long now = ticker.read();
    while (!bucket.replacements.isEmpty() && bucket.entries.size() < K) {
      NodeContact c = bucket.replacements.remove(bucket.replacements.size() - 1);
      if (byAddress.containsKey(c.address()) || bucket.find(c.id()) != null
          || perIp.count(c.address().getAddress()) >= maxNodesPerIp) {
        continue;
      }
      add(bucket, c, true, now);
      return;
    }
  }

  private void pingNextQuestionable(Bucket bucket) {
    if (bucket.replacements.isEmpty()) {
      return;
    }
    Entry oldest = null;
    for (Entry e : bucket.entries) {
      if (e.pinging) {
        return; // one at a time
      }
      if (e.state() == State.QUESTIONABLE && (oldest == null || e.lastSeen < oldest.lastSeen)) {
        oldest = e;
      }
    }
    if (oldest != null) {
      oldest.pinging = true;
      pinger.ping(oldest.contact);
    }
  }

  private void addReplacement(Bucket bucket, NodeContact node) {
    bucket.replacements.removeIf(
        c -> c.address().equals(node.address()) || c.id().equals(node.id()));
    if (bucket.replacements.size() == K) {
      bucket.replacements.remove(0);
    }
    bucket.replacements.add(node);
  }

  private void add(Bucket bucket, NodeContact node, boolean response, long now) {
    Entry e = new Entry(node, now);
    if (response) {
      e.everResponded = true;
      e.lastResponse = now;
    } else {
      e.lastQuery = now;
    }
    bucket.entries.add(e);
    bucket.lastChanged = now;
    byAddress.put(node.address(), e);
    perIp.add(node.address().getAddress());
  }

  private void remove(Bucket bucket, Entry e) {
    bucket.entries.remove(e);
    byAddress.remove(e.contact.address());
    perIp.remove(e.contact.address().getAddress());
  }

  /** Splits the last bucket (the one that holds our id) in two. */
  private void split() {
    int index = buckets.size() - 1;
    Bucket old = buckets.get(index);
    Bucket next = new Bucket(old.lastChanged);
    next.lastChanged = old.lastChanged;
    buckets.add(next);
    for (Iterator<Entry> it = old.entries.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (own.commonPrefixLength(e.contact.id()) > index) {
        it.remove();
        next.entries.add(e);
      }
    }
    for (Iterator<NodeContact> it = old.replacements.iterator(); it.hasNext(); ) {
      NodeContact c = it.next();
      if (own.commonPrefixLength(c.id()) > index) {
        it.remove();
        next.replacements.add(c);
      }
    }
  }

  /** Up to {@code count} nodes that are not bad, closest to {@code target} first. */
  public ImmutableList<NodeContact> closest(NodeId target, int count) {
    List<Entry> candidates = new ArrayList<>(byAddress.size());
    for (Entry e : byAddress.values()) {
      if (e.state() != State.BAD) {
        candidates.add(e);
      }
    }
    candidates.sort(Comparator.comparing(e -> e.contact.id(), target::compareDistance));
    ImmutableList.Builder<NodeContact> out = ImmutableList.builder();
    for (int i = 0; i < Math.min(count, candidates.size()); i++) {
      out.add(candidates.get(i).contact);
    }
    return out.build();
  }

  /** Up to {@code count} good nodes, most recently answered first (for the state file). */
  public ImmutableList<NodeContact> goodNodes(int count) {
    List<Entry> good = new ArrayList<>();
    for (Entry e : byAddress.values()) {
      if (e.state() == State.GOOD) {
        good.add(e);
      }
    }
    good.sort(Comparator.comparingLong((Entry e) -> e.lastResponse).reversed());
    ImmutableList.Builder<NodeContact> out = ImmutableList.builder();
    for (int i = 0; i < Math.min(count, good.size()); i++) {
      out.add(good.get(i).contact);
    }
    return out.build();
  }

  /**
   * For each bucket unchanged for {@link #GOOD_FOR}, a random id in its range to look up; each
   * such bucket counts as changed now, so that it is not refreshed again before the lookup ends.
   */
  public List<NodeId> refreshTargets(Random random) {
    long now = ticker.read();
    List<NodeId> targets = new ArrayList<>();
    for (int i = 0; i < buckets.size(); i++) {
      Bucket b = buckets.get(i);
      if (now - b.lastChanged >= goodForNanos) {
        b.lastChanged = now;
        targets.add(randomIdIn(i, random));
      }
    }
    return targets;
  }

  /** A random id that falls in bucket {@code index}. */
  public NodeId randomIdIn(int index, Random random) {
    byte[] id = own.toByteArray();
    byte[] noise = new byte[NodeId.LENGTH];
    random.nextBytes(noise);
    boolean last = index == buckets.size() - 1;
    // Keep the first `index` bits of our id; flip bit `index` unless this is the last bucket;
    // randomise the rest.
    int firstRandom = last ? index : index + 1;
    for (int bit = firstRandom; bit < NodeId.BITS; bit++) {
      int mask = 0x80 >>> (bit & 7);
      id[bit >>> 3] = (byte) ((id[bit >>> 3] & ~mask) | (noise[bit >>> 3] & mask));
    }
    if (!last) {
      id[index >>> 3] ^= (byte) (0x80 >>> (index & 7));
    }
    return NodeId.of(id);
  }
}
