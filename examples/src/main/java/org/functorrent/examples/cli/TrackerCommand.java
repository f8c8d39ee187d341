package org.functorrent.examples.cli;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.functorrent.tracker.TrackerServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code functorrent tracker [--port P] [--bind ADDR]}: the embeddable tracker, HTTP and UDP. */
@Command(
    name = "tracker",
    mixinStandardHelpOptions = true,
    description = "Runs a tracker (HTTP and UDP on one port, in memory) until stopped (Ctrl-C).")
final class TrackerCommand implements Callable<Integer> {
  @Option(names = "--port", paramLabel = "P", description = "The port (default: 6969; 0: any).")
  int port = 6969;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      description = "Address to listen on (default: every interface).")
  String bind;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    InetAddress address = bind == null ? null : InetAddress.getByName(bind);
    try (TrackerServer server = TrackerServer.start(group, address, port)) {
      spec.commandLine()
          .getOut()
          .printf(
              "tracker: %s and %s; Ctrl-C stops%n",
              server.httpAnnounceUri(), server.udpAnnounceUri());
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "functorrent-tracker-exit"));
      new CountDownLatch(1).await();
      return 0;
    } finally {
      group.shutdownGracefully();
    }
  }
}
