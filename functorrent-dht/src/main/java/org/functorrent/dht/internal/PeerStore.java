package org.functorrent.dht.internal;

import com.google.common.base.Ticker;
import com.google.common.collect.ImmutableList;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.functorrent.metainfo.InfoHash;

/**
 * The peers other nodes announced to us, per info-hash, each for {@code ttl} after its last
 * announce. Bounded: at most {@code maxInfoHashes} info-hashes (a new one is refused when full
 * and nothing has expired) and {@code maxPeersPerInfoHash} peers each (the oldest announce gives
 * way). Not thread-safe (confined to the node's event loop).
 */
public final class PeerStore {
  /** The most peers one get_peers response carries, which keeps it well inside a datagram. */
  public static final int MAX_VALUES = 50;

  private final Ticker ticker;
  private final long ttlNanos;
  private final int maxInfoHashes;
  private final int maxPeersPerInfoHash;
  /** Per info-hash, peer to expiry time, oldest announce first. */
  private final Map<InfoHash, LinkedHashMap<InetSocketAddress, Long>> peers = new HashMap<>();
  /** The number of peers of all info-hashes together. */
  private int total;

  public PeerStore(Ticker ticker, Duration ttl, int maxInfoHashes, int maxPeersPerInfoHash) {
    this.ticker = ticker;
    this.ttlNanos = ttl.toNanos();
    this.maxInfoHashes = maxInfoHashes;
    this.maxPeersPerInfoHash = maxPeersPerInfoHash;
  }

  /** Stores or refreshes {@code peer} under {@code infoHash}; false if the store is full. */
  public boolean add(InfoHash infoHash, InetSocketAddress peer) {
    long now = ticker.read();
    LinkedHashMap<InetSocketAddress, Long> swarm = peers.get(infoHash);
    if (swarm == null) {
      if (peers.size() >= maxInfoHashes) {
        expire();
        if (peers.size() >= maxInfoHashes) {
          return false;
        }
      }
      swarm = new LinkedHashMap<>();
      peers.put(infoHash, swarm);
    }
    if (swarm.remove(peer) == null) {
      total++;
    }
    swarm.put(peer, now + ttlNanos);
    if (swarm.size() > maxPeersPerInfoHash) {
      Iterator<InetSocketAddress> oldest = swarm.keySet().iterator();
      oldest.next();
      oldest.remove();
      total--;
    }
    return true;
  }

  /** Up to {@link #MAX_VALUES} live peers of {@code infoHash}, a random choice if more. */
  public ImmutableList<InetSocketAddress> get(InfoHash infoHash, Random random) {
    LinkedHashMap<InetSocketAddress, Long> swarm = peers.get(infoHash);
    if (swarm == null) {
      return ImmutableList.of();
    }
    long now = ticker.read();
    expire(swarm, now);
    if (swarm.isEmpty()) {
      peers.remove(infoHash);
      return ImmutableList.of();
    }
    List<InetSocketAddress> live = new ArrayList<>(swarm.keySet());
    if (live.size() > MAX_VALUES) {
      Collections.shuffle(live, random);
      live = live.subList(0, MAX_VALUES);
    }
    return ImmutableList.copyOf(live);
  }

  /** Drops every expired peer and every info-hash left without one. */
  public void expire() {
    long now = ticker.read();
    for (Iterator<LinkedHashMap<InetSocketAddress, Long>> it = peers.values().iterator();
        it.hasNext(); ) {
      LinkedHashMap<InetSocketAddress, Long> swarm = it.next();
      expire(swarm, now);
      if (swarm.isEmpty()) {
        it.remove();
      }
    }
  }

  private void expire(LinkedHashMap<InetSocketAddress, Long> swarm, long now) {
    int before = swarm.size();
    swarm.values().removeIf(expiry -> expiry - now <= 0);
    total -= before - swarm.size();
  }

  public int infoHashCount() {
    return peers.size();
  }

  public int peerCount() {
    return total;
  }
}
