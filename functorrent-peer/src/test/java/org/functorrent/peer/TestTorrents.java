package org.functorrent.peer;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.functorrent.metainfo.MetaInfo;

/** Single- and multi-file torrents over random bytes, for tests. */
public final class TestTorrents {
  private TestTorrents() {}

  public static byte[] randomData(long seed, int length) {
    byte[] data = new byte[length];
    new Random(seed).nextBytes(data);
    return data;
  }

  public static MetaInfo torrent(byte[] data, int pieceLength) throws Exception {
    BencodeDictionary info =
        BencodeDictionary.builder()
            .put("length", data.length)
            .put("name", "test.bin")
            .put("piece length", pieceLength)
            .put("pieces", BencodeString.of(pieceHashes(data, pieceLength)))
            .build();
    return MetaInfo.parse(Bencode.encode(BencodeDictionary.builder().put("info", info).build()));
  }

  /**
   * A multi-file torrent laid over {@code data}: files {@code f0, f1, ...} of {@code lengths} (which
   * add up to {@code data.length}); the files whose index is in {@code padding} are BEP 47
   * padding files.
   */
  public static MetaInfo multiFile(byte[] data, int pieceLength, long[] lengths, int... padding)
      throws Exception {
    List<BencodeValue> files = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < lengths.length; i++) {
      BencodeDictionary.Builder file =
          BencodeDictionary.builder()
              .put("length", lengths[i])
              .put("path", BencodeList.of(BencodeString.of("f" + i)));
      for (int pad : padding) {
        if (pad == i) {
          file.put("attr", "p");
        }
      }
      files.add(file.build());
      total += lengths[i];
    }
    if (total != data.length) {
      throw new IllegalArgumentException("lengths add up to " + total + ", not " + data.length);
    }
    BencodeDictionary info =
        BencodeDictionary.builder()
            .put("files", BencodeList.of(files))
            .put("name", "test")
            .put("piece length", pieceLength)
            .put("pieces", BencodeString.of(pieceHashes(data, pieceLength)))
            .build();
    return MetaInfo.parse(Bencode.encode(BencodeDictionary.builder().put("info", info).build()));
  }

  private static byte[] pieceHashes(byte[] data, int pieceLength) throws Exception {
    int pieces = (data.length + pieceLength - 1) / pieceLength;
    byte[] hashes = new byte[pieces * 20];
    for (int i = 0; i < pieces; i++) {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(data, i * pieceLength, Math.min(pieceLength, data.length - i * pieceLength));
      System.arraycopy(sha1.digest(), 0, hashes, i * 20, 20);
    }
    return hashes;
  }
}
