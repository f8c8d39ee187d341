package org.functorrent.metainfo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeInteger;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.functorrent.common.TorrentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorrentCreatorTest {
  @TempDir Path dir;

  private static byte[] sha1Pieces(byte[] data, int pieceLength) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int offset = 0; offset < data.length; offset += pieceLength) {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(data, offset, Math.min(pieceLength, data.length - offset));
      out.write(sha1.digest());
    }
    return out.toByteArray();
  }

  private static BencodeDictionary info(BencodeDictionary torrent) {
    return (BencodeDictionary) torrent.get("info").orElseThrow();
  }

  private static BencodeValue value(BencodeDictionary d, String key) {
    return d.get(key).orElseThrow(() -> new AssertionError("no key " + key + " in " + d));
  }

  private byte[] randomFile(Path file, int length, long seed) throws Exception {
    byte[] data = new byte[length];
    new Random(seed).nextBytes(data);
    Files.createDirectories(file.getParent());
    Files.write(file, data);
    return data;
  }

  @Test
  void aSingleFileTorrentHashesEveryPieceIncludingTheShortLastOne() throws Exception {
    byte[] data = randomFile(dir.resolve("movie.bin"), 5 * 16384 + 123, 1);
    BencodeDictionary torrent =
        TorrentCreator.of(dir.resolve("movie.bin"))
            .pieceLength(16384)
            .tracker("http://127.0.0.1:6969/announce")
            .createDictionary();
    BencodeDictionary info = info(torrent);
    assertThat(value(info, "name")).isEqualTo(BencodeString.of("movie.bin"));
    assertThat(value(info, "length")).isEqualTo(BencodeInteger.of(data.length));
    assertThat(value(info, "piece length")).isEqualTo(BencodeInteger.of(16384));
    assertThat(((BencodeString) value(info, "pieces")).toByteArray())
        .isEqualTo(sha1Pieces(data, 16384));
    assertThat(info.containsKey("files")).isFalse();
    assertThat(info.containsKey("private")).isFalse();
    assertThat(value(torrent, "announce"))
        .isEqualTo(BencodeString.of("http://127.0.0.1:6969/announce"));
    assertThat(torrent.containsKey("announce-list")).isFalse();
    assertThat(torrent.containsKey("creation date")).isFalse();
  }

  @Test
  void aDirectoryBecomesAMultiFileTorrentWithPiecesAcrossFileBoundaries() throws Exception {
    Path root = dir.resolve("album");
    byte[] a = randomFile(root.resolve("a.bin"), 20000, 2);
    Files.write(root.resolve("b-empty"), new byte[0]);
    byte[] c = randomFile(root.resolve("sub/c.bin"), 30000, 3);
    byte[] d = randomFile(root.resolve("sub/deeper/d \u00e9t\u00e9.bin"), 17, 4);
    BencodeDictionary info =
        info(TorrentCreator.of(root).pieceLength(16384).createDictionary());
    byte[] all = concat(a, c, d);
    assertThat(((BencodeString) value(info, "pieces")).toByteArray())
        .isEqualTo(sha1Pieces(all, 16384));
    assertThat(value(info, "name")).isEqualTo(BencodeString.of("album"));
    BencodeList files = (BencodeList) value(info, "files");
    assertThat(files.values())
        .containsExactly(
            file(20000, "a.bin"),
            file(0, "b-empty"),
            file(30000, "sub", "c.bin"),
            file(17, "sub", "deeper", "d \u00e9t\u00e9.bin"));
    assertThat(info.containsKey("length")).isFalse();
  }

  @Test
  void manyPiecesHashedInParallelMatchASequentialHash() throws Exception {
    Path root = dir.resolve("many");
    byte[][] parts = new byte[40][];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = randomFile(root.resolve(String.format("f%02d", i)), 1000 + i * 7919, i);
    }
    BencodeDictionary info =
        info(TorrentCreator.of(root).pieceLength(16384).createDictionary());
    assertThat(((BencodeString) value(info, "pieces")).toByteArray())
        .isEqualTo(sha1Pieces(concat(parts), 16384));
  }

  @Test
  void optionalKeysAreWrittenWhenSet() throws Exception {
    randomFile(dir.resolve("x"), 100, 5);
    BencodeDictionary torrent =
        TorrentCreator.of(dir.resolve("x"))
            .trackerTier(List.of("http://127.0.0.1:1/announce", "udp://127.0.0.1:2"))
            .tracker("http://127.0.0.1:3/announce")
            .webSeed("http://127.0.0.1:4/files/")
            .privateTorrent(true)
            .comment("a comment")
            .createdBy("test")
            .creationDate(Instant.ofEpochSecond(1_700_000_000))
            .createDictionary();
    assertThat(value(torrent, "announce")).isEqualTo(BencodeString.of("http://127.0.0.1:1/announce"));
    assertThat(new String(Bencode.encode(value(torrent, "announce-list")), UTF_8))
        .isEqualTo(
            "ll27:http://127.0.0.1:1/announce17:udp://127.0.0.1:2el27:http://127.0.0.1:3/announceee");
    assertThat(value(info(torrent), "private")).isEqualTo(BencodeInteger.of(1));
    assertThat(value(torrent, "url-list"))
        .isEqualTo(BencodeList.of(BencodeString.of("http://127.0.0.1:4/files/")));
    assertThat(value(torrent, "comment")).isEqualTo(BencodeString.of("a comment"));
    assertThat(value(torrent, "created by")).isEqualTo(BencodeString.of("test"));
    assertThat(value(torrent, "creation date")).isEqualTo(BencodeInteger.of(1_700_000_000));
  }

  @Test
  void theSameDataGivesTheSameTorrent() throws Exception {
    randomFile(dir.resolve("d/1"), 50000, 6);
    randomFile(dir.resolve("d/2"), 70000, 7);
    assertThat(TorrentCreator.of(dir.resolve("d")).create())
        .isEqualTo(TorrentCreator.of(dir.resolve("d")).create());
  }

  @Test
  void theAutomaticPieceLengthKeepsThePieceCountModest() {
    assertThat(TorrentCreator.automaticPieceLength(1)).isEqualTo(16384);
    assertThat(TorrentCreator.automaticPieceLength(2048L * 16384)).isEqualTo(16384);
    assertThat(TorrentCreator.automaticPieceLength(2048L * 16384 + 1)).isEqualTo(32768);
    assertThat(TorrentCreator.automaticPieceLength(1L << 30)).isEqualTo(512 * 1024);
    assertThat(TorrentCreator.automaticPieceLength(1L << 50)).isEqualTo(16 * 1024 * 1024);
  }

  @Test
  void rejectsWhatCannotBeATorrent() throws Exception {
    assertThatThrownBy(() -> TorrentCreator.of(dir.resolve("missing")).create())
        .isInstanceOf(TorrentException.class)
        .hasMessageContaining("missing: no such file or directory");
    Files.createDirectories(dir.resolve("empty/sub"));
    Files.write(dir.resolve("empty/sub/zero"), new byte[0]);
    assertThatThrownBy(() -> TorrentCreator.of(dir.resolve("empty")).create())
        .isInstanceOf(TorrentException.class)
        .hasMessageContaining("it holds no data");
    Files.createDirectories(dir.resolve("odd"));
    Files.write(dir.resolve("odd/back\\slash"), new byte[1]);
    assertThatThrownBy(() -> TorrentCreator.of(dir.resolve("odd")).create())
        .isInstanceOf(InvalidTorrentException.class)
        .hasMessageContaining("info.files[0].path[0]").hasMessageContaining("path separator");
    assertThatThrownBy(() -> TorrentCreator.of(dir).pieceLength(3000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("piece length: 3000 (expected: a power of two from 16384 to 67108864)");
    assertThatThrownBy(() -> TorrentCreator.of(dir).trackerTier(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tracker tier: empty (expected: at least one URL)");
  }

  private static BencodeDictionary file(long length, String... path) {
    return BencodeDictionary.builder()
        .put("length", length)
        .put("path", BencodeList.of(Arrays.stream(path).map(BencodeString::of).toList()))
        .build();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
