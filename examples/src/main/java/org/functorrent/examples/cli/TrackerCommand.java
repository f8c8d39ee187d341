package org.functorrent.examples.cli;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.functorrent.tracker.TrackerServer;

/** {@code functorrent tracker [--port P] [--bind ADDR]}: the embeddable tracker, HTTP and UDP. */
final class TrackerCommand implements Callable<Integer> {
  static final Option<Integer> PORT =
      Option.integer("--port", "P", "The port (default: 6969; 0: any).").withDefault(6969);
  static final Option<String> BIND =
      Option.string("--bind", "ADDR", "Address to listen on (default: every interface).");

  static final CommandSpec SPEC =
      new CommandSpec(
          "tracker",
          "Runs a tracker (HTTP and UDP on one port, in memory) until stopped (Ctrl-C).",
          List.of(PORT, BIND));

  private final int port;
  private final String bind;
  private final PrintWriter out;

  TrackerCommand(ParsedArgs args, PrintWriter out) {
    this.port = args.get(PORT);
    this.bind = args.get(BIND);
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    InetAddress address = bind == null ? null : InetAddress.getByName(bind);
    try (TrackerServer server = TrackerServer.start(group, address, port)) {
      out.printf(
          "tracker: %s and %s; Ctrl-C stops%n", server.httpAnnounceUri(), server.udpAnnounceUri());
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "functorrent-tracker-exit"));
      new CountDownLatch(1).await();
      return 0;
    } finally {
      group.shutdownGracefully();
    }
  }
}
