package org.functorrent.tracker;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/** A scripted UDP tracker on loopback, for malformed answers and lost packets. */
class FakeUdpTracker implements AutoCloseable {
  /** The answer to the {@code index}-th packet (from 0), or null to drop it. */
  interface Responder {
    byte[] answer(byte[] request, int index) throws IOException;
  }

  private final DatagramSocket socket;
  private final Thread thread;
  private final AtomicInteger received = new AtomicInteger();

  FakeUdpTracker(Responder responder) throws IOException {
    this(responder, 1);
  }

  /** A tracker that sends every answer {@code copies} times. */
  FakeUdpTracker(Responder responder, int copies) throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[2048];
              while (!socket.isClosed()) {
                try {
                  DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                  socket.receive(p);
                  byte[] request = Arrays.copyOf(p.getData(), p.getLength());
                  byte[] answer = responder.answer(request, received.getAndIncrement());
                  if (answer != null) {
                    for (int i = 0; i < copies; i++) {
                      socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                    }
                  }
                } catch (SocketException e) {
                  return;
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              }
            },
            "fake-udp-tracker");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * A tracker that drops the first {@code drop} packets and forwards the rest to {@code target},
   * passing its answer back.
   */
  static FakeUdpTracker lossyProxy(InetSocketAddress target, int drop) throws IOException {
    return lossyProxy(target, drop, request -> {});
  }

  /** As {@link #lossyProxy(InetSocketAddress, int)}, showing each packet to {@code observer}. */
  static FakeUdpTracker lossyProxy(
      InetSocketAddress target, int drop, java.util.function.Consumer<byte[]> observer)
      throws IOException {
    DatagramSocket upstream = new DatagramSocket(new InetSocketAddress(target.getAddress(), 0));
    upstream.setSoTimeout(5000);
    return new FakeUdpTracker(
        (request, index) -> {
          observer.accept(request);
          if (index < drop) {
            return null;
          }
          upstream.send(new DatagramPacket(request, request.length, target));
          DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
          upstream.receive(answer);
          return Arrays.copyOf(answer.getData(), answer.getLength());
        }) {
      @Override
      public void close() {
        super.close();
        upstream.close();
      }
    };
  }

  URI uri() {
    return URI.create("udp://127.0.0.1:" + socket.getLocalPort() + "/announce");
  }

  int packetsReceived() {
    return received.get();
  }

  @Override
  public void close() {
    socket.close();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
