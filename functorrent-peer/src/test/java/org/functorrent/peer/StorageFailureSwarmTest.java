package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A store that cannot write, or cannot read a piece back for its hash check: the swarm tells its
 * listener with the store's exception, blames no peer, and reports no piece verified or failed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StorageFailureSwarmTest {
  static {
    NettyLeaks.install();
  }

  private EventLoopGroup group;
  private ExecutorService disk;
  private ExecutorService callbacks;
  private PeerClient seeder;
  private PeerClient leecher;

  @BeforeEach
  void setUp() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    disk = Executors.newFixedThreadPool(2);
    callbacks = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void tearDown() throws Exception {
    leecher.close();
    seeder.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    disk.shutdown();
    callbacks.shutdown();
    assertThat(disk.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    NettyLeaks.assertNoLeaks();
  }

  /** Listener events. */
  static final class Events implements SwarmListener {
    final CompletableFuture<Throwable> storageFailure = new CompletableFuture<>();
    volatile int verified;
    volatile int failed;
    volatile int banned;

    @Override
    public void storageFailed(Throwable cause) {
      storageFailure.complete(cause);
    }

    @Override
    public void pieceVerified(int piece) {
      verified++;
    }

    @Override
    public void pieceFailed(int piece) {
      failed++;
    }

    @Override
    public void peerBanned(java.net.SocketAddress peer) {
      banned++;
    }
  }

  /** A seeder of {@code data}, and a leecher into {@code store} that knows it: its swarm. */
  private Swarm leech(MetaInfo meta, byte[] data, PieceStore store, SwarmListener listener)
      throws Exception {
    seeder = PeerClient.create(group, PeerId.random("-FS0001-"), callbacks, PeerOptions.defaults());
    InetSocketAddress address =
        seeder.listen(new InetSocketAddress("127.0.0.1", 0)).get(10, TimeUnit.SECONDS);
    MemoryStore seedStore = new MemoryStore(meta, data, disk);
    seeder.addTorrent(meta, seedStore, seedStore.all(), new SwarmListener() {});
    leecher = PeerClient.create(group, PeerId.random("-FL0001-"), callbacks,
        PeerOptions.defaults());
    Swarm swarm = leecher.addTorrent(meta, store, new BitSet(), listener);
    swarm.addPeers(List.of(address));
    return swarm;
  }

  private Events download(MetaInfo meta, byte[] data, PieceStore store) throws Exception {
    Events events = new Events();
    Swarm swarm = leech(meta, data, store, events);
    Throwable cause = events.storageFailure.get(30, TimeUnit.SECONDS);
    assertThat(cause).isInstanceOf(IOException.class).hasMessage("No space left on device");
    SwarmStats stats = swarm.stats().get(5, TimeUnit.SECONDS);
    assertThat(stats.bannedPeers()).isZero();
    assertThat(stats.failedPieces()).isZero();
    assertThat(stats.verifiedPieces()).isZero();
    callbacks.submit(() -> {}).get(5, TimeUnit.SECONDS);
    assertThat(events.banned).isZero();
    assertThat(events.failed).isZero();
    assertThat(events.verified).isZero();
    return events;
  }

  @Test
  void writesThatFailAreReportedAndBlameNoPeer() throws Exception {
    byte[] data = TestTorrents.randomData(31, 300_000);
    MetaInfo meta = TestTorrents.torrent(data, 16 * 1024);
    download(meta, data, new MemoryStore(meta, null, disk) {
      @Override
      public CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuf buf) {
        return CompletableFuture.failedFuture(new IOException("No space left on device"));
      }
    });
  }

  @Test
  void aBurstWriteThatFailsWholeIsReportedAndBlamesNoPeer() throws Exception {
    byte[] data = TestTorrents.randomData(33, 300_000);
    MetaInfo meta = TestTorrents.torrent(data, 16 * 1024);
    download(meta, data, new MemoryStore(meta, null, disk) {
      @Override
      public CompletableFuture<java.util.Map<Integer, Throwable>> writeBlocks(
          List<ReceivedBlock> blocks) {
        return CompletableFuture.failedFuture(new IOException("No space left on device"));
      }
    });
  }

  @Test
  void blocksThatABurstWriteFailedAreFetchedAgain() throws Exception {
    byte[] data = TestTorrents.randomData(34, 300_000);
    MetaInfo meta = TestTorrents.torrent(data, 16 * 1024);
    // Only the first block of each burst is written; the others fail and are downloaded again.
    MemoryStore store = new MemoryStore(meta, null, disk) {
      @Override
      public CompletableFuture<java.util.Map<Integer, Throwable>> writeBlocks(
          List<ReceivedBlock> blocks) {
        java.util.Map<Integer, Throwable> failures = new java.util.HashMap<>();
        for (int i = 1; i < blocks.size(); i++) {
          failures.put(i, new IOException("No space left on device"));
        }
        ReceivedBlock first = blocks.get(0);
        return writeBlock(first.piece(), first.offset(), first.data()).thenApply(v -> failures);
      }
    };
    Events events = new Events();
    CompletableFuture<Void> completed = new CompletableFuture<>();
    Swarm swarm = leech(meta, data, store, new SwarmListener() {
      @Override
      public void storageFailed(Throwable cause) {
        events.storageFailed(cause);
      }

      @Override
      public void completed() {
        completed.complete(null);
      }
    });

    completed.get(30, TimeUnit.SECONDS);
    assertThat(store.bytes()).isEqualTo(data);
    assertThat(store.writes.get()).isEqualTo(meta.pieceCount()); // each block written once
    assertThat(events.storageFailure.get(5, TimeUnit.SECONDS))
        .isInstanceOf(IOException.class)
        .hasMessage("No space left on device");
    SwarmStats stats = swarm.stats().get(5, TimeUnit.SECONDS);
    assertThat(stats.verifiedPieces()).isEqualTo(meta.pieceCount());
    assertThat(stats.bannedPeers()).isZero();
    assertThat(stats.failedPieces()).isZero();
  }

  @Test
  void aHashCheckThatCannotReadIsReportedAndIsNotBadData() throws Exception {
    byte[] data = TestTorrents.randomData(32, 300_000);
    MetaInfo meta = TestTorrents.torrent(data, 16 * 1024);
    download(meta, data, new MemoryStore(meta, null, disk) {
      @Override
      public CompletableFuture<Boolean> verifyPiece(int piece) {
        return CompletableFuture.supplyAsync(() -> {
          throw new java.util.concurrent.CompletionException(
              new IOException("No space left on device"));
        }, executor);
      }
    });
  }
}
