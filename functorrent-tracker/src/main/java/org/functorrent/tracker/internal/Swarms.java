package org.functorrent.tracker.internal;

import com.google.common.base.Ticker;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.functorrent.tracker.AnnounceEvent;
import org.functorrent.tracker.ScrapeStats;

/**
 * The tracker server's memory: the peers of each torrent. Not thread-safe: the server confines it
 * to one event loop.
 */
public final class Swarms {
  /** A peer as the tracker knows it. */
  public record Peer(PeerId peerId, InetSocketAddress address, boolean seed, long lastSeenNanos) {}

  /** The answer to an announce. */
  public record Result(long seeders, long leechers, ImmutableList<Peer> peers) {}

  private static final class Swarm {
    final Map<PeerId, Peer> peers = new LinkedHashMap<>();
    long completed;
  }

  private final Map<InfoHash, Swarm> swarms = new HashMap<>();
  private final Ticker ticker;
  private final long expiryNanos;

  public Swarms(Ticker ticker, Duration expiry) {
    this.ticker = ticker;
    this.expiryNanos = expiry.toNanos();
  }

  /** Records an announce and answers it with up to {@code numWant} other peers, in random order. */
  public Result announce(
      InfoHash infoHash,
      PeerId peerId,
      InetSocketAddress address,
      long left,
      AnnounceEvent event,
      int numWant) {
    long now = ticker.read();
    Swarm swarm = swarms.computeIfAbsent(infoHash, h -> new Swarm());
    expire(swarm, now);
    if (event == AnnounceEvent.STOPPED) {
      swarm.peers.remove(peerId);
    } else {
      swarm.peers.put(peerId, new Peer(peerId, address, left == 0, now));
      if (event == AnnounceEvent.COMPLETED) {
        swarm.completed++;
      }
    }
    List<Peer> others = new ArrayList<>(swarm.peers.size());
    long seeders = 0;
    for (Peer p : swarm.peers.values()) {
      if (p.seed()) {
        seeders++;
      }
      if (!p.peerId().equals(peerId)) {
        others.add(p);
      }
    }
    long leechers = swarm.peers.size() - seeders;
    if (event == AnnounceEvent.STOPPED) {
      others.clear();
    }
    Collections.shuffle(others, ThreadLocalRandom.current());
    List<Peer> chosen = others.subList(0, Math.min(others.size(), Math.max(0, numWant)));
    if (swarm.peers.isEmpty() && swarm.completed == 0) {
      swarms.remove(infoHash);
    }
    return new Result(seeders, leechers, ImmutableList.copyOf(chosen));
  }

  /** The counts of {@code infoHashes}, or of every torrent when the list is empty (BEP 48). */
  public ImmutableMap<InfoHash, ScrapeStats> scrape(List<InfoHash> infoHashes) {
    long now = ticker.read();
    ImmutableMap.Builder<InfoHash, ScrapeStats> result = ImmutableMap.builder();
    Iterable<InfoHash> keys = infoHashes.isEmpty() ? List.copyOf(swarms.keySet()) : infoHashes;
    for (InfoHash h : keys) {
      Swarm swarm = swarms.get(h);
      if (swarm == null) {
        result.put(h, new ScrapeStats(0, 0, 0));
        continue;
      }
      expire(swarm, now);
      long seeders = swarm.peers.values().stream().filter(Peer::seed).count();
      result.put(h, new ScrapeStats(seeders, swarm.completed, swarm.peers.size() - seeders));
    }
    return result.buildKeepingLast();
  }

  /** Forgets peers that did not announce within the expiry time. */
  public void expireAll() {
    long now = ticker.read();
    for (Iterator<Swarm> it = swarms.values().iterator(); it.hasNext(); ) {
      Swarm s = it.next();
      expire(s, now);
      if (s.peers.isEmpty() && s.completed == 0) {
        it.remove();
      }
    }
  }

  private void expire(Swarm swarm, long now) {
    swarm.peers.values().removeIf(p -> now - p.lastSeenNanos() > expiryNanos);
  }

  /** Whether {@code address} is IPv4. */
  static boolean isIpv4(InetSocketAddress address) {
    return address.getAddress() instanceof Inet4Address;
  }
}
