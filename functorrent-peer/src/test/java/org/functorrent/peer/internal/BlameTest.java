package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BlameTest {
  @Test
  void aPieceFromOneSenderBansItAtOnce() {
    Blame<String> blame = new Blame<>();
    assertThat(blame.pieceFailed(List.of("liar", "liar", "liar"))).containsExactly("liar");
    assertThat(blame.isBanned("liar")).isTrue();
    assertThat(blame.bannedCount()).isEqualTo(1);
  }

  @Test
  void sharedPiecesGiveStrikesAndTheSecondBans() {
    Blame<String> blame = new Blame<>();
    assertThat(blame.pieceFailed(List.of("a", "b"))).isEmpty();
    assertThat(blame.isBanned("a")).isFalse();
    assertThat(blame.pieceFailed(List.of("a", "c"))).containsExactly("a");
    assertThat(blame.isBanned("b")).isFalse();
    assertThat(blame.isBanned("c")).isFalse();
  }

  @Test
  void aFailureABannedPeerContributedToCostsTheOthersNothing() {
    Blame<String> blame = new Blame<>();
    blame.pieceFailed(List.of("liar", "liar"));
    // Half-done pieces the liar left, finished by an honest peer, fail one after another.
    for (int i = 0; i < 5; i++) {
      assertThat(blame.pieceFailed(List.of("liar", "honest"))).isEmpty();
    }
    assertThat(blame.isBanned("honest")).isFalse();
    // Once alone, the honest peer is judged as anyone: one bad piece of its own bans it.
    assertThat(blame.pieceFailed(List.of("honest"))).containsExactly("honest");
  }

  @Test
  void aPieceWithNoSendersBansNobody() {
    Blame<String> blame = new Blame<>();
    assertThat(blame.pieceFailed(List.of())).isEmpty();
    assertThat(blame.bannedCount()).isZero();
  }
}
