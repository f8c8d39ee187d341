package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.functorrent.metainfo.MetaInfo;
import org.junit.jupiter.api.Test;

class FilePrioritiesTest {
  private static final int PIECE = 32 * 1024;

  /** f0 pieces 0-3; f1 padding (end of piece 3, all of piece 4); f2 5-11; f3 11-12; f4 empty. */
  private static MetaInfo torrent() throws Exception {
    long[] lengths = {100_000, 63_840, 200_000, 50_000, 0};
    return TestTorrents.multiFile(new byte[413_840], PIECE, lengths, 1);
  }

  @Test
  void aPieceTakesTheHighestPriorityOfItsFilesAndPaddingCountsForNothing() throws Exception {
    MetaInfo meta = torrent();
    assertThat(meta.pieceCount()).isEqualTo(13);
    assertThat(FilePriorities.toPiecePriorities(meta, List.of(1, 7, 0, 1, 7)))
        .containsExactly(1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1);
    assertThat(FilePriorities.toPiecePriorities(meta, List.of(2, 0, 3, 5, 0)))
        .containsExactly(2, 2, 2, 2, 0, 3, 3, 3, 3, 3, 3, 5, 5);
    assertThat(FilePriorities.toPiecePriorities(meta, List.of(0, 0, 4, 0, 0)))
        .containsExactly(0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 0);
  }

  @Test
  void aSingleFileTorrentMapsItsOnePriorityToEveryPiece() throws Exception {
    MetaInfo meta = TestTorrents.torrent(new byte[100_000], PIECE);
    int[] expected = new int[4];
    Arrays.fill(expected, 6);
    assertThat(FilePriorities.toPiecePriorities(meta, List.of(6))).isEqualTo(expected);
  }

  @Test
  void oneValidPriorityPerFile() throws Exception {
    MetaInfo meta = torrent();
    assertThatThrownBy(() -> FilePriorities.toPiecePriorities(meta, List.of(1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one per file, 5");
    assertThatThrownBy(() -> FilePriorities.toPiecePriorities(meta, List.of(1, 1, 8, 1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("filePriorities[2]: 8");
  }
}
