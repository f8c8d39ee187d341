package org.functorrent.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteRangesTest {
  @Test
  void blocksInOrderStayOneRange() {
    ByteRanges r = new ByteRanges();
    for (int b = 0; b < 64; b++) {
      r.add(b * 16384L, (b + 1) * 16384L);
    }
    assertThat(r.rangeCount()).isEqualTo(1);
    assertThat(r.encloses(0, 64 * 16384L)).isTrue();
    assertThat(r.encloses(0, 64 * 16384L + 1)).isFalse();
  }

  @Test
  void aGapIsNotEnclosedUntilFilled() {
    ByteRanges r = new ByteRanges();
    r.add(0, 10);
    r.add(20, 30);
    r.add(40, 50);
    assertThat(r.rangeCount()).isEqualTo(3);
    assertThat(r.encloses(0, 30)).isFalse();
    assertThat(r.encloses(20, 30)).isTrue();
    r.add(5, 45); // overlaps all three: one range
    assertThat(r.rangeCount()).isEqualTo(1);
    assertThat(r.encloses(0, 50)).isTrue();
  }

  @Test
  void touchingRangesMergeAndDisjointOnesStayApart() {
    ByteRanges r = new ByteRanges();
    r.add(10, 20);
    r.add(0, 10);
    assertThat(r.rangeCount()).isEqualTo(1);
    r.add(21, 22);
    assertThat(r.rangeCount()).isEqualTo(2);
    assertThat(r.encloses(0, 21)).isFalse();
    r.add(20, 21);
    assertThat(r.rangeCount()).isEqualTo(1);
    assertThat(r.encloses(0, 22)).isTrue();
  }

  @Test
  void removingFromTheMiddleSplitsARange() {
    ByteRanges r = new ByteRanges();
    r.add(0, 100);
    r.remove(40, 60);
    assertThat(r.rangeCount()).isEqualTo(2);
    assertThat(r.encloses(0, 40)).isTrue();
    assertThat(r.encloses(60, 100)).isTrue();
    assertThat(r.encloses(39, 41)).isFalse();
    r.remove(0, 100);
    assertThat(r.rangeCount()).isZero();
    assertThat(r.encloses(0, 1)).isFalse();
  }

  @Test
  void emptyRangesChangeNothing() {
    ByteRanges r = new ByteRanges();
    r.add(5, 5);
    r.add(9, 3);
    assertThat(r.rangeCount()).isZero();
    r.add(0, 10);
    r.remove(4, 4);
    assertThat(r.rangeCount()).isEqualTo(1);
    assertThat(r.encloses(7, 7)).isTrue();
  }

  @Test
  void agreesWithABitSetUnderRandomAddsAndRemoves() {
    Random random = new Random(42);
    for (int trial = 0; trial < 200; trial++) {
      ByteRanges r = new ByteRanges();
      BitSet model = new BitSet();
      for (int op = 0; op < 60; op++) {
        int start = random.nextInt(200);
        int end = start + random.nextInt(40);
        if (random.nextInt(4) == 0) {
          r.remove(start, end);
          model.clear(start, end);
        } else {
          r.add(start, end);
          model.set(start, end);
        }
        int from = random.nextInt(220);
        int to = from + 1 + random.nextInt(30);
        boolean whole = model.nextClearBit(from) >= to;
        assertThat(r.encloses(from, to)).as("trial %s op %s: [%s, %s)", trial, op, from, to)
            .isEqualTo(whole);
      }
      assertThat(r.rangeCount()).as("ranges of trial %s", trial).isEqualTo(runs(model));
    }
  }

  private static int runs(BitSet bits) {
    int n = 0;
    for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(bits.nextClearBit(i))) {
      n++;
    }
    return n;
  }
}
