package org.functorrent.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import java.util.List;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.storage.internal.FileLayout.Span;
import org.junit.jupiter.api.Test;

class FileLayoutTest {
  private static MetaInfo torrent(int pieceLength, long... lengths) {
    long total = 0;
    ImmutableList.Builder<BencodeValue> files = ImmutableList.builder();
    for (int i = 0; i < lengths.length; i++) {
      total += lengths[i];
      files.add(
          BencodeDictionary.builder()
              .put("length", lengths[i])
              .put("path", BencodeList.of(BencodeString.of("f" + i)))
              .build());
    }
    int pieces = (int) ((total + pieceLength - 1) / pieceLength);
    BencodeDictionary info =
        BencodeDictionary.builder()
            .put("name", "t")
            .put("piece length", pieceLength)
            .put("pieces", BencodeString.of(new byte[pieces * 20]))
            .put("files", BencodeList.of(files.build()))
            .build();
    return MetaInfo.parse(Bencode.encode(BencodeDictionary.builder().put("info", info).build()));
  }

  @Test
  void spansCrossFileBoundariesAndSkipEmptyFiles() {
    FileLayout layout = new FileLayout(torrent(16384, 10_000, 0, 0, 5_000, 20_000));
    assertThat(layout.spans(9_000, 8_000))
        .containsExactly(
            new Span(0, 9_000, 9_000, 1_000),
            new Span(3, 0, 10_000, 5_000),
            new Span(4, 0, 15_000, 2_000));
    assertThat(layout.spans(15_000, 1)).containsExactly(new Span(4, 0, 15_000, 1));
    assertThat(layout.spans(14_999, 1)).containsExactly(new Span(3, 4_999, 14_999, 1));
    assertThat(layout.spans(0, 0)).isEmpty();
    assertThat(layout.pieceSpans(1)).containsExactly(new Span(4, 1_384, 16_384, 16_384));
  }

  @Test
  void boundaryPiecesGetPartSlotsInOrder() {
    // f0 [0, 10000), f1 [10000, 15000), f2 [15000, 35000): pieces 0 and 1 hold two files or more
    FileLayout layout = new FileLayout(torrent(16384, 10_000, 5_000, 20_000));
    assertThat(layout.boundaryPieceCount()).isEqualTo(1);
    assertThat(layout.partSlot(0)).isZero();
    assertThat(layout.partSlot(1)).isEqualTo(-1);
    assertThat(layout.partOffset(0, 12_000)).isEqualTo(12_000);
    FileLayout two = new FileLayout(torrent(16384, 20_000, 20_000, 5));
    assertThat(two.partSlot(0)).isEqualTo(-1);
    assertThat(two.partSlot(1)).isZero();
    assertThat(two.partSlot(2)).isEqualTo(1);
    assertThat(two.partOffset(2, 2L * 16384 + 7)).isEqualTo(16384 + 7);
  }

  @Test
  void offsetsBeyondFourGibAreLongs() {
    long big = 5L << 30;
    FileLayout layout = new FileLayout(torrent(1 << 20, big, 3, big));
    long at = big - 1;
    List<Span> spans = layout.spans(at, 5);
    assertThat(spans)
        .containsExactly(
            new Span(0, big - 1, big - 1, 1), new Span(1, 0, big, 3), new Span(2, 0, big + 3, 1));
    assertThat(layout.lastPiece(2)).isEqualTo((int) ((2 * big + 3 - 1) >> 20));
    assertThat(layout.pieceStart(6000)).isEqualTo(6000L << 20);
  }
}
