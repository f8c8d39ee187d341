package org.functorrent.metainfo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.functorrent.metainfo.Torrents.PIECE;
import static org.functorrent.metainfo.Torrents.file;
import static org.functorrent.metainfo.Torrents.hashes;
import static org.functorrent.metainfo.Torrents.multiFileInfo;
import static org.functorrent.metainfo.Torrents.parse;
import static org.functorrent.metainfo.Torrents.singleFileInfo;
import static org.functorrent.metainfo.Torrents.str;
import static org.functorrent.metainfo.Torrents.strings;
import static org.functorrent.metainfo.Torrents.torrent;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.Bytes;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeException;
import org.functorrent.bencode.BencodeInteger;
import org.functorrent.bencode.BencodeList;
import org.functorrent.common.TorrentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetaInfoTest {

  private static AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(
      BencodeDictionary.Builder info, String keyPath) {
    return assertInvalid(torrent(info), keyPath);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(
      byte[] torrent, String keyPath) {
    return assertThatThrownBy(() -> MetaInfo.parse(torrent))
        .isInstanceOf(InvalidTorrentException.class)
        .satisfies(e -> assertThat(((InvalidTorrentException) e).keyPath()).isEqualTo(keyPath))
        .hasMessageStartingWith(keyPath + ": ");
  }

  private static byte[] sha1(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-1").digest(data);
  }

  // BEP 3: single-file and multi-file torrents.

  @Test
  void singleFileTorrent() throws Exception {
    BencodeDictionary info = singleFileInfo("a.iso", 40000).build();
    MetaInfo meta = MetaInfo.parse(torrent(info));
    assertThat(meta.name()).isEqualTo("a.iso");
    assertThat(meta.isSingleFile()).isTrue();
    assertThat(meta.pieceLength()).isEqualTo(PIECE);
    assertThat(meta.pieceCount()).isEqualTo(3);
    assertThat(meta.pieceSize(0)).isEqualTo(PIECE);
    assertThat(meta.pieceSize(2)).isEqualTo(40000 - 2 * PIECE);
    assertThat(meta.pieceHash(1)).isEqualTo(Arrays.copyOfRange(hashes(3).toByteArray(), 20, 40));
    assertThat(meta.files()).containsExactly(TorrentFile.of(ImmutableList.of("a.iso"), 40000, 0));
    assertThat(meta.totalLength()).isEqualTo(40000);
    assertThat(meta.infoHash().toByteArray()).isEqualTo(sha1(Bencode.encode(info)));
    assertThat(meta.infoBytes()).isEqualTo(Bencode.encode(info));
    assertThat(meta.info()).isEqualTo(info);
    assertThat(meta.hasV2Metadata()).isFalse();
    assertThat(meta.isPrivate()).isFalse();
    assertThat(meta.announce()).isEmpty();
    assertThat(meta.trackerTiers()).isEmpty();
    assertThatThrownBy(() -> meta.pieceHash(3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  /**
   * The info dictionary and the piece hashes are kept as ranges of the one copy of the file; the
   * same key bytes placed earlier, in a comment and in a file name, must not mislead that.
   */
  @Test
  void decoysOfTheInfoAndPiecesKeysDoNotMoveTheirRanges() throws Exception {
    byte[] hashBytes = hashes(2).toByteArray();
    String decoy = "4:info6:pieces40:" + "z".repeat(40);
    BencodeDictionary info =
        multiFileInfo("dir", file(10, "6:pieces40:"), file(20000, decoy)).build();
    byte[] encoded =
        Bencode.encode(
            BencodeDictionary.builder()
                .put("comment", "6:pieces40:" + "y".repeat(40) + decoy)
                .put("info", info)
                .build());
    MetaInfo meta = MetaInfo.parse(encoded);
    assertThat(meta.infoBytes()).isEqualTo(Bencode.encode(info));
    assertThat(meta.infoBytes(7, 30))
        .isEqualTo(Arrays.copyOfRange(Bencode.encode(info), 7, 37));
    assertThat(meta.pieceHash(0)).isEqualTo(Arrays.copyOfRange(hashBytes, 0, 20));
    assertThat(meta.pieceHash(1)).isEqualTo(Arrays.copyOfRange(hashBytes, 20, 40));
    assertThat(meta.infoHash().toByteArray()).isEqualTo(sha1(Bencode.encode(info)));
    assertThatThrownBy(() -> meta.infoBytes(meta.infoLength() - 1, 2))
        .isInstanceOf(IndexOutOfBoundsException.class);
    // The caller's array may change afterwards.
    Arrays.fill(encoded, (byte) 0);
    assertThat(meta.pieceHash(1)).isEqualTo(Arrays.copyOfRange(hashBytes, 20, 40));
  }

  @Test
  void multiFileTorrentLaysFilesEndToEnd() {
    MetaInfo meta =
        parse(multiFileInfo("dir", file(10, "a.txt"), file(0, "empty"), file(20000, "sub", "b")));
    assertThat(meta.isSingleFile()).isFalse();
    assertThat(meta.files())
        .containsExactly(
            TorrentFile.of(ImmutableList.of("dir", "a.txt"), 10, 0),
            TorrentFile.of(ImmutableList.of("dir", "empty"), 0, 10),
            TorrentFile.of(ImmutableList.of("dir", "sub", "b"), 20000, 10));
    assertThat(meta.totalLength()).isEqualTo(20010);
    assertThat(meta.pieceCount()).isEqualTo(2);
  }

  @Test
  void infoHashIsTakenOverTheOriginalBytesOfAnUnsortedInfoDictionary() throws Exception {
    String pieces = "x".repeat(20);
    String info = "d4:name1:a6:lengthi5e12:piece lengthi16384e6:pieces20:" + pieces + "e";
    byte[] torrent = ("d8:announce3:url4:info" + info + "e").getBytes(UTF_8);
    MetaInfo meta = MetaInfo.parse(torrent);
    assertThat(meta.infoHash().toByteArray()).isEqualTo(sha1(info.getBytes(UTF_8)));
    assertThat(meta.infoHash().toByteArray()).isNotEqualTo(sha1(Bencode.encode(meta.info())));
    assertThat(meta.infoBytes()).isEqualTo(info.getBytes(UTF_8));
    assertThat(meta.encoded()).isEqualTo(torrent);
  }

  @Test
  void bytesAfterTheTorrentAreIgnored() {
    byte[] torrent = torrent(singleFileInfo("a", 5));
    MetaInfo withNewline = MetaInfo.parse(Bytes.concat(torrent, "\n".getBytes(UTF_8)));
    assertThat(withNewline.infoHash()).isEqualTo(MetaInfo.parse(torrent).infoHash());
  }

  @Test
  void parsesStreamsAndFiles(@TempDir Path dir) throws Exception {
    byte[] torrent = torrent(singleFileInfo("a", 5));
    Path file = dir.resolve("a.torrent");
    Files.write(file, torrent);
    InfoHash expected = MetaInfo.parse(torrent).infoHash();
    assertThat(MetaInfo.parse(file).infoHash()).isEqualTo(expected);
    assertThat(MetaInfo.parse(new ByteArrayInputStream(torrent)).infoHash()).isEqualTo(expected);
    Path missing = dir.resolve("missing.torrent");
    assertThatThrownBy(() -> MetaInfo.parse(missing))
        .isExactlyInstanceOf(TorrentException.class)
        .hasMessageContaining(missing.toString());
  }

  // Malformed input: each class fails with its own key path.

  @Test
  void rejectsNonDictionariesAndMissingInfo() {
    assertInvalid("4:spam".getBytes(UTF_8), "(root)")
        .hasMessageContaining("expected: a dictionary");
    assertInvalid("de".getBytes(UTF_8), "info")
        .hasMessage("info: missing (expected: a dictionary)");
    assertInvalid("d4:infoi3ee".getBytes(UTF_8), "info")
        .hasMessage("info: 3 (expected: a dictionary)");
    assertThatThrownBy(() -> MetaInfo.parse("d4:info".getBytes(UTF_8)))
        .isInstanceOf(BencodeException.class);
  }

  @Test
  void pieceLengthMustBePositiveAndAtMost512MiB() {
    assertInvalid(singleFileInfo("a", 5).put("piece length", 0), "info.piece length")
        .hasMessage("info.piece length: 0 (expected: > 0)");
    assertInvalid(singleFileInfo("a", 5).put("piece length", -16384), "info.piece length")
        .hasMessage("info.piece length: -16384 (expected: > 0)");
    assertInvalid(singleFileInfo("a", 5).put("piece length", (512L << 20) + 1), "info.piece length")
        .hasMessageContaining("512 MiB");
    assertInvalid(singleFileInfo("a", 5).put("piece length", "16384"), "info.piece length")
        .hasMessageContaining("expected: an integer");
    assertInvalid(singleFileInfo("a", 5).remove("piece length"), "info.piece length")
        .hasMessage("info.piece length: missing (expected: an integer)");
    assertThat(parse(singleFileInfo("a", 5).put("piece length", 512L << 20)).pieceLength())
        .isEqualTo(512 << 20);
  }

  @Test
  void piecesMustHoldOneHashPerPiece() {
    assertInvalid(singleFileInfo("a", 5).put("pieces", hashes(2)), "info.pieces")
        .hasMessage("info.pieces: 2 piece hashes (expected: 1 for 5 bytes in pieces of 16384)");
    assertInvalid(singleFileInfo("a", 40000).put("pieces", hashes(2)), "info.pieces")
        .hasMessageContaining("expected: 3 for 40000 bytes");
    assertInvalid(singleFileInfo("a", 5).put("pieces", str("x".repeat(21))), "info.pieces")
        .hasMessage("info.pieces: 21 bytes (expected: a multiple of 20)");
    assertInvalid(singleFileInfo("a", 5).put("pieces", -1), "info.pieces")
        .hasMessageContaining("expected: a string of 20-byte SHA-1 hashes");
    assertInvalid(singleFileInfo("a", 5).remove("pieces"), "info.pieces")
        .hasMessageContaining("missing");
    // A piece count far beyond the hashes given (libtorrent's many_pieces.torrent).
    assertInvalid(singleFileInfo("a", 5).put("length", 1L << 50), "info.pieces")
        .hasMessageContaining("expected: 68719476736");
  }

  @Test
  void lengthsMustBeNonNegativeWithAPositiveTotal() {
    assertInvalid(singleFileInfo("a", 5).put("length", -1), "info.length")
        .hasMessage("info.length: -1 (expected: >= 0)");
    assertInvalid(singleFileInfo("a", 0).put("pieces", hashes(0)), "info.length")
        .hasMessageContaining("total length 0 (expected: > 0");
    assertInvalid(
            multiFileInfo("d", file(5, "a"), file(-5, "b")).put("pieces", hashes(1)),
            "info.files[1].length")
        .hasMessage("info.files[1].length: -5 (expected: >= 0)");
    assertInvalid(
            multiFileInfo("d", file(Long.MAX_VALUE, "a"), file(1, "b")).put("pieces", hashes(1)),
            "info.files[1].length")
        .hasMessageContaining("expected: a total length below 2^63 bytes");
    assertInvalid(
            multiFileInfo("d", file(0, "a"), file(0, "b")).put("pieces", hashes(0)), "info.files")
        .hasMessageContaining("total length 0");
    BencodeDictionary noLength = BencodeDictionary.builder().put("path", strings("a")).build();
    assertInvalid(multiFileInfo("d", noLength), "info.files[0].length")
        .hasMessage("info.files[0].length: missing (expected: an integer)");
  }

  @Test
  void infoNeedsExactlyOneOfLengthAndFiles() {
    assertInvalid(singleFileInfo("a", 5).remove("length"), "info")
        .hasMessageContaining("neither 'length' nor 'files'");
    assertInvalid(multiFileInfo("d", file(5, "a")).put("length", 5), "info")
        .hasMessageContaining("both 'length' and 'files'");
    assertInvalid(multiFileInfo("d").put("pieces", hashes(0)), "info.files")
        .hasMessage("info.files: empty (expected: at least one file)");
    assertInvalid(multiFileInfo("d").put("files", str("x")), "info.files")
        .hasMessageContaining("expected: a list of files");
    assertInvalid(
            multiFileInfo("d").put("files", BencodeList.of(BencodeInteger.of(1))), "info.files[0]")
        .hasMessage("info.files[0]: 1 (expected: a dictionary)");
  }

  @Test
  void nameMustBePresentAndASafeName() {
    assertInvalid(singleFileInfo("a", 5).remove("name"), "info.name")
        .hasMessageContaining("missing");
    assertInvalid(singleFileInfo("a", 5).put("name", 1348), "info.name")
        .hasMessageContaining("1348 (expected: the torrent's name, a string)");
    assertInvalid(singleFileInfo("", 5), "info.name")
        .hasMessage("info.name: \"\" (expected: a non-empty file or directory name)");
    assertInvalid(singleFileInfo("..", 5), "info.name")
        .hasMessage(
            "info.name: \"..\" (expected: a file or directory name, not a parent reference)");
    assertInvalid(singleFileInfo("../etc/passwd", 5), "info.name")
        .hasMessageContaining("without a path separator");
    assertInvalid(multiFileInfo("/abs", file(5, "a")), "info.name")
        .hasMessageContaining("without a path separator");
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", ".", "", "a/b", "/etc", "a\\b", "C:", "c:x", "nul\0byte"})
  void unsafePathSegmentsAreRejectedWithTheirPlace(String segment) {
    BencodeDictionary.Builder info =
        multiFileInfo("d", file(1, "a"), file(1, "b"), file(1, "c"), file(1, "dir", segment, "f"));
    assertInvalid(info, "info.files[3].path[1]").hasMessageContaining("(expected: ");
  }

  @Test
  void parentReferenceMessage() {
    assertInvalid(
            multiFileInfo("d", file(1, "a"), file(1, "b"), file(1, "c"), file(1, "dir", "..", "f")),
            "info.files[3].path[1]")
        .hasMessage(
            "info.files[3].path[1]: \"..\" (expected: a file or directory name, not a parent"
                + " reference)");
  }

  @Test
  void pathMustBeANonEmptyListOfStrings() {
    BencodeDictionary noPath = BencodeDictionary.builder().put("length", 5).build();
    assertInvalid(multiFileInfo("d", noPath), "info.files[0].path")
        .hasMessageContaining("missing (expected: a list of path segments)");
    assertInvalid(multiFileInfo("d", file(5)), "info.files[0].path")
        .hasMessageContaining("empty (expected: at least one path segment)");
    BencodeDictionary intSegment =
        BencodeDictionary.builder()
            .put("length", 5)
            .put("path", BencodeList.of(BencodeInteger.of(1242), str("foo")))
            .build();
    assertInvalid(multiFileInfo("d", intSegment), "info.files[0].path[0]")
        .hasMessageContaining("1242 (expected: a file or directory name)");
  }

  @Test
  void filesMayNotOverwriteEachOther() {
    assertInvalid(multiFileInfo("d", file(1, "a", "b"), file(1, "a", "b")), "info.files[1].path")
        .hasMessageContaining("\"d/a/b\" appears twice");
    assertInvalid(multiFileInfo("d", file(1, "a"), file(1, "a", "b")), "info.files[1].path")
        .hasMessageContaining("\"d/a\" is both a file and a directory");
    assertInvalid(multiFileInfo("d", file(1, "a", "b"), file(1, "a")), "info.files[1].path")
        .hasMessageContaining("\"d/a\" is also a directory");
  }

  // Text: UTF-8, with name.utf-8 and path.utf-8 preferred.

  @Test
  void utf8NameAndPathKeysArePreferred() {
    BencodeDictionary f =
        BencodeDictionary.builder()
            .put("length", 5)
            .put(
                "path",
                BencodeList.of(
                    org.functorrent.bencode.BencodeString.of(
                        new byte[] {(byte) 0xc4, (byte) 0xe3})))
            .put("path.utf-8", strings("日本", "ü.txt"))
            .build();
    MetaInfo meta = parse(multiFileInfo("n", f).put("name", "n").put("name.utf-8", "Ärger"));
    assertThat(meta.name()).isEqualTo("Ärger");
    assertThat(meta.files().get(0).path()).containsExactly("Ärger", "日本", "ü.txt");
    assertInvalid(singleFileInfo("ok", 5).put("name.utf-8", ".."), "info.name.utf-8")
        .hasMessageContaining("parent reference");
    BencodeDictionary unsafe =
        BencodeDictionary.builder()
            .put("length", 5)
            .put("path", strings("ok"))
            .put("path.utf-8", strings("..", "x"))
            .build();
    assertInvalid(multiFileInfo("n", unsafe), "info.files[0].path.utf-8[0]");
  }

  // BEP 47: padding files, symlinks, attributes.

  @Test
  void paddingFilesMayOmitTheirPath() {
    BencodeDictionary pad =
        BencodeDictionary.builder().put("attr", "p").put("length", 2124).build();
    MetaInfo meta = parse(multiFileInfo("t", file(45, "a.txt"), pad).put("pieces", hashes(1)));
    TorrentFile padding = meta.files().get(1);
    assertThat(padding.isPadding()).isTrue();
    assertThat(padding.path()).containsExactly("t", ".pad", "2124");
    assertThat(padding.offset()).isEqualTo(45);
    assertThat(meta.files().get(0).isPadding()).isFalse();
    assertThat(meta.totalLength()).isEqualTo(45 + 2124);
  }

  @Test
  void paddingFilesMayShareAPath() {
    BencodeDictionary pad =
        BencodeDictionary.builder()
            .put("attr", "p")
            .put("length", 10)
            .put("path", strings(".pad", "10"))
            .build();
    MetaInfo meta = parse(multiFileInfo("t", file(1, "a"), pad, file(1, "b"), pad));
    assertThat(meta.files()).hasSize(4);
  }

  @Test
  void symlinksHaveATargetAndNoBytes() {
    BencodeDictionary link =
        BencodeDictionary.builder()
            .put("attr", "xl")
            .put("length", 425)
            .put("path", strings("a", "link"))
            .put("symlink path", strings("a", "target"))
            .build();
    MetaInfo meta = parse(multiFileInfo("t", file(425, "a", "target"), link));
    TorrentFile symlink = meta.files().get(1);
    assertThat(symlink.isSymlink()).isTrue();
    assertThat(symlink.isExecutable()).isTrue();
    assertThat(symlink.isHidden()).isFalse();
    assertThat(symlink.length()).isZero();
    assertThat(symlink.symlinkPath()).contains(ImmutableList.of("a", "target"));
    assertThat(meta.totalLength()).isEqualTo(425);

    BencodeDictionary noLength = link.toBuilder().remove("length").build();
    assertThat(parse(multiFileInfo("t", file(425, "a", "target"), noLength)).files()).hasSize(2);

    BencodeDictionary escaping =
        link.toBuilder().put("symlink path", strings("..", "..", "etc")).build();
    assertInvalid(
            multiFileInfo("t", file(425, "a", "target"), escaping), "info.files[1].symlink path[0]")
        .hasMessageContaining("parent reference");
    BencodeDictionary missing = link.toBuilder().remove("symlink path").build();
    assertInvalid(
        multiFileInfo("t", file(425, "a", "target"), missing), "info.files[1].symlink path");
  }

  @Test
  void attributesMustBeAString() {
    BencodeDictionary f =
        BencodeDictionary.builder()
            .put("attr", 1)
            .put("length", 5)
            .put("path", strings("a"))
            .build();
    assertInvalid(multiFileInfo("t", f), "info.files[0].attr");
    assertThat(parse(singleFileInfo("a", 5).put("attr", "hxq")).files().get(0).isHidden()).isTrue();
  }

  // BEP 12, 19, 27 and the other top-level keys.

  private static MetaInfo withRoot(BencodeDictionary.Builder root) {
    return MetaInfo.parse(Bencode.encode(root.put("info", singleFileInfo("a", 5).build()).build()));
  }

  @Test
  void announceListTiersReplaceAnnounce() {
    MetaInfo meta =
        withRoot(
            BencodeDictionary.builder()
                .put("announce", "http://ignored/announce")
                .put(
                    "announce-list",
                    BencodeList.of(
                        strings(" udp://a/announce ", "http://b/announce"),
                        strings("", "  "),
                        BencodeList.of(BencodeInteger.of(3)),
                        str("not a tier"),
                        strings("http://c/announce", "http://b/announce"))));
    assertThat(meta.announce()).contains("http://ignored/announce");
    assertThat(meta.trackerTiers())
        .containsExactly(
            ImmutableList.of("udp://a/announce", "http://b/announce"),
            ImmutableList.of("http://c/announce"));
  }

  @Test
  void announceAloneIsOneTier() {
    MetaInfo meta = withRoot(BencodeDictionary.builder().put("announce", "\t udp://t/announce"));
    assertThat(meta.announce()).contains("udp://t/announce");
    assertThat(meta.trackerTiers()).containsExactly(ImmutableList.of("udp://t/announce"));
    MetaInfo emptyList =
        withRoot(
            BencodeDictionary.builder()
                .put("announce", "udp://t/announce")
                .put("announce-list", BencodeList.of(strings(""))));
    assertThat(emptyList.trackerTiers()).containsExactly(ImmutableList.of("udp://t/announce"));
    assertThat(withRoot(BencodeDictionary.builder().put("announce", " ")).trackerTiers()).isEmpty();
  }

  @Test
  void urlListIsAStringOrAList() {
    assertThat(withRoot(BencodeDictionary.builder().put("url-list", "http://s/f")).webSeeds())
        .containsExactly("http://s/f");
    assertThat(
            withRoot(
                    BencodeDictionary.builder()
                        .put(
                            "url-list",
                            BencodeList.of(
                                str("http://a/"),
                                str(""),
                                BencodeInteger.of(-20),
                                str("http://a/"),
                                str("http://b/"))))
                .webSeeds())
        .containsExactly("http://a/", "http://b/");
    assertThat(withRoot(BencodeDictionary.builder().put("url-list", 3)).webSeeds()).isEmpty();
  }

  @Test
  void privateFlag() {
    assertThat(parse(singleFileInfo("a", 5).put("private", 1)).isPrivate()).isTrue();
    assertThat(parse(singleFileInfo("a", 5).put("private", 0)).isPrivate()).isFalse();
    assertThat(parse(singleFileInfo("a", 5)).isPrivate()).isFalse();
  }

  @Test
  void creationDateCommentAndCreator() {
    MetaInfo meta =
        withRoot(
            BencodeDictionary.builder()
                .put("creation date", 1359599503)
                .put("comment", "hello ✓")
                .put("created by", "libtorrent"));
    assertThat(meta.creationDate()).contains(Instant.ofEpochSecond(1359599503));
    assertThat(meta.comment()).contains("hello ✓");
    assertThat(meta.createdBy()).contains("libtorrent");
    MetaInfo odd = withRoot(BencodeDictionary.builder().put("creation date", Long.MAX_VALUE));
    assertThat(odd.creationDate()).isEmpty();
    assertThat(odd.comment()).isEmpty();
  }

  @Test
  void toMagnetCarriesHashNameTrackersAndWebSeeds() {
    MetaInfo meta =
        withRoot(
            BencodeDictionary.builder()
                .put("announce-list", BencodeList.of(strings("udp://a/"), strings("udp://b/")))
                .put("url-list", "http://s/"));
    MagnetUri magnet = meta.toMagnet();
    assertThat(magnet.infoHash()).isEqualTo(meta.infoHash());
    assertThat(magnet.displayName()).contains("a");
    assertThat(magnet.trackers()).containsExactly("udp://a/", "udp://b/");
    assertThat(magnet.webSeeds()).containsExactly("http://s/");
    assertThat(MagnetUri.parse(magnet.toUri())).isEqualTo(magnet);
  }

  // BEP 52: hybrid torrents open as v1; v2-only torrents are not supported yet.

  private static BencodeDictionary v2File(long length) {
    BencodeDictionary.Builder leaf = BencodeDictionary.builder().put("length", length);
    if (length > 0) {
      leaf.put("pieces root", org.functorrent.bencode.BencodeString.of(new byte[32]));
    }
    return BencodeDictionary.builder().put("", leaf.build()).build();
  }

  private static BencodeDictionary.Builder hybridInfo() {
    BencodeDictionary tree =
        BencodeDictionary.builder()
            .put("a", v2File(100))
            .put("sub", BencodeDictionary.builder().put("b", v2File(PIECE + 1)).build())
            .build();
    BencodeDictionary pad =
        BencodeDictionary.builder()
            .put("attr", "p")
            .put("length", PIECE - 100)
            .put("path", strings(".pad", Long.toString(PIECE - 100)))
            .build();
    return multiFileInfo("h", file(100, "a"), pad, file(PIECE + 1, "sub", "b"))
        .put("meta version", 2)
        .put("file tree", tree);
  }

  @Test
  void hybridTorrentOpensAsV1AndKeepsItsV2Keys() {
    MetaInfo meta = parse(hybridInfo());
    assertThat(meta.isHybrid()).isTrue();
    assertThat(meta.hasV2Metadata()).isTrue();
    assertThat(meta.files()).hasSize(3);
    assertThat(meta.pieceCount()).isEqualTo(3);
    assertThat(meta.info().containsKey("file tree")).isTrue();
  }

  @Test
  void hybridTorrentsMustDescribeTheSameFilesTwice() {
    BencodeDictionary otherTree = BencodeDictionary.builder().put("a", v2File(100)).build();
    assertInvalid(hybridInfo().put("file tree", otherTree), "info.file tree")
        .hasMessageContaining("the same files in v1 and v2 metadata");
    BencodeDictionary badLeaf =
        BencodeDictionary.builder()
            .put("a", BencodeDictionary.builder().put("length", 1).build())
            .build();
    assertInvalid(hybridInfo().put("file tree", badLeaf), "info.file tree.a.length");
  }

  @Test
  void hybridFilesMustStartOnPieceBoundaries() {
    BencodeDictionary tree =
        BencodeDictionary.builder().put("a", v2File(100)).put("b", v2File(100)).build();
    assertInvalid(
            multiFileInfo("h", file(100, "a"), file(100, "b"))
                .put("meta version", 2)
                .put("file tree", tree),
            "info.files")
        .hasMessageContaining("\"h/b\" starts at byte 100");
  }

  @Test
  void v2PieceLengthIsAPowerOfTwoOfAtLeast16KiB() {
    assertInvalid(hybridInfo().put("piece length", 3 * PIECE), "info.piece length")
        .hasMessageContaining("a power of two >= 16384");
  }

  @Test
  void v2OnlyTorrentsAreNotSupportedYet() {
    BencodeDictionary.Builder v2Only =
        BencodeDictionary.builder()
            .put("name", "x")
            .put("piece length", PIECE)
            .put("meta version", 2)
            .put("file tree", BencodeDictionary.builder().put("x", v2File(5)).build());
    assertInvalid(v2Only, "info").hasMessageContaining("v2-only torrents are not supported yet");
  }

  @Test
  void unknownMetaVersionsAreRejectedFirst() {
    assertInvalid(singleFileInfo("..", 5).put("meta version", 3), "info.meta version")
        .hasMessageContaining("3 (expected: 2");
    assertInvalid(singleFileInfo("a", 5).put("meta version", 2), "info.file tree")
        .hasMessageContaining("missing");
  }

  @Test
  void torrentFileRejectsInconsistentValues() {
    assertThatThrownBy(() -> TorrentFile.of(ImmutableList.of(), 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TorrentFile(ImmutableList.of("a"), 0, 0, "l", Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
