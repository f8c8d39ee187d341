package org.functorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PieceSetTest {
  @Test
  void bitfieldPutsPieceZeroInTheHighBit() {
    PieceSet set = PieceSet.of(10, 0, 7, 9);
    assertThat(set.toBitfield()).containsExactly(0x81, 0x40);
    assertThat(PieceSet.fromBitfield(new byte[] {(byte) 0x81, 0x40}, 10)).isEqualTo(set);
  }

  @Test
  void bitfieldRoundTripsForRandomSets() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int round = 0; round < 200; round++) {
      int size = random.nextInt(300);
      BitSet bits = new BitSet();
      for (int i = 0; i < size; i++) {
        if (random.nextBoolean()) {
          bits.set(i);
        }
      }
      PieceSet set = PieceSet.copyOf(bits, size);
      assertThat(PieceSet.fromBitfield(set.toBitfield(), size)).as("seed %s", seed).isEqualTo(set);
      assertThat(set.count()).isEqualTo(bits.cardinality());
    }
  }

  @Test
  void spareBitsAndWrongLengthsAreRejected() {
    assertThatThrownBy(() -> PieceSet.fromBitfield(new byte[] {0x01}, 7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spare bit 7");
    assertThatThrownBy(() -> PieceSet.fromBitfield(new byte[2], 7))
        .hasMessageContaining("expected: 1 for 7 pieces");
    assertThatThrownBy(() -> PieceSet.of(3, 3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void isImmutable() {
    BitSet bits = new BitSet();
    bits.set(1);
    PieceSet set = PieceSet.copyOf(bits, 4);
    bits.set(2);
    set.toBitSet().set(3);
    assertThat(set).isEqualTo(PieceSet.of(4, 1));
    assertThat(set.with(2)).isEqualTo(PieceSet.of(4, 1, 2));
    assertThat(set.union(PieceSet.of(4, 0))).isEqualTo(PieceSet.of(4, 0, 1));
    assertThat(set).isEqualTo(PieceSet.of(4, 1));
    assertThat(PieceSet.all(4).isComplete()).isTrue();
    assertThat(PieceSet.empty(0).isComplete()).isTrue();
  }
}
