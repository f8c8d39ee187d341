package org.functorrent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletionException;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.functorrent.storage.Storage;
import org.functorrent.storage.StorageException;
import org.functorrent.storage.Storages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blocks read for serving: one direct buffer with the header's room before the block. */
class StoragePieceStoreTest {
  static {
    NettyLeaks.install();
  }

  private static final int PIECE = 32 * 1024;

  @TempDir Path dir;

  @AfterEach
  void noLeaks() {
    NettyLeaks.assertNoLeaks();
  }

  private byte[] bytes() {
    byte[] bytes = new byte[3 * PIECE];
    new Random(11).nextBytes(bytes);
    return bytes;
  }

  private MetaInfo torrent(byte[] bytes) throws Exception {
    Path file = dir.resolve("data.bin");
    Files.write(file, bytes);
    return MetaInfo.parse(TorrentCreator.of(file).pieceLength(PIECE).create());
  }

  @Test
  void theBlockFollowsItsHeadroomInOneDirectBuffer() throws Exception {
    byte[] bytes = bytes();
    try (Storage storage = Storages.inMemory(torrent(bytes))) {
      storage.writeBlock(1, 0, ByteBuffer.wrap(bytes, PIECE, PIECE)).join();
      StoragePieceStore store = new StoragePieceStore(storage);
      ByteBuf block = store.readBlock(1, 16384, 16384, 13).join();
      try {
        assertThat(block.isDirect()).isTrue();
        assertThat(block.nioBufferCount()).as("one buffer, not a composite").isEqualTo(1);
        assertThat(block.readerIndex()).isEqualTo(13);
        assertThat(ByteBufUtil.getBytes(block))
            .isEqualTo(Arrays.copyOfRange(bytes, PIECE + 16384, 2 * PIECE));
      } finally {
        block.release();
      }
      ByteBuf plain = store.readBlock(1, 100, 50).join();
      try {
        assertThat(plain.readerIndex()).isZero();
        assertThat(ByteBufUtil.getBytes(plain))
            .isEqualTo(Arrays.copyOfRange(bytes, PIECE + 100, PIECE + 150));
      } finally {
        plain.release();
      }
    }
  }

  @Test
  void aFailedReadReleasesItsBuffer() throws Exception {
    Storage storage = Storages.inMemory(torrent(bytes()));
    StoragePieceStore store = new StoragePieceStore(storage);
    storage.close();
    assertThatThrownBy(() -> store.readBlock(0, 0, 16384, 13).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(StorageException.class);
    // The buffer allocated for the read was released: the leak check after the test says so.
  }
}
