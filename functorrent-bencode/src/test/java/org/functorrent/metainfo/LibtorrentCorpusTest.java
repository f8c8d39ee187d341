package org.functorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.common.collect.ImmutableMap;
import java.util.List;
import java.util.stream.Collectors;
import org.functorrent.bencode.BencodeException;
import org.functorrent.metainfo.Corpus.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance with libtorrent 2.0.8 over its own test corpus: same info-hash, file count and total
 * size where both load a torrent; a typed exception where libtorrent rejects one; and, listed one
 * by one below, the torrents libtorrent loads and we reject on purpose.
 */
class LibtorrentCorpusTest {

  private static final String V2_ONLY = "info: v2-only torrents are not supported yet";
  private static final String SEPARATOR =
      "(expected: a file or directory name without a path separator)";
  private static final String PARENT =
      "(expected: a file or directory name, not a parent reference)";
  private static final String EMPTY = "(expected: a non-empty file or directory name)";

  /**
   * Torrents libtorrent loads and we reject, each with the start of our message. The first group
   * has unsafe or ambiguous paths that libtorrent loads only after rewriting them; we reject rather
   * than rewrite, which the corpus README calls equally safe. The second group is v2-only.
   */
  static final ImmutableMap<String, String> WE_REJECT =
      ImmutableMap.<String, String>builder()
          // An absolute path; libtorrent strips the leading '/'.
          .put("absolute_filename.torrent", "info.files[1].path[0]: \"/foobar\" " + SEPARATOR)
          // libtorrent drops the '\\' segments.
          .put("backslash_path.torrent", "info.files[0].path[0]: \"\\\\\" " + SEPARATOR)
          // libtorrent renames the second file "bar.1.txt".
          .put("duplicate_files.torrent", "info.files[1].path: \"temp/foo/bar.txt\" appears twice")
          // libtorrent renames 117 of 118 files.
          .put("duplicate_files2.torrent", "info.files[1].path: \"temp/foo/bar.txt\" appears twice")
          // libtorrent renames the empty segments "_".
          .put("empty_path.torrent", "info.files[0].path[0]: \"\" " + EMPTY)
          .put("empty_path_multi.torrent", "info.files[1].path[0]: \"\" " + EMPTY)
          // '..' hidden inside one segment.
          .put(
              "hidden_parent_path.torrent",
              "info.files[0].path[0]: \"foo/../../../bar\" " + SEPARATOR)
          // A directory named '/'; libtorrent drops it.
          .put("invalid_directory_name.torrent", "info.files[0].path[0]: \"/\" " + SEPARATOR)
          // A name with a '\\'; libtorrent drops it.
          .put("invalid_filename.torrent", "info.name: \"\\\\est2\" " + SEPARATOR)
          .put("invalid_filename2.torrent", "info.name: \"\\\\est2\" " + SEPARATOR)
          // The name '..'; libtorrent names the directory after the info-hash.
          .put("invalid_name2.torrent", "info.name: \"..\" " + PARENT)
          // libtorrent drops the '..' segments.
          .put("parent_path.torrent", "info.files[0].path[0]: \"..\" " + PARENT)
          // libtorrent drops the '/' segments.
          .put("slash_path.torrent", "info.files[0].path[0]: \"/\" " + SEPARATOR)
          .put("slash_path2.torrent", "info.files[0].path[0]: \"abc/../../def\" " + SEPARATOR)
          .put("slash_path3.torrent", "info.name: \"temp/../../abc\" " + SEPARATOR)
          .put("symlink_filtered_path.torrent", "info.files[0].path[1]: \"/\" " + SEPARATOR)
          // v2-only torrents (BEP 52 metadata without v1 'pieces').
          .put("v2_incomplete_piece_layer.torrent", V2_ONLY)
          .put("v2_invalid_filename.torrent", V2_ONLY)
          .put("v2_invalid_filename2.torrent", V2_ONLY)
          .put("v2_invalid_piece_layer_root.torrent", V2_ONLY)
          .put("v2_invalid_root_hash.torrent", V2_ONLY)
          .put("v2_multiple_files.torrent", V2_ONLY)
          .put("v2_no_piece_layers.torrent", V2_ONLY)
          .put("v2_only.torrent", V2_ONLY)
          .put("v2_symlinks.torrent", V2_ONLY)
          .put("v2_unknown_piece_layer_entry.torrent", V2_ONLY)
          .buildOrThrow();

  static List<Verdict> verdicts() {
    return Corpus.verdicts();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("verdicts")
  void agreesWithLibtorrent(Verdict verdict) {
    byte[] torrent = Corpus.bytes(verdict.file());
    String ourReason = WE_REJECT.get(verdict.file());
    if (!verdict.loads()) {
      assertThat(catchThrowable(() -> MetaInfo.parse(torrent)))
          .as("libtorrent rejects %s: %s", verdict.file(), verdict.detail())
          .isInstanceOfAny(InvalidTorrentException.class, BencodeException.class);
    } else if (ourReason != null) {
      assertThatThrownBy(() -> MetaInfo.parse(torrent))
          .isInstanceOf(InvalidTorrentException.class)
          .hasMessageStartingWith(ourReason);
    } else {
      MetaInfo meta = MetaInfo.parse(torrent);
      assertThat(meta.infoHash().toHex()).as("info-hash").isEqualTo(verdict.infoHash());
      assertThat(meta.files()).as("files").hasSize(verdict.fileCount());
      assertThat(meta.totalLength()).as("total size").isEqualTo(verdict.totalSize());
    }
  }

  @Test
  void corpusHasAll108TorrentsAndTheTableOnlyNamesTorrentsLibtorrentLoads() {
    List<Verdict> verdicts = Corpus.verdicts();
    assertThat(verdicts).hasSize(108);
    List<String> loaded =
        verdicts.stream().filter(Verdict::loads).map(Verdict::file).collect(Collectors.toList());
    assertThat(loaded).containsAll(WE_REJECT.keySet());
  }
}
