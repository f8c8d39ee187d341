package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.functorrent.peer.internal.Blame.Verdict;
import org.junit.jupiter.api.Test;

class BlameTest {
  private static byte[] hash(int n) {
    byte[] h = new byte[20];
    Arrays.fill(h, (byte) n);
    return h;
  }

  @Test
  void aPieceFromOneSenderBansItAtOnce() {
    Blame<String> blame = new Blame<>();
    assertThat(blame.pieceFailed(Arrays.asList("liar", "liar", null))).isEqualTo(Verdict.BAN);
    assertThat(blame.toBan()).containsExactly("liar");
    assertThat(blame.isBanned("liar")).isTrue();
    assertThat(blame.bannedCount()).isEqualTo(1);
  }

  @Test
  void aFailureABannedPeerContributedToCostsTheOthersNothing() {
    Blame<String> blame = new Blame<>();
    blame.pieceFailed(List.of("liar", "liar"));
    // Half-done pieces the liar left, finished by an honest peer, fail one after another.
    for (int i = 0; i < 5; i++) {
      assertThat(blame.pieceFailed(List.of("liar", "honest"))).isEqualTo(Verdict.NONE);
    }
    assertThat(blame.isBanned("honest")).isFalse();
    // Once alone, the honest peer is judged as anyone: one bad piece of its own bans it.
    assertThat(blame.pieceFailed(List.of("honest"))).isEqualTo(Verdict.BAN);
  }

  @Test
  void sharedPiecesBanOnlyThePeerWhoseBlockDifferedFromTheGoodOne() {
    Blame<String> blame = new Blame<>();
    // Piece 7, four blocks: a, liar, b, a; the liar's block 1 was bad.
    List<String> senders = List.of("a", "liar", "b", "a");
    assertThat(blame.pieceFailed(senders)).isEqualTo(Verdict.HASH_BLOCKS);
    assertThat(blame.bannedCount()).as("nobody yet").isZero();
    blame.suspect(7, senders, List.of(hash(0), hash(66), hash(2), hash(3)));
    // A second failure, the liar sending block 3 this time.
    List<String> again = List.of("b", "a", "a", "liar");
    assertThat(blame.pieceFailed(again)).isEqualTo(Verdict.HASH_BLOCKS);
    blame.suspect(7, again, List.of(hash(0), hash(1), hash(2), hash(77)));
    assertThat(blame.isSuspect(7)).isTrue();

    assertThat(blame.piecePassed(7, List.of(hash(0), hash(1), hash(2), hash(3))))
        .containsExactly("liar");
    assertThat(blame.isBanned("liar")).isTrue();
    assertThat(blame.isBanned("a")).isFalse();
    assertThat(blame.isBanned("b")).isFalse();
    assertThat(blame.isSuspect(7)).as("forgotten once judged").isFalse();
    assertThat(blame.piecePassed(7, List.of(hash(9), hash(9), hash(9), hash(9)))).isEmpty();
  }

  @Test
  void blocksThatWereNotReadJudgeNobody() {
    Blame<String> blame = new Blame<>();
    List<String> senders = List.of("a", "b");
    blame.pieceFailed(senders);
    blame.suspect(1, senders, Arrays.asList(null, hash(5)));
    assertThat(blame.piecePassed(1, Arrays.asList(hash(4), null))).isEmpty();
    assertThat(blame.bannedCount()).isZero();
  }

  @Test
  void onlyTheLatestSuspectPiecesAreRemembered() {
    Blame<String> blame = new Blame<>();
    for (int piece = 0; piece <= Blame.MAX_SUSPECT_PIECES; piece++) {
      blame.suspect(piece, List.of("a", "b"), List.of(hash(1), hash(2)));
    }
    assertThat(blame.isSuspect(0)).isFalse();
    assertThat(blame.isSuspect(1)).isTrue();
    assertThat(blame.isSuspect(Blame.MAX_SUSPECT_PIECES)).isTrue();
  }

  @Test
  void aPieceWithNoSendersBansNobody() {
    Blame<String> blame = new Blame<>();
    assertThat(blame.pieceFailed(List.of())).isEqualTo(Verdict.NONE);
    assertThat(blame.bannedCount()).isZero();
  }
}
