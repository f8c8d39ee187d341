package org.functorrent.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.functorrent.peer.internal.Completions;

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
   * Writes the blocks of one burst (what one pass of the event loop read from the sockets) as
   * {@link #writeBlock} writes each one. Blocks of one piece come in the order they arrived. The
   * buffers belong to the caller, as in {@link #writeBlock}, until the future completes.
   *
   * <p>The future completes once every block is written or has failed, with each failure under
   * the index of its block in {@code blocks}: empty when all were written. This default calls
   * {@link #writeBlock} for each block; a store that can write a burst in fewer tasks should
   * override it.
   */
  default CompletableFuture<Map<Integer, Throwable>> writeBlocks(List<ReceivedBlock> blocks) {
    Map<Integer, Throwable> failures = new ConcurrentHashMap<>();
    CompletableFuture<?>[] writes = new CompletableFuture<?>[blocks.size()];
    for (int i = 0; i < writes.length; i++) {
      ReceivedBlock block = blocks.get(i);
      CompletableFuture<Void> write;
      try {
        write = writeBlock(block.piece(), block.offset(), block.data());
      } catch (RuntimeException e) {
        write = CompletableFuture.failedFuture(e);
      }
      int index = i;
      writes[i] =
          write.whenComplete(
              (ignored, error) -> {
                if (error != null) {
                  failures.put(index, Completions.cause(error));
                }
              });
    }
    return CompletableFuture.allOf(writes).handle((ignored, error) -> Map.copyOf(failures));
  }

  /**
   * Hashes a piece whose blocks have all been written and compares it with the torrent's piece
   * hash: {@code true} when it matches (the piece may now be served), {@code false} when it does
   * not (the swarm downloads it again and overwrites it).
   */
  CompletableFuture<Boolean> verifyPiece(int piece);
}
