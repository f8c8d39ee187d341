package org.functorrent.benchmarks;

import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.functorrent.peer.internal.Block;
import org.functorrent.peer.internal.PiecePicker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The piece picker of one torrent of 10 000 pieces (256 KiB, 16 blocks each) with 200 peers, each
 * holding a random 30 to 100% of the pieces ({@code swarm=mixed}), or with 5 seeders ({@code
 * swarm=seeders}, every piece equally rare). One operation is one refill of a peer's request
 * queue: {@code pick} up to {@code batch} blocks for a random peer, then those blocks arrive and
 * are written (and a piece whose blocks are all in is verified), so the picker walks through a
 * whole download again and again. When every piece is verified the picker is built afresh, inside
 * the measured operation (about once every 40 000 picks at batch 4), so the score is picks per
 * second including that cost.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class PiecePickerBenchmark {
  static final int PIECES = 10_000;
  static final int PEERS = 200;
  static final long PIECE_LENGTH = 256 * 1024;

  /** Blocks asked per pick: 4 is a refill after a few blocks arrived, 64 a new peer's queue. */
  @Param({"4", "64"})
  public int batch;

  @Param({"mixed", "seeders"})
  public String swarm;

  private BitSet[] peers;
  private final SplittableRandom random = new SplittableRandom(42);
  private final Predicate<Block> none = b -> false;
  private PiecePicker<Integer> picker;
  private long downloads;

  @Setup
  public void setUp() {
    if (swarm.equals("seeders")) {
      peers = new BitSet[5];
      for (int p = 0; p < peers.length; p++) {
        peers[p] = new BitSet(PIECES);
        peers[p].set(0, PIECES);
      }
      newPicker();
      return;
    }
    peers = new BitSet[PEERS];
    for (int p = 0; p < PEERS; p++) {
      BitSet has = new BitSet(PIECES);
      double share = 0.3 + 0.7 * random.nextDouble();
      for (int i = 0; i < PIECES; i++) {
        if (random.nextDouble() < share) {
          has.set(i);
        }
      }
      peers[p] = has;
    }
    // Every piece somewhere, so that a download can always finish.
    peers[0].set(0, PIECES);
    newPicker();
  }

  private void newPicker() {
    picker = new PiecePicker<>(PIECES, i -> PIECE_LENGTH, new Random(7));
    for (BitSet has : peers) {
      picker.peerHasAll(has);
    }
    downloads++;
  }

  @Benchmark
  public int pickAndReceive() {
    if (picker.isComplete()) {
      newPicker();
    }
    Integer peer = random.nextInt(peers.length);
    List<Block> blocks = picker.pick(peers[peer], batch, none);
    if (blocks.isEmpty()) {
      // This peer has nothing we still need; the next pick for peer 0 always finds something.
      blocks = picker.pick(peers[0], batch, none);
      peer = 0;
    }
    for (Block b : blocks) {
      picker.blockReceived(b, peer);
      if (picker.blockWritten(b)) {
        picker.pieceVerified(b.piece());
      }
    }
    return blocks.size();
  }
}
