package org.functorrent.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free ports on 127.0.0.1. */
public final class LoopbackPorts {
  private LoopbackPorts() {}

  public static InetAddress loopback() {
    return InetAddress.getLoopbackAddress();
  }

  /** A port that is free for TCP and UDP on 127.0.0.1 right now. */
  public static int free() {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket tcp = new ServerSocket()) {
        tcp.setReuseAddress(false);
        tcp.bind(new InetSocketAddress(loopback(), 0));
        int port = tcp.getLocalPort();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback(), port))) {
          return udp.getLocalPort();
        } catch (IOException taken) {
          // The UDP side of this port is in use: try another.
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot find a free loopback port", e);
      }
    }
    throw new IllegalStateException("no port free for both TCP and UDP on 127.0.0.1");
  }
}
