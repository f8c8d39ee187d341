package org.functorrent.peer;

import java.net.SocketAddress;
import org.functorrent.metainfo.PeerId;

/**
 * Events of one swarm. Called on the client's callback executor, never on an event loop; a
 * listener that throws is logged and ignored. Every method does nothing by default.
 */
public interface SwarmListener {
  /** A downloaded piece passed its hash check. */
  default void pieceVerified(int piece) {}

  /** A downloaded piece failed its hash check and is downloaded again. */
  default void pieceFailed(int piece) {}

  /** A connection to {@code peer} passed both handshakes and joined the swarm. */
  default void peerConnected(SocketAddress peer, PeerId peerId) {}

  /**
   * A connection that had joined the swarm closed; {@code reason} says why (a protocol error, an
   * idle timeout, a ban, both sides seeding, the torrent stopping, or the peer closing it).
   */
  default void peerDisconnected(SocketAddress peer, String reason) {}

  /** A peer sent bad data and is banned for the life of the swarm. */
  default void peerBanned(SocketAddress peer) {}

  /** Every wanted piece is verified. */
  default void completed() {}

  /**
   * The store failed to write a received block or to read a piece back for its hash check (disk
   * full, a read-only directory, an I/O error): {@code cause} is the store's exception. The piece
   * is not counted as bad data and no peer is blamed; its blocks are asked for again. An owner
   * that cannot go on without its disk stops the swarm.
   */
  default void storageFailed(Throwable cause) {}
}
