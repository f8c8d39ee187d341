package org.functorrent.peer.internal;

import io.netty.buffer.ByteBuf;

/**
 * A BEP 10 extension plugged in by name (such as {@code ut_metadata} or {@code ut_pex}). It is
 * advertised in the extended handshake's {@code m} dictionary; messages that peers send with the
 * id we assigned to it arrive here. Called on the torrent's event loop.
 */
public interface ExtensionHandler {
  /** The name in the {@code m} dictionary. */
  String name();

  /**
   * A message for this extension. The payload is only valid during the call: retain it to keep
   * it. A {@link PeerProtocolException} thrown here closes that connection.
   */
  void messageReceived(PeerConnection connection, ByteBuf payload);

  /** The peer's extended handshake arrived (it may say which extensions it supports). */
  default void handshakeReceived(PeerConnection connection) {}

  /** A connection that had joined the swarm closed: forget what is kept about it. */
  default void connectionClosed(PeerConnection connection) {}

  /** Once a second, on the swarm's clock. */
  default void tick(long nanoTime) {}
}
