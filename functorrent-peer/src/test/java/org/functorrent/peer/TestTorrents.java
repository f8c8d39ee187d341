package org.functorrent.peer;

import java.security.MessageDigest;
import java.util.Random;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeString;
import org.functorrent.metainfo.MetaInfo;

/** Single-file torrents over random bytes, for tests. */
public final class TestTorrents {
  private TestTorrents() {}

  public static byte[] randomData(long seed, int length) {
    byte[] data = new byte[length];
    new Random(seed).nextBytes(data);
    return data;
  }

  public static MetaInfo torrent(byte[] data, int pieceLength) throws Exception {
    int pieces = (data.length + pieceLength - 1) / pieceLength;
    byte[] hashes = new byte[pieces * 20];
    for (int i = 0; i < pieces; i++) {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(data, i * pieceLength, Math.min(pieceLength, data.length - i * pieceLength));
      System.arraycopy(sha1.digest(), 0, hashes, i * 20, 20);
    }
    BencodeDictionary info =
        BencodeDictionary.builder()
            .put("length", data.length)
            .put("name", "test.bin")
            .put("piece length", pieceLength)
            .put("pieces", BencodeString.of(hashes))
            .build();
    return MetaInfo.parse(Bencode.encode(BencodeDictionary.builder().put("info", info).build()));
  }
}
