package org.functorrent.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
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
   * Reads a block as {@link #readBlock(int, int, int)} does, into a buffer that has room for
   * {@code headroom} more bytes before it: the block is the buffer's readable bytes, and the
   * {@code headroom} bytes before its reader index belong to the caller, who writes the piece
   * message's header there so that header and block go to the socket as one buffer. Stores that
   * allocate their own buffers should override it and read at offset {@code headroom} of one
   * buffer; this default puts a separate buffer in front of the block (a composite of two).
   */
  default CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length, int headroom) {
    return readBlock(piece, offset, length)
        .thenApply(
            block -> {
              CompositeByteBuf framed = block.alloc().compositeBuffer(2);
              try {
                framed.addComponent(true, block.alloc().buffer(headroom).writeZero(headroom));
              } catch (RuntimeException e) {
                block.release();
                framed.release();
                throw e;
              }
              try {
                // The composite owns the block from here, and releases it even if this fails.
                return framed.addComponent(true, block).readerIndex(headroom);
              } catch (RuntimeException e) {
                framed.release();
                throw e;
              }
            });
  }

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
