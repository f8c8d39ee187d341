package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.functorrent.peer.internal.PiecePicker.Received;
import org.junit.jupiter.api.Test;

class PiecePickerTest {
  private static final int PIECE = 4 * Block.SIZE;

  private static PiecePicker<String> picker(int pieces, long seed) {
    return new PiecePicker<>(pieces, i -> PIECE, new Random(seed));
  }

  private static BitSet all(int n) {
    BitSet b = new BitSet();
    b.set(0, n);
    return b;
  }

  private static BitSet of(int... pieces) {
    BitSet b = new BitSet();
    for (int p : pieces) {
      b.set(p);
    }
    return b;
  }

  @Test
  void rarestPieceFirst() {
    PiecePicker<String> p = picker(3, 1);
    p.peerHasAll(of(0, 1, 2));
    p.peerHasAll(of(0, 2));
    p.peerHasAll(of(0));
    List<Block> blocks = p.pick(all(3), 4, b -> false);
    assertThat(blocks).extracting(Block::piece).containsOnly(1);
    assertThat(blocks).extracting(Block::offset).containsExactly(0, 16384, 32768, 49152);
    assertThat(p.pick(all(3), 4, b -> false)).extracting(Block::piece).containsOnly(2);
    assertThat(p.pick(all(3), 4, b -> false)).extracting(Block::piece).containsOnly(0);
  }

  @Test
  void tiesAreBrokenAtRandomAmongTheRarestOnly() {
    Set<Integer> firstPicks = new HashSet<>();
    for (long seed = 0; seed < 64; seed++) {
      // Spread out: java.util.Random's first draw from adjacent seeds is nearly the same number.
      PiecePicker<String> p = picker(8, seed * 0x9E3779B97F4A7C15L);
      p.peerHasAll(all(8));
      p.peerHas(3); // piece 3 is the one common piece
      int first = p.pick(all(8), 1, b -> false).get(0).piece();
      assertThat(first).isNotEqualTo(3);
      firstPicks.add(first);
    }
    assertThat(firstPicks).hasSizeGreaterThan(3);
  }

  @Test
  void onlyPiecesThePeerHasAndWeNeed() {
    PiecePicker<String> p = picker(4, 2);
    p.setHave(of(0));
    List<Block> blocks = p.pick(of(0, 2), 100, b -> false);
    assertThat(blocks).extracting(Block::piece).containsOnly(2);
    assertThat(p.isInteresting(of(0))).isFalse();
    assertThat(p.isInteresting(of(0, 3))).isTrue();
  }

  @Test
  void partialPiecesAreFinishedFirst() {
    PiecePicker<String> p = picker(3, 3);
    p.peerHasAll(all(3));
    p.peerHasAll(of(0, 2));
    List<Block> a = p.pick(all(3), 2, b -> false);
    assertThat(a).extracting(Block::piece).containsOnly(1);
    // Piece 1 is not rarer for the next peer's choice, but it was started: finish it first.
    p.peerHasAll(of(1));
    p.peerHasAll(of(1));
    List<Block> b = p.pick(all(3), 2, x -> false);
    assertThat(b).containsExactly(new Block(1, 32768, 16384), new Block(1, 49152, 16384));
  }

  @Test
  void droppedRequestsAreHandedOutAgain() {
    PiecePicker<String> p = picker(1, 4);
    List<Block> a = p.pick(all(1), 4, b -> false);
    assertThat(p.pick(all(1), 4, b -> false)).as("endgame, not a fresh block").hasSize(4);
    p.requestDropped(a.get(2));
    p.requestDropped(a.get(2));
    assertThat(p.inEndgame()).isFalse();
    assertThat(p.pick(all(1), 4, b -> false)).containsExactly(a.get(2));
  }

  @Test
  void endgameRequestsTheLastBlocksFromAnotherPeerOnce() {
    PiecePicker<String> p = picker(2, 5);
    List<Block> fromA = p.pick(all(2), 100, b -> false);
    assertThat(fromA).hasSize(8);
    assertThat(p.inEndgame()).isTrue();
    Set<Block> askedA = new HashSet<>(fromA);
    // A delivers one block before B asks.
    assertThat(p.blockReceived(fromA.get(0), "A")).isEqualTo(Received.ACCEPTED);
    List<Block> fromB = p.pick(all(2), 100, b -> false);
    assertThat(fromB).hasSize(7).doesNotContain(fromA.get(0));
    // B asks nothing twice, even when asked again.
    Set<Block> askedB = new HashSet<>(fromB);
    assertThat(p.pick(all(2), 100, askedB::contains)).isEmpty();
    assertThat(p.pick(all(2), 100, askedA::contains)).as("max two peers per block").isEmpty();
    // B delivers a block first: A's copy becomes a duplicate, to be cancelled.
    Block second = fromA.get(1);
    assertThat(p.blockReceived(second, "B")).isEqualTo(Received.ACCEPTED);
    assertThat(p.isReceived(second)).isTrue();
    assertThat(p.blockReceived(second, "A")).isEqualTo(Received.DUPLICATE);
  }

  @Test
  void requestsOutstandingCountsTheOtherPeersCopiesOfABlock() {
    PiecePicker<String> p = picker(2, 5);
    List<Block> fromA = p.pick(all(2), 100, b -> false);
    Block first = fromA.get(0);
    assertThat(p.requestsOutstanding(first)).isEqualTo(1);
    assertThat(p.blockReceived(first, "A")).isEqualTo(Received.ACCEPTED);
    assertThat(p.requestsOutstanding(first)).as("asked of A only").isZero();
    List<Block> fromB = p.pick(all(2), 100, b -> false);
    Block second = fromA.get(1);
    assertThat(fromB).contains(second);
    assertThat(p.requestsOutstanding(second)).isEqualTo(2);
    assertThat(p.blockReceived(second, "B")).isEqualTo(Received.ACCEPTED);
    assertThat(p.requestsOutstanding(second)).as("A's copy, to be cancelled").isEqualTo(1);
    p.requestDropped(second);
    assertThat(p.requestsOutstanding(second)).isZero();
    assertThat(p.requestsOutstanding(new Block(7, 0, Block.SIZE))).as("no such piece").isZero();
  }

  @Test
  void aBlockThatBecomesFreeBehindOthersIsPickedAgain() {
    // A piece of 4 blocks, all asked for, then blocks freed behind the first free position.
    PiecePicker<String> q = picker(2, 3);
    List<Block> asked = q.pick(all(1), 100, b -> false);
    assertThat(asked).hasSize(4);
    assertThat(q.pick(all(1), 1, asked::contains)).as("all of piece asked of this peer").isEmpty();
    // A dropped request behind the first free position is found again.
    q.requestDropped(asked.get(2));
    assertThat(q.pick(all(1), 1, b -> false)).containsExactly(asked.get(2));
    // So is a received block whose write failed.
    assertThat(q.blockReceived(asked.get(0), "A")).isEqualTo(Received.ACCEPTED);
    q.blockWriteFailed(asked.get(0));
    assertThat(q.pick(all(1), 1, b -> false)).containsExactly(asked.get(0));
    // And blocks forgotten because their sender lied.
    for (Block b : List.of(asked.get(1), asked.get(3))) {
      assertThat(q.blockReceived(b, "liar")).isEqualTo(Received.ACCEPTED);
      assertThat(q.blockWritten(b)).isFalse();
    }
    assertThat(q.discardBlocksFrom("liar")).isEqualTo(2);
    assertThat(q.pick(all(1), 2, b -> false)).containsExactly(asked.get(1), asked.get(3));
  }

  @Test
  void noEndgameWhileAPieceIsUnstarted() {
    PiecePicker<String> p = picker(2, 6);
    p.pick(of(0), 100, b -> false);
    assertThat(p.inEndgame()).isFalse();
    assertThat(p.pick(of(0), 100, b -> false)).as("nothing left that this peer has").isEmpty();
  }

  @Test
  void priorityZeroIsSkippedAndHigherComesFirst() {
    PiecePicker<String> p = picker(4, 7);
    p.setPriority(0, 0);
    p.setPriority(3, 5);
    p.peerHasAll(of(1, 2)); // rarity would say 0 or 3 anyway; 3 wins on priority
    assertThat(p.pick(all(4), 1, b -> false).get(0).piece()).isEqualTo(3);
    p.pick(all(4), 100, b -> false);
    for (int i = 1; i < 4; i++) {
      p.pieceVerified(i);
    }
    assertThat(p.isComplete()).as("piece 0 is not wanted").isTrue();
    assertThat(p.isInteresting(of(0))).isFalse();
  }

  @Test
  void aPieceOfHigherPriorityBeatsOnlyThisPeersPieces() {
    for (long seed = 0; seed < 32; seed++) {
      PiecePicker<String> p = picker(8, seed * 0x9E3779B97F4A7C15L);
      p.peerHasAll(all(8)); // each piece held by this peer alone...
      p.setPriority(5, 2);
      p.peerHasAll(of(5)); // ...but piece 5, which two peers have and which matters more
      p.peerHasAll(of(5));
      assertThat(p.pick(all(8), 1, b -> false).get(0).piece()).isEqualTo(5);
    }
  }

  @Test
  void theRarestIsFoundWhenTheTopPriorityPieceIsNotOnOffer() {
    for (long seed = 0; seed < 32; seed++) {
      PiecePicker<String> p = picker(8, seed * 0x9E3779B97F4A7C15L);
      p.setPriority(7, 7); // the peer does not have it: no candidate has the top priority
      p.peerHasAll(of(0, 1, 2, 3, 4, 5));
      p.peerHasAll(of(0, 1, 3, 4, 5)); // piece 2 is the rarest of what the peer offers
      p.peerHasAll(of(0, 1, 3, 4, 5));
      assertThat(p.pick(of(0, 1, 2, 3, 4, 5), 1, b -> false).get(0).piece()).isEqualTo(2);
    }
  }

  @Test
  void aPieceThatBecomesRarerAfterAScanOfASeederIsPickedFirst() {
    for (long seed = 0; seed < 32; seed++) {
      PiecePicker<String> p = picker(8, seed * 0x9E3779B97F4A7C15L);
      p.peerHasAll(all(8)); // two seeders
      p.peerHasAll(all(8));
      p.peerHasAll(of(0, 1, 2, 3, 4, 5, 6)); // and a peer that lacks piece 7
      assertThat(p.pick(all(8), 4, b -> false)).extracting(Block::piece).containsOnly(7);
      p.peerGone(of(0, 1, 2, 3, 4, 5, 6)); // every piece left is on two peers again
      p.peerGone(of(3)); // and piece 3 is on one now
      assertThat(p.pick(all(8), 1, b -> false).get(0).piece()).isEqualTo(3);
    }
  }

  @Test
  void aFailedPieceRarerThanTheRestIsPickedFirstAgain() {
    for (long seed = 0; seed < 32; seed++) {
      PiecePicker<String> p = picker(8, seed * 0x9E3779B97F4A7C15L);
      p.peerHasAll(all(8));
      p.peerHasAll(of(0, 1, 2, 3, 4, 6, 7)); // piece 5 is on one peer only
      assertThat(p.pick(all(8), 4, b -> false)).extracting(Block::piece).containsOnly(5);
      int second = p.pick(all(8), 4, b -> false).get(0).piece(); // a scan of all the others
      assertThat(second).isNotEqualTo(5);
      p.pieceFailed(5);
      assertThat(p.pick(all(8), 1, b -> false).get(0).piece()).isEqualTo(5);
    }
  }

  @Test
  void aRarePieceRaisedToTheTopPriorityIsPickedFirst() {
    for (long seed = 0; seed < 32; seed++) {
      PiecePicker<String> p = picker(8, seed * 0x9E3779B97F4A7C15L);
      p.setPriority(2, 0);
      p.peerHasAll(all(8));
      p.peerHasAll(of(0, 1, 3, 4, 5, 6, 7)); // piece 2, skipped, is on one peer only
      int started = p.pick(all(8), 4, b -> false).get(0).piece(); // a scan of the others
      int other = started == 0 ? 1 : 0;
      p.setPriority(2, 7);
      p.setPriority(other, 7); // on two peers: piece 2 is the rarer of the two
      assertThat(p.pick(all(8), 1, b -> false).get(0).piece()).isEqualTo(2);
    }
  }

  @Test
  void everyEquallyRarePieceCanComeFirst() {
    Set<Integer> firstPicks = new HashSet<>();
    for (long seed = 0; seed < 256; seed++) {
      PiecePicker<String> p = picker(8, seed * 0x9E3779B97F4A7C15L);
      p.peerHasAll(all(8));
      firstPicks.add(p.pick(all(8), 1, b -> false).get(0).piece());
    }
    assertThat(firstPicks).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void sequentialModeIgnoresRarity() {
    PiecePicker<String> p = picker(5, 8);
    p.setSequential(true);
    p.peerHasAll(of(0, 1));
    assertThat(p.pick(all(5), 12, b -> false))
        .extracting(Block::piece)
        .containsExactly(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2);
  }

  @Test
  void writtenBlocksCompleteAPieceAndAFailedPieceNamesItsSenders() {
    PiecePicker<String> p = picker(1, 9);
    List<Block> blocks = p.pick(all(1), 4, b -> false);
    String[] senders = {"A", "A", "B", "A"};
    for (int i = 0; i < 4; i++) {
      assertThat(p.blockReceived(blocks.get(i), senders[i])).isEqualTo(Received.ACCEPTED);
    }
    assertThat(p.blockWritten(blocks.get(0))).isFalse();
    assertThat(p.blockWritten(blocks.get(1))).isFalse();
    assertThat(p.blockWritten(blocks.get(2))).isFalse();
    assertThat(p.blockWritten(blocks.get(3))).isTrue();
    assertThat(p.blockSenders(0)).containsExactly("A", "A", "B", "A");
    p.pieceFailed(0);
    assertThat(p.pick(all(1), 4, b -> false)).as("downloaded again").isEqualTo(blocks);
    for (Block b : blocks) {
      p.blockReceived(b, "C");
      p.blockWritten(b);
    }
    p.pieceVerified(0);
    assertThat(p.isComplete()).isTrue();
    assertThat(p.blockReceived(blocks.get(0), "D")).isEqualTo(Received.DUPLICATE);
  }

  @Test
  void aBannedSendersWrittenBlocksInUnfinishedPiecesAreFetchedAgain() {
    PiecePicker<String> p = picker(2, 3);
    List<Block> first = p.pick(all(2), 4, b -> false);
    List<Block> second = p.pick(all(2), 4, b -> false);
    // First piece: the liar wrote blocks 0 and 2, block 1 is still being written, block 3 is
    // outstanding. Second piece: complete and being verified, block 0 from the liar.
    p.blockReceived(first.get(0), "liar");
    p.blockReceived(first.get(1), "liar");
    p.blockReceived(first.get(2), "liar");
    p.blockWritten(first.get(0));
    p.blockWritten(first.get(2));
    for (int i = 0; i < 4; i++) {
      p.blockReceived(second.get(i), i == 0 ? "liar" : "honest");
      p.blockWritten(second.get(i));
    }

    assertThat(p.discardBlocksFrom("liar")).isEqualTo(2);

    p.requestDropped(first.get(0));
    p.requestDropped(first.get(2));
    p.requestDropped(first.get(3));
    assertThat(p.pick(all(2), 4, b -> false))
        .as("the forgotten blocks and the outstanding one, not the one being written")
        .containsExactly(first.get(0), first.get(2), first.get(3));
    assertThat(p.isReceived(first.get(1))).isTrue();
    assertThat(p.blockWritten(first.get(1))).isFalse();
    assertThat(p.blockSenders(second.get(0).piece()))
        .as("the piece being verified still names the liar")
        .containsExactly("liar", "honest", "honest", "honest");
  }

  @Test
  void unrequestedOrMisalignedBlocksAreUnexpected() {
    PiecePicker<String> p = picker(2, 10);
    assertThat(p.blockReceived(new Block(0, 0, Block.SIZE), "A")).isEqualTo(Received.UNEXPECTED);
    p.pick(of(0), 4, b -> false);
    assertThat(p.blockReceived(new Block(0, 1, Block.SIZE), "A")).isEqualTo(Received.UNEXPECTED);
    assertThat(p.blockReceived(new Block(0, 0, 100), "A")).isEqualTo(Received.UNEXPECTED);
    assertThat(p.blockReceived(new Block(0, 4 * Block.SIZE, Block.SIZE), "A"))
        .isEqualTo(Received.UNEXPECTED);
    assertThat(p.blockReceived(new Block(9, 0, Block.SIZE), "A")).isEqualTo(Received.UNEXPECTED);
  }

  @Test
  void theLastPieceHasAShortLastBlock() {
    long total = 2L * PIECE + Block.SIZE + 100;
    PiecePicker<String> p =
        new PiecePicker<>(3, i -> i < 2 ? PIECE : total - 2L * PIECE, new Random(11));
    List<Block> blocks = p.pick(of(2), 10, b -> false);
    assertThat(blocks).containsExactly(new Block(2, 0, Block.SIZE), new Block(2, Block.SIZE, 100));
  }

  // ---------------------------------------------------------------- deadlines

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  /** A picker on a clock that only moves when the test moves it. */
  private static PiecePicker<String> timedPicker(int pieces, long seed, long[] clock) {
    return new PiecePicker<>(pieces, i -> PIECE, new Random(seed), () -> clock[0]);
  }

  @Test
  void deadlinePiecesComeFirstInDeadlineOrderEvenInSequentialMode() {
    long[] clock = {1000 * SECOND};
    PiecePicker<String> p = timedPicker(8, 12, clock);
    p.setSequential(true);
    p.setDeadline(6, clock[0] + 20 * SECOND);
    p.setDeadline(5, clock[0] + 10 * SECOND);
    assertThat(p.pick(all(8), 12, b -> false))
        .extracting(Block::piece)
        .containsExactly(5, 5, 5, 5, 6, 6, 6, 6, 0, 0, 0, 0);
  }

  @Test
  void aDeadlineBeatsRarityAndPriority() {
    long[] clock = {0};
    PiecePicker<String> p = timedPicker(4, 13, clock);
    p.peerHasAll(all(4));
    p.peerHasAll(of(0, 1, 3)); // piece 2 is the rarest
    p.setPriority(1, 7);
    p.setDeadline(3, 60 * SECOND);
    assertThat(p.pick(all(4), 5, b -> false))
        .extracting(Block::piece)
        .containsExactly(3, 3, 3, 3, 1);
  }

  @Test
  void aPeerWithoutTheDeadlinePieceGetsTheUsualOrder() {
    long[] clock = {0};
    PiecePicker<String> p = timedPicker(3, 14, clock);
    p.setSequential(true);
    p.setDeadline(2, SECOND);
    assertThat(p.pick(of(0, 1), 4, b -> false)).extracting(Block::piece).containsOnly(0);
  }

  @Test
  void nearTheDeadlineItsBlocksAreAlsoAskedFromASecondPeerAndNotAThird() {
    long[] clock = {0};
    PiecePicker<String> p = timedPicker(10, 15, clock);
    p.setDeadlineUrgency(3 * SECOND);
    p.setDeadline(7, 10 * SECOND);
    List<Block> fromA = p.pick(all(10), 4, b -> false);
    assertThat(fromA).extracting(Block::piece).containsOnly(7);
    Set<Block> askedA = new HashSet<>(fromA);
    // Far from the deadline: B gets other pieces, not copies.
    assertThat(p.pick(all(10), 4, b -> false)).extracting(Block::piece).doesNotContain(7);
    clock[0] = 8 * SECOND; // two seconds left: urgent
    List<Block> fromB = p.pick(all(10), 2, b -> false);
    assertThat(fromB).containsExactly(fromA.get(0), fromA.get(1));
    assertThat(p.inEndgame()).as("most pieces are not even started").isFalse();
    // A never gets its own blocks twice.
    assertThat(p.pick(all(10), 4, askedA::contains)).extracting(Block::piece).doesNotContain(7);
    // At most two peers per block: C gets only the two blocks that B was not asked for.
    List<Block> fromC = p.pick(all(10), 4, b -> false);
    assertThat(fromC.subList(0, 2)).containsExactly(fromA.get(2), fromA.get(3));
    assertThat(fromC.subList(2, 4)).extracting(Block::piece).doesNotContain(7);
    // B delivers first: A's copy is the duplicate that the swarm cancels.
    assertThat(p.blockReceived(fromA.get(0), "B")).isEqualTo(Received.ACCEPTED);
    assertThat(p.isReceived(fromA.get(0))).isTrue();
    assertThat(p.blockReceived(fromA.get(0), "A")).isEqualTo(Received.DUPLICATE);
  }

  @Test
  void aLatePieceIsAskedFromASecondPeer() {
    long[] clock = {0};
    PiecePicker<String> p = timedPicker(10, 16, clock);
    p.setDeadlineUrgency(0);
    p.setDeadline(4, SECOND);
    List<Block> fromA = p.pick(all(10), 4, b -> false);
    assertThat(p.pick(all(10), 4, b -> false)).extracting(Block::piece).doesNotContain(4);
    clock[0] = 2 * SECOND;
    assertThat(p.pick(all(10), 4, b -> false)).isEqualTo(fromA);
  }

  @Test
  void aClearedOrVerifiedDeadlineIsGone() {
    long[] clock = {0};
    PiecePicker<String> p = timedPicker(6, 17, clock);
    p.setSequential(true);
    p.setDeadline(5, SECOND);
    p.setDeadline(4, SECOND);
    p.clearDeadline(5);
    assertThat(p.hasDeadline(5)).isFalse();
    assertThat(p.pick(all(6), 8, b -> false))
        .extracting(Block::piece)
        .containsExactly(4, 4, 4, 4, 0, 0, 0, 0);
    p.pieceVerified(4);
    assertThat(p.hasDeadline(4)).isFalse();
    p.setDeadline(4, SECOND);
    assertThat(p.hasDeadline(4)).as("a verified piece takes no deadline").isFalse();
  }

  @Test
  void aSkippedPieceIsNotRequestedEvenWithADeadline() {
    long[] clock = {0};
    PiecePicker<String> p = timedPicker(3, 18, clock);
    p.setSequential(true);
    p.setPriority(2, 0);
    p.setDeadline(2, 0);
    assertThat(p.pick(all(3), 100, b -> false)).extracting(Block::piece).doesNotContain(2);
  }

  // ---------------------------------------------------------------- file priorities

  @Test
  void aStartedPieceThatIsSkippedLaterIsNotRequestedAndDoesNotHoldUpTheEndgame() {
    PiecePicker<String> p = picker(2, 19);
    p.setSequential(true);
    assertThat(p.pick(all(2), 2, b -> false)).extracting(Block::piece).containsOnly(0);
    p.setPriority(0, 0);
    List<Block> rest = p.pick(all(2), 100, b -> false);
    assertThat(rest).extracting(Block::piece).containsOnly(1);
    assertThat(p.inEndgame()).isTrue();
    assertThat(p.pick(all(2), 100, b -> false)).as("endgame copies of piece 1 only")
        .hasSize(4).extracting(Block::piece).containsOnly(1);
    for (Block b : rest) {
      p.blockReceived(b, "A");
      p.blockWritten(b);
    }
    p.pieceVerified(1);
    assertThat(p.isComplete()).isTrue();
  }

  @Test
  void blocksThePeerMustNotBeAskedForAreLeftForOthers() {
    PiecePicker<String> p = picker(1, 20);
    List<Block> first = p.pick(all(1), 4, b -> false);
    p.requestDropped(first.get(1));
    p.requestDropped(first.get(2));
    Block avoided = first.get(1);
    assertThat(p.pick(all(1), 4, avoided::equals)).containsExactly(first.get(2));
    assertThat(p.pick(all(1), 4, b -> false)).first().isEqualTo(avoided);
  }

  /**
   * Random priorities, picks, deliveries, verifications, hash failures and resume data, checked
   * after each step against a plain model of what is still wanted.
   */
  @Test
  void randomOperationsAgreeWithAModelOfWhatIsWanted() {
    for (long seed = 0; seed < 20; seed++) {
      Random random = new Random(seed);
      int pieces = 1 + random.nextInt(40);
      PiecePicker<String> p = picker(pieces, seed);
      int[] priority = new int[pieces];
      java.util.Arrays.fill(priority, 1);
      BitSet verified = new BitSet();
      BitSet[] peers = new BitSet[4];
      for (int i = 0; i < peers.length; i++) {
        peers[i] = new BitSet();
        for (int piece = 0; piece < pieces; piece++) {
          if (random.nextInt(3) > 0) {
            peers[i].set(piece);
          }
        }
        p.peerHasAll(peers[i]);
      }
      for (int step = 0; step < 400; step++) {
        int piece = random.nextInt(pieces);
        switch (random.nextInt(6)) {
          case 0 -> {
            priority[piece] = random.nextInt(3);
            p.setPriority(piece, priority[piece]);
          }
          case 1 -> {
            BitSet resumed = of(piece);
            verified.or(resumed);
            p.setHave(resumed);
          }
          case 2 -> {
            assertThat(p.blockSenders(piece)).isNotNull();
            p.pieceFailed(piece);
          }
          default -> {
            BitSet peer = peers[random.nextInt(peers.length)];
            for (Block b : p.pick(peer, 1 + random.nextInt(6), x -> false)) {
              assertThat(verified.get(b.piece())).as("picked a verified piece").isFalse();
              assertThat(priority[b.piece()]).as("picked a skipped piece").isPositive();
              assertThat(peer.get(b.piece())).as("picked a piece the peer lacks").isTrue();
              if (p.blockReceived(b, "peer") == Received.ACCEPTED && p.blockWritten(b)) {
                p.pieceVerified(b.piece());
                verified.set(b.piece());
              }
            }
          }
        }
        BitSet wanted = new BitSet();
        for (int i = 0; i < pieces; i++) {
          if (priority[i] > 0 && !verified.get(i)) {
            wanted.set(i);
          }
        }
        assertThat(p.isComplete()).as("seed %s step %s", seed, step).isEqualTo(wanted.isEmpty());
        for (BitSet peer : peers) {
          assertThat(p.isInteresting(peer)).isEqualTo(peer.intersects(wanted));
        }
      }
    }
  }
}
