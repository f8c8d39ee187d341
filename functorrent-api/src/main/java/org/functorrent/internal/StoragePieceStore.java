package org.functorrent.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.functorrent.peer.PieceStore;
import org.functorrent.storage.Storage;

/** The peer module's view of storage: blocks go to and from disk without an extra copy. */
final class StoragePieceStore implements PieceStore {
  private final Storage storage;

  StoragePieceStore(Storage storage) {
    this.storage = storage;
  }

  @Override
  public CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length) {
    return storage
        .readBlock(piece, offset, ByteBuffer.allocate(length))
        .thenApply(buffer -> Unpooled.wrappedBuffer(buffer.flip()));
  }

  @Override
  public CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuf data) {
    // The swarm keeps the buffer until this future completes; storage reads it before that.
    ByteBuffer view =
        data.nioBufferCount() == 1 ? data.nioBuffer() : ByteBuffer.wrap(copy(data));
    return storage.writeBlock(piece, offset, view);
  }

  @Override
  public CompletableFuture<Boolean> verifyPiece(int piece) {
    return storage.verifyPiece(piece);
  }

  private static byte[] copy(ByteBuf data) {
    byte[] bytes = new byte[data.readableBytes()];
    data.getBytes(data.readerIndex(), bytes);
    return bytes;
  }
}
