package org.functorrent;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * How a {@link TorrentClient}'s sockets reach the operating system: the Netty transport its
 * network threads run. Every socket of a client (peers, trackers, the DHT) uses the same one.
 */
public enum NetworkTransport {
  /** Java's NIO: every platform. */
  NIO(NioSocketChannel.class, NioServerSocketChannel.class, NioDatagramChannel.class),

  /**
   * Linux's epoll through Netty's native transport: fewer system calls and less Java code per
   * read than NIO. Needs Netty's native library for the platform on the class path ({@code
   * io.netty:netty-transport-native-epoll}, classifier {@code linux-x86_64} or {@code
   * linux-aarch_64}); the command-line program has it for x86-64.
   */
  EPOLL(EpollSocketChannel.class, EpollServerSocketChannel.class, EpollDatagramChannel.class);

  private final Class<? extends SocketChannel> socketChannel;
  private final Class<? extends ServerSocketChannel> serverChannel;
  private final Class<? extends DatagramChannel> datagramChannel;

  NetworkTransport(
      Class<? extends SocketChannel> socketChannel,
      Class<? extends ServerSocketChannel> serverChannel,
      Class<? extends DatagramChannel> datagramChannel) {
    this.socketChannel = socketChannel;
    this.serverChannel = serverChannel;
    this.datagramChannel = datagramChannel;
  }

  /** The transport a client uses unless told otherwise: epoll where it can run, else NIO. */
  public static NetworkTransport preferred() {
    return EPOLL.isAvailable() ? EPOLL : NIO;
  }

  /** Whether this transport can run here (epoll: on Linux, with its native library loaded). */
  public boolean isAvailable() {
    return this == NIO || Epoll.isAvailable();
  }

  /** Why this transport cannot run here; null when it can. */
  Throwable unavailabilityCause() {
    return this == NIO ? null : Epoll.unavailabilityCause();
  }

  IoHandlerFactory ioHandlerFactory() {
    return this == NIO ? NioIoHandler.newFactory() : EpollIoHandler.newFactory();
  }

  Class<? extends SocketChannel> socketChannel() {
    return socketChannel;
  }

  Class<? extends ServerSocketChannel> serverChannel() {
    return serverChannel;
  }

  Class<? extends DatagramChannel> datagramChannel() {
    return datagramChannel;
  }
}
