package org.functorrent.metainfo;

import com.google.common.collect.ImmutableList;
import java.util.Arrays;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;

/** Builds small torrents for tests, key by key as the BEPs describe them. */
final class Torrents {
  static final int PIECE = 16384;

  private Torrents() {}

  static BencodeString str(String s) {
    return BencodeString.of(s);
  }

  static BencodeList strings(String... values) {
    return BencodeList.of(Arrays.stream(values).map(BencodeString::of).toList());
  }

  static BencodeString hashes(int count) {
    byte[] bytes = new byte[count * 20];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    return BencodeString.of(bytes);
  }

  /** A valid single-file info dictionary: {@code name}, {@code length} bytes. */
  static BencodeDictionary.Builder singleFileInfo(String name, long length) {
    return BencodeDictionary.builder()
        .put("name", name)
        .put("length", length)
        .put("piece length", PIECE)
        .put("pieces", hashes((int) ((length + PIECE - 1) / PIECE)));
  }

  static BencodeDictionary file(long length, String... path) {
    return BencodeDictionary.builder().put("length", length).put("path", strings(path)).build();
  }

  /** A valid multi-file info dictionary with {@code files}, piece hashes to match. */
  static BencodeDictionary.Builder multiFileInfo(String name, BencodeDictionary... files) {
    long total = 0;
    for (BencodeDictionary file : files) {
      total +=
          file.get("length")
              .map(v -> ((org.functorrent.bencode.BencodeInteger) v).value())
              .orElse(0L);
    }
    return BencodeDictionary.builder()
        .put("name", name)
        .put("files", BencodeList.of(ImmutableList.copyOf(files)))
        .put("piece length", PIECE)
        .put("pieces", hashes((int) Math.max(1, (total + PIECE - 1) / PIECE)));
  }

  static byte[] torrent(BencodeValue info) {
    return Bencode.encode(BencodeDictionary.builder().put("info", info).build());
  }

  static byte[] torrent(BencodeDictionary.Builder info) {
    return torrent(info.build());
  }

  static MetaInfo parse(BencodeDictionary.Builder info) {
    return MetaInfo.parse(torrent(info));
  }
}
