package org.functorrent.dht;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** Options for test nodes: 127.0.0.1 only, in every direction, with loopback bootstrap nodes. */
final class LoopbackDht {
  private LoopbackDht() {}

  static DhtOptions options(List<InetSocketAddress> bootstrap) {
    for (InetSocketAddress a : bootstrap) {
      if (a.isUnresolved() || !a.getAddress().isLoopbackAddress()) {
        throw new IllegalArgumentException(a + " is not a loopback address");
      }
    }
    return DhtOptions.defaults()
        .withBindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .withBootstrapNodes(bootstrap)
        // Every node of a test shares 127.0.0.1.
        .withMaxNodesPerIp(100_000)
        .withQueryTimeout(Duration.ofSeconds(2))
        .loopbackOnly();
  }

  static DhtOptions options(InetSocketAddress... bootstrap) {
    return options(List.of(bootstrap));
  }
}
