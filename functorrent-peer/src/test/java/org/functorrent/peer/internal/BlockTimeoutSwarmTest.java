package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.MemoryStore;
import org.functorrent.peer.PeerOptions;
import org.functorrent.peer.SwarmListener;
import org.functorrent.peer.SwarmStats;
import org.functorrent.peer.TestTorrents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-block timeout on loopback: a seeder that answers every request but a few early ones.
 * The leecher's clock only moves when the test moves it, so the timeouts fire exactly when the
 * test says, and no piece is left that the endgame could use instead.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BlockTimeoutSwarmTest {
  static {
    NettyLeaks.install();
  }

  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
  private static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(30);
  private static final PeerOptions OPTIONS =
      PeerOptions.defaults().withBlockTimeout(BLOCK_TIMEOUT)
          .withChokeInterval(Duration.ofSeconds(2));

  private EventLoopGroup group;
  private ExecutorService disk;
  private ExecutorService callbacks;
  private final List<ClientCore> clients = new ArrayList<>();

  @BeforeEach
  void setUp() {
    group = new MultiThreadIoEventLoopGroup(4, NioIoHandler.newFactory());
    disk = Executors.newFixedThreadPool(2);
    callbacks = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ClientCore c : clients) {
      c.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    disk.shutdown();
    callbacks.shutdown();
    assertThat(disk.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(callbacks.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    NettyLeaks.assertNoLeaks();
  }

  private ClientCore client(String prefix, LongSupplier clock) {
    ClientCore c = new ClientCore(group, PeerId.random(prefix), callbacks, OPTIONS, clock);
    clients.add(c);
    return c;
  }

  /**
   * A seeder's store that never answers reads of the pieces in {@code never} and holds those of
   * {@code gated} until the gate opens. It counts what it was asked for, answered or not.
   */
  static final class SkippingStore extends MemoryStore {
    final Set<Integer> never;
    final int gated;
    final CompletableFuture<Void> gate = new CompletableFuture<>();
    final AtomicIntegerArray asked;

    SkippingStore(MetaInfo meta, byte[] data, ExecutorService executor, Set<Integer> never,
        int gated) {
      super(meta, data, executor);
      this.never = never;
      this.gated = gated;
      this.asked = new AtomicIntegerArray(meta.pieceCount());
    }

    @Override
    public CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length) {
      asked.incrementAndGet(piece);
      if (never.contains(piece)) {
        return new CompletableFuture<>();
      }
      if (piece == gated) {
        return gate.thenCompose(v -> super.readBlock(piece, offset, length));
      }
      return super.readBlock(piece, offset, length);
    }
  }

  private static void waitUntil(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waiting for %s", what).isNegative();
      Thread.sleep(10);
    }
  }

  private static boolean containsRange(Set<Integer> set, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!set.contains(i)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void blocksAPeerPassesOverGoToAnotherPeerWhileItKeepsDelivering() throws Exception {
    int pieces = 40;
    byte[] data = TestTorrents.randomData(21, pieces * Block.SIZE);
    MetaInfo meta = TestTorrents.torrent(data, Block.SIZE); // one block per piece
    // Nobody has the last piece: the endgame never starts, so only the block timeout can take
    // the skipped blocks back.
    BitSet allButLast = new BitSet();
    allButLast.set(0, pieces - 1);
    Set<Integer> skipped = Set.of(0, 1, 2, 3);
    int gated = 4;

    ClientCore staller = client("-FZ0001-", System::nanoTime);
    InetSocketAddress stallerAddress = staller.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    SkippingStore stallerStore = new SkippingStore(meta, data, disk, skipped, gated);
    staller.addTorrent(meta, stallerStore, allButLast, new SwarmListener() {}, List.of());
    ClientCore honest = client("-FS0001-", System::nanoTime);
    InetSocketAddress honestAddress = honest.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
    MemoryStore honestStore = new MemoryStore(meta, data, disk);
    honest.addTorrent(meta, honestStore, allButLast, new SwarmListener() {}, List.of());

    AtomicLong clock = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    ClientCore leecher = client("-FL0001-", clock::get);
    Set<Integer> verified = ConcurrentHashMap.newKeySet();
    SwarmEngine swarm =
        leecher.addTorrent(meta, new MemoryStore(meta, null, disk), new BitSet(),
            new SwarmListener() {
              @Override
              public void pieceVerified(int piece) {
                verified.add(piece);
              }
            },
            List.of());
    swarm.setSequential(true); // the first requests, to the staller, are pieces 0, 1, 2, ...
    swarm.addPeers(List.of(stallerAddress));
    waitUntil("requests for the skipped and the gated pieces",
        () -> stallerStore.asked.get(gated) > 0
            && skipped.stream().allMatch(p -> stallerStore.asked.get(p) > 0));

    // Halfway through the timeout the staller delivers a block requested after the skipped ones
    // (and then everything else it is asked for): it is not stalled, only passing blocks over.
    clock.addAndGet(BLOCK_TIMEOUT.toNanos() / 2);
    stallerStore.gate.complete(null);
    waitUntil("pieces 4..38 from the staller", () -> containsRange(verified, 4, pieces - 1));
    swarm.addPeers(List.of(honestAddress));
    assertThat(verified).doesNotContainAnyElementsOf(skipped);

    // The skipped requests are now older than the timeout; the staller's last block is not.
    clock.addAndGet(BLOCK_TIMEOUT.toNanos() / 2 + TimeUnit.MILLISECONDS.toNanos(1));
    waitUntil("the skipped pieces, from the honest seeder",
        () -> containsRange(verified, 0, pieces - 1));

    for (int piece : skipped) {
      assertThat(honestStore.readsOf(piece)).as("honest reads of piece %s", piece).isEqualTo(1);
      assertThat(stallerStore.asked.get(piece)).as("staller asked for piece %s", piece)
          .isEqualTo(1);
    }
    SwarmStats stats = swarm.stats().get(5, TimeUnit.SECONDS);
    assertThat(stats.timedOutBlocks()).isEqualTo(skipped.size());
    assertThat(stats.verifiedPieces()).isEqualTo(pieces - 1);
    assertThat(swarm.loop().submit(() -> swarm.picker().inEndgame()).get(5, TimeUnit.SECONDS))
        .isFalse();
  }
}
