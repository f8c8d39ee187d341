package org.functorrent.metainfo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.functorrent.metainfo.Torrents.singleFileInfo;

import java.util.List;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeException;
import org.junit.jupiter.api.Test;

/** A torrent built from an info dictionary fetched from peers (BEP 9) and a magnet's trackers. */
class MetaInfoFromInfoDictionaryTest {
  private final byte[] info = Bencode.encode(singleFileInfo("a.iso", 40000).put("private", 1)
      .build());

  @Test
  void keepsTheInfoBytesAndTakesTheTrackersAsTiers() {
    MetaInfo meta =
        MetaInfo.fromInfoDictionary(
            info, List.of(List.of("http://127.0.0.1:1/announce"), List.of("udp://127.0.0.1:2")));
    assertThat(meta.infoBytes()).isEqualTo(info);
    assertThat(meta.infoHash()).isEqualTo(InfoHash.sha1Of(info));
    assertThat(meta.name()).isEqualTo("a.iso");
    assertThat(meta.totalLength()).isEqualTo(40000);
    assertThat(meta.isPrivate()).isTrue();
    assertThat(meta.announce()).hasValue("http://127.0.0.1:1/announce");
    assertThat(meta.trackerTiers())
        .isEqualTo(List.of(List.of("http://127.0.0.1:1/announce"), List.of("udp://127.0.0.1:2")));
    // What it encodes is a .torrent that parses back to the same thing.
    MetaInfo again = MetaInfo.parse(meta.encoded());
    assertThat(again.infoHash()).isEqualTo(meta.infoHash());
    assertThat(again.trackerTiers()).isEqualTo(meta.trackerTiers());
  }

  @Test
  void withoutTrackersThereIsNoAnnounce() {
    MetaInfo meta = MetaInfo.fromInfoDictionary(info, List.of());
    assertThat(meta.trackerTiers()).isEmpty();
    assertThat(meta.announce()).isEmpty();
    assertThat(meta.infoHash()).isEqualTo(InfoHash.sha1Of(info));
  }

  @Test
  void badInfoDictionariesFailTyped() {
    assertThatThrownBy(() -> MetaInfo.fromInfoDictionary("i42e".getBytes(UTF_8), List.of()))
        .isInstanceOf(InvalidTorrentException.class)
        .hasMessageStartingWith("info: ");
    assertThatThrownBy(() -> MetaInfo.fromInfoDictionary("d4:name".getBytes(UTF_8), List.of()))
        .isInstanceOf(BencodeException.class);
    byte[] noPieces = Bencode.encode(singleFileInfo("a.iso", 40000).remove("pieces").build());
    assertThatThrownBy(() -> MetaInfo.fromInfoDictionary(noPieces, List.of()))
        .isInstanceOf(InvalidTorrentException.class)
        .hasMessageStartingWith("info.pieces: ");
  }
}
