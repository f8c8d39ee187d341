package org.functorrent.dht;

import com.google.common.collect.ImmutableList;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What {@link DhtNode#announce} did.
 *
 * @param peers the peers its get_peers lookup found on the way
 * @param storedAt how many of the (at most 8) closest nodes that gave a token accepted the announce
 */
public record AnnounceResult(ImmutableList<InetSocketAddress> peers, int storedAt) {
  public AnnounceResult {
    peers = ImmutableList.copyOf(peers);
  }

  static AnnounceResult of(List<InetSocketAddress> peers, int storedAt) {
    return new AnnounceResult(ImmutableList.copyOf(peers), storedAt);
  }
}
