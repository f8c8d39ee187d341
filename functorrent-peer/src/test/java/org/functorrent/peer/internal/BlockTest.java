package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Block}'s written-out equals, hashCode and toString keep the record's contract. */
class BlockTest {
  /** A record with Block's components and the methods javac generates, to compare against. */
  private record Generated(int piece, int offset, int length) {}

  @Test
  void equalComponentsMakeEqualBlocksWithEqualHashes() {
    Block a = new Block(7, 3 * Block.SIZE, Block.SIZE);
    Block b = new Block(7, 3 * Block.SIZE, Block.SIZE);
    assertThat(a).isEqualTo(b).isEqualTo(a).hasSameHashCodeAs(b);
    assertThat(b).isEqualTo(a);
  }

  @Test
  void eachComponentTakesPartInEquality() {
    Block a = new Block(7, Block.SIZE, Block.SIZE);
    assertThat(a)
        .isNotEqualTo(new Block(8, Block.SIZE, Block.SIZE))
        .isNotEqualTo(new Block(7, 2 * Block.SIZE, Block.SIZE))
        .isNotEqualTo(new Block(7, Block.SIZE, 100))
        .isNotEqualTo(null)
        .isNotEqualTo(new Generated(7, Block.SIZE, Block.SIZE))
        .isNotEqualTo("Block[piece=7, offset=16384, length=16384]");
  }

  @Test
  void equalityAgreesWithTheGeneratedRecordOnSwappedAndNearbyComponents() {
    int[] values = {0, 1, 2, 31, 961, Block.SIZE, 2 * Block.SIZE, Integer.MAX_VALUE};
    for (int p1 : values) {
      for (int o1 : values) {
        for (int l1 : new int[] {0, 1, Block.SIZE}) {
          Block b1 = new Block(p1, o1, l1);
          Generated g1 = new Generated(p1, o1, l1);
          assertThat(b1.toString()).isEqualTo(g1.toString().replace("Generated[", "Block["));
          for (int p2 : values) {
            for (int o2 : values) {
              Block b2 = new Block(p2, o2, l1);
              assertThat(b1.equals(b2)).isEqualTo(g1.equals(new Generated(p2, o2, l1)));
              if (b1.equals(b2)) {
                assertThat(b1.hashCode()).isEqualTo(b2.hashCode());
              }
            }
          }
        }
      }
    }
  }

  @Test
  void blocksOfATorrentHashApartAndWorkAsMapKeys() {
    Set<Integer> hashes = new HashSet<>();
    Map<Block, Integer> map = new HashMap<>();
    int i = 0;
    for (int piece = 0; piece < 1024; piece++) {
      for (int offset = 0; offset < 16 * Block.SIZE; offset += Block.SIZE) {
        Block block = new Block(piece, offset, Block.SIZE);
        hashes.add(block.hashCode());
        map.put(block, i++);
      }
    }
    assertThat(hashes).hasSize(1024 * 16);
    assertThat(map).hasSize(1024 * 16);
    assertThat(map.get(new Block(1000, 5 * Block.SIZE, Block.SIZE))).isEqualTo(1000 * 16 + 5);
    assertThat(map.get(new Block(1000, 5 * Block.SIZE, Block.SIZE - 1))).isNull();
  }

  @Test
  void negativeComponentsAreRefused() {
    assertThatThrownBy(() -> new Block(-1, 0, 1)).hasMessageContaining("piece: -1");
    assertThatThrownBy(() -> new Block(0, -1, 1)).hasMessageContaining("offset: -1");
    assertThatThrownBy(() -> new Block(0, 0, -1)).hasMessageContaining("length: -1");
  }
}
