package org.functorrent.examples.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.functorrent.TorrentClient;
import org.functorrent.dht.DhtOptions;

/**
 * The DHT options of the commands that run a client ({@code download}, {@code seed}, {@code info
 * --fetch}). The DHT is off unless {@code --dht-node}, {@code --dht-public} or {@code --dht-state}
 * is given; only {@code --dht-public} lets it talk to the public routers.
 */
final class DhtArgs {
  /** Nodes per IP address in the routing table when every bootstrap node is on loopback. */
  private static final int LOOPBACK_NODES_PER_IP = 1000;

  static final Option<String> NODE =
      Option.string(
              "--dht-node",
              "HOST:PORT",
              "Turns the DHT on, bootstrapping from this node (repeatable). When every node given"
                  + " is a loopback address, the DHT talks to loopback only (a local test"
                  + " network).")
          .repeatable();
  static final Option<Integer> PORT =
      Option.integer(
          "--dht-port",
          "P",
          "With the DHT on: its UDP port (default: the listen port's number; 0: any).");
  static final Option<Boolean> PUBLIC =
      Option.flag(
          "--dht-public",
          "Turns the DHT on and joins the public one through its well-known routers"
              + " (router.bittorrent.com and others): packets go to the internet.");
  static final Option<Path> STATE =
      Option.path(
          "--dht-state",
          "FILE",
          "Turns the DHT on, keeping the node's id and good nodes in FILE across runs (with no"
              + " --dht-node, it starts from the file's nodes only).");

  private final List<String> nodes;
  private final Integer port;
  private final boolean publicRouters;
  private final Path stateFile;

  /** The DHT options of a command whose parameters include {@link #withOptions}'s. */
  DhtArgs(ParsedArgs args) {
    nodes = args.all(NODE);
    port = args.get(PORT);
    publicRouters = args.get(PUBLIC);
    stateFile = args.get(STATE);
  }

  /** {@code parameters} and the DHT options. */
  static List<Option<?>> withOptions(List<Option<?>> parameters) {
    List<Option<?>> all = new ArrayList<>(parameters);
    all.addAll(List.of(NODE, PORT, PUBLIC, STATE));
    return List.copyOf(all);
  }

  /** Whether any option asks for the DHT. */
  boolean requested() {
    return !nodes.isEmpty() || publicRouters || stateFile != null;
  }

  /** Gives {@code builder} the DHT options asked for, if any; {@code listenPort} as given. */
  void apply(TorrentClient.Builder builder, int listenPort) {
    if (!requested()) {
      return;
    }
    List<InetSocketAddress> bootstrap = new ArrayList<>();
    boolean allLoopback = !nodes.isEmpty();
    for (String node : nodes) {
      InetSocketAddress a = DownloadCommand.parsePeer(node, "--dht-node");
      allLoopback &= a.getAddress().isLoopbackAddress();
      bootstrap.add(a);
    }
    if (publicRouters) {
      allLoopback = false;
      bootstrap.addAll(DhtOptions.publicBootstrapNodes());
    }
    int udpPort = port != null ? port : listenPort;
    if (udpPort < 0 || udpPort > 65535) {
      throw new UsageException("--dht-port " + udpPort + ": expected 0 to 65535");
    }
    DhtOptions options =
        DhtOptions.defaults()
            .withBindAddress(new InetSocketAddress(udpPort))
            .withBootstrapNodes(bootstrap);
    if (stateFile != null) {
      options = options.withStateFile(stateFile);
    }
    if (allLoopback) {
      options = options.withMaxNodesPerIp(LOOPBACK_NODES_PER_IP).loopbackOnly();
    }
    builder.dht(options);
  }
}
