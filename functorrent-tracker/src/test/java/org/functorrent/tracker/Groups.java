package org.functorrent.tracker;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.TimeUnit;

/** Event loop groups that tests create and shut down themselves. */
final class Groups {
  private Groups() {}

  static EventLoopGroup newGroup() {
    return new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  static void shutdown(EventLoopGroup group) {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
