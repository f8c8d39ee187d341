package org.functorrent.peer;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/**
 * Where a swarm reads and writes the bytes of its torrent. Every method is called on the
 * torrent's event loop and must not block it: do the work on another executor and complete the
 * future there. The swarm continues on its event loop when a future completes.
 */
public interface PieceStore {
  /**
   * Reads {@code length} bytes at {@code offset} of a verified piece. The returned buffer belongs
   * to the caller, who releases it (usually by writing it to a socket).
   */
  CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length);

  /**
   * Writes a received block at {@code offset} of {@code piece}. The buffer still belongs to the
   * caller, who releases it once the future completes: copy the bytes out before completing it.
   */
  CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuf data);

  /**
   * Hashes a piece whose blocks have all been written and compares it with the torrent's piece
   * hash: {@code true} when it matches (the piece may now be served), {@code false} when it does
   * not (the swarm downloads it again and overwrites it).
   */
  CompletableFuture<Boolean> verifyPiece(int piece);
}
