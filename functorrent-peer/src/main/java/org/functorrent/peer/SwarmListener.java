package org.functorrent.peer;

import java.net.SocketAddress;

/**
 * Events of one swarm. Called on the client's callback executor, never on an event loop; a
 * listener that throws is logged and ignored. Every method does nothing by default.
 */
public interface SwarmListener {
  /** A downloaded piece passed its hash check. */
  default void pieceVerified(int piece) {}

  /** A downloaded piece failed its hash check and is downloaded again. */
  default void pieceFailed(int piece) {}

  /** A peer sent bad data and is banned for the life of the swarm. */
  default void peerBanned(SocketAddress peer) {}

  /** Every wanted piece is verified. */
  default void completed() {}
}
