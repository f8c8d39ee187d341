package org.functorrent.metainfo;

import com.google.common.collect.ImmutableList;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeInteger;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;

/**
 * Reads and validates a {@code .torrent}. The {@code info} dictionary is checked strictly: any
 * value of the wrong type, any unsafe path, any inconsistency fails with the key path. The keys
 * outside {@code info} (trackers, web seeds, comment) only describe where to find peers, so values
 * of the wrong type there are skipped rather than fatal, as other clients do. Bytes after the
 * top-level dictionary are ignored, as libtorrent does.
 */
final class MetaInfoParser {
  /** The largest piece length accepted: 512 MiB. */
  static final long MAX_PIECE_LENGTH = 512L * 1024 * 1024;

  /** The smallest piece length of v2 and hybrid torrents (BEP 52): 16 KiB. */
  static final long MIN_V2_PIECE_LENGTH = 16 * 1024;

  private MetaInfoParser() {}

  static MetaInfo parse(byte[] input) {
    // Our own copy, which the decoded dictionaries and the MetaInfo share; the caller's array
    // may change afterwards.
    byte[] encoded = input.clone();
    // Like libtorrent, ignore whatever follows the top-level value (often a newline): the
    // info-hash is taken over the info dictionary's own bytes, which it cannot change.
    BencodeValue rootValue = Bencode.decoder().decodePrefix(encoded, 0, encoded.length).value();
    if (!(rootValue instanceof BencodeDictionary root)) {
      throw new InvalidTorrentException(
          "(root)", describe(rootValue) + " (expected: a dictionary)");
    }
    BencodeValue infoValue =
        root.get("info")
            .orElseThrow(
                () -> new InvalidTorrentException("info", "missing (expected: a dictionary)"));
    if (!(infoValue instanceof BencodeDictionary info)) {
      throw new InvalidTorrentException("info", describe(infoValue) + " (expected: a dictionary)");
    }
    byte[] infoBytes =
        info.originalEncoding()
            .orElseThrow(() -> new IllegalStateException("a decoded dictionary has its bytes"));

    boolean v2 = checkMetaVersion(info);
    if (v2 && !info.containsKey("pieces")) {
      throw new InvalidTorrentException(
          "info",
          "v2-only torrents are not supported yet (expected: a v1 or hybrid torrent with"
              + " 'pieces')");
    }

    String nameKey = info.containsKey("name.utf-8") ? "info.name.utf-8" : "info.name";
    String name = requireText(info.get(nameKey.substring(5)), nameKey, "the torrent's name");
    checkSegment(name, nameKey);

    long pieceLength = requireInteger(info.get("piece length"), "info.piece length");
    if (pieceLength <= 0) {
      throw new InvalidTorrentException("info.piece length", pieceLength + " (expected: > 0)");
    }
    if (pieceLength > MAX_PIECE_LENGTH) {
      throw new InvalidTorrentException(
          "info.piece length", pieceLength + " (expected: <= 536870912, 512 MiB)");
    }
    if (v2 && (Long.bitCount(pieceLength) != 1 || pieceLength < MIN_V2_PIECE_LENGTH)) {
      throw new InvalidTorrentException(
          "info.piece length",
          pieceLength + " (expected: a power of two >= 16384 in a torrent with v2 metadata)");
    }

    boolean singleFile;
    List<TorrentFile> files = new ArrayList<>();
    long totalLength;
    if (info.containsKey("files")) {
      if (info.containsKey("length")) {
        throw new InvalidTorrentException(
            "info", "both 'length' and 'files' (expected: one of them, BEP 3)");
      }
      singleFile = false;
      totalLength = readFiles(info, name, files);
    } else if (info.containsKey("length")) {
      singleFile = true;
      totalLength = requireInteger(info.get("length"), "info.length");
      if (totalLength < 0) {
        throw new InvalidTorrentException("info.length", totalLength + " (expected: >= 0)");
      }
      String attributes = optionalAttributes(info, "info.attr");
      if (attributes.indexOf('l') >= 0) {
        throw new InvalidTorrentException(
            "info.attr", "\"" + attributes + "\" (expected: no symlink in a single-file torrent)");
      }
      files.add(
          new TorrentFile(ImmutableList.of(name), totalLength, 0, attributes, Optional.empty()));
    } else {
      throw new InvalidTorrentException(
          "info", "neither 'length' nor 'files' (expected: one of them, BEP 3)");
    }
    if (totalLength == 0) {
      throw new InvalidTorrentException(
          singleFile ? "info.length" : "info.files",
          "total length 0 (expected: > 0, a torrent of at least one byte)");
    }

    BencodeValue piecesValue =
        info.get("pieces")
            .orElseThrow(
                () ->
                    new InvalidTorrentException(
                        "info.pieces", "missing (expected: a string of 20-byte SHA-1 hashes)"));
    if (!(piecesValue instanceof BencodeString pieces)) {
      throw new InvalidTorrentException(
          "info.pieces", describe(piecesValue) + " (expected: a string of 20-byte SHA-1 hashes)");
    }
    if (pieces.length() % InfoHash.LENGTH != 0) {
      throw new InvalidTorrentException(
          "info.pieces", pieces.length() + " bytes (expected: a multiple of 20)");
    }
    long expectedPieces = (totalLength - 1) / pieceLength + 1;
    long pieceCount = pieces.length() / InfoHash.LENGTH;
    if (pieceCount != expectedPieces) {
      throw new InvalidTorrentException(
          "info.pieces",
          pieceCount
              + " piece hashes (expected: "
              + expectedPieces
              + " for "
              + totalLength
              + " bytes in pieces of "
              + pieceLength
              + ")");
    }
    checkDistinctPaths(files);

    ImmutableList<TorrentFile> fileList = ImmutableList.copyOf(files);
    if (v2) {
      checkHybridConsistency(info, singleFile, fileList, pieceLength);
    }

    Optional<String> announce =
        optionalText(root, "announce").map(String::trim).filter(s -> !s.isEmpty());
    // The decoder is strict, so the keys are written "4:info" and "6:pieces" and the length of
    // the pieces string has no leading zero: both are found exactly where they were decoded.
    int infoStart = find(encoded, 0, encoded.length, INFO_KEY, infoBytes);
    byte[] hashes = pieces.toByteArray();
    byte[] piecesKey =
        concat(PIECES_KEY, (hashes.length + ":").getBytes(StandardCharsets.US_ASCII));
    int piecesStart = find(encoded, infoStart, infoStart + infoBytes.length, piecesKey, hashes);
    return new MetaInfo(
        encoded,
        infoStart,
        infoStart + infoBytes.length,
        piecesStart,
        (int) pieceCount,
        InfoHash.sha1Of(infoBytes),
        name,
        (int) pieceLength,
        fileList,
        totalLength,
        singleFile,
        announce,
        trackerTiers(root, announce),
        info.get("private").orElse(null) instanceof BencodeInteger p && p.value() == 1,
        webSeeds(root),
        creationDate(root),
        optionalText(root, "comment.utf-8").or(() -> optionalText(root, "comment")),
        optionalText(root, "created by.utf-8").or(() -> optionalText(root, "created by")),
        v2);
  }

  private static final byte[] INFO_KEY = "4:info".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PIECES_KEY = "6:pieces".getBytes(StandardCharsets.US_ASCII);

  /**
   * Where {@code value} starts in {@code bytes[from, to)} right after {@code key}. Every candidate
   * is compared byte for byte, so the key's bytes inside some string cannot mislead it.
   */
  private static int find(byte[] bytes, int from, int to, byte[] key, byte[] value) {
    int last = to - key.length - value.length;
    for (int i = from; i <= last; i++) {
      if (Arrays.equals(bytes, i, i + key.length, key, 0, key.length)
          && Arrays.equals(
              bytes, i + key.length, i + key.length + value.length, value, 0, value.length)) {
        return i + key.length;
      }
    }
    throw new IllegalStateException("a decoded value is not in the bytes it was decoded from");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  /** Whether the torrent has v2 metadata; BEP 52 says to check the version before all else. */
  private static boolean checkMetaVersion(BencodeDictionary info) {
    Optional<BencodeValue> version = info.get("meta version");
    if (version.isEmpty()) {
      return false;
    }
    long value = requireInteger(version, "info.meta version");
    if (value != 2) {
      throw new InvalidTorrentException(
          "info.meta version",
          value + " (expected: 2 for a hybrid torrent, or absent for a v1 torrent)");
    }
    if (!(info.get("file tree").orElse(null) instanceof BencodeDictionary)) {
      throw new InvalidTorrentException(
          "info.file tree", "missing (expected: a dictionary, since meta version is 2)");
    }
    return true;
  }

  private static long readFiles(BencodeDictionary info, String name, List<TorrentFile> out) {
    BencodeValue filesValue = info.get("files").orElseThrow();
    if (!(filesValue instanceof BencodeList list)) {
      throw new InvalidTorrentException(
          "info.files", describe(filesValue) + " (expected: a list of files)");
    }
    if (list.size() == 0) {
      throw new InvalidTorrentException("info.files", "empty (expected: at least one file)");
    }
    long offset = 0;
    for (int i = 0; i < list.size(); i++) {
      String at = "info.files[" + i + "]";
      if (!(list.get(i) instanceof BencodeDictionary file)) {
        throw new InvalidTorrentException(at, describe(list.get(i)) + " (expected: a dictionary)");
      }
      String attributes = optionalAttributes(file, at + ".attr");
      boolean padding = attributes.indexOf('p') >= 0;
      boolean symlink = attributes.indexOf('l') >= 0;
      long length;
      if (symlink && !file.containsKey("length")) {
        length = 0; // BEP 47: parsers must not require the length of a symlink
      } else {
        length = requireInteger(file.get("length"), at + ".length");
        if (length < 0) {
          throw new InvalidTorrentException(at + ".length", length + " (expected: >= 0)");
        }
      }
      if (symlink) {
        length = 0; // BEP 47: a symlink's length is always zero; it occupies no bytes
      }

      ImmutableList<String> segments;
      String pathKey = file.containsKey("path.utf-8") ? "path.utf-8" : "path";
      if (padding && !file.containsKey(pathKey)) {
        // BEP 47: padding files may omit the path; this is the recommended one.
        segments = ImmutableList.of(".pad", Long.toString(length));
      } else {
        segments = requirePath(file.get(pathKey), at + "." + pathKey);
      }
      Optional<ImmutableList<String>> symlinkPath = Optional.empty();
      if (symlink) {
        symlinkPath = Optional.of(requirePath(file.get("symlink path"), at + ".symlink path"));
      }
      ImmutableList<String> path =
          ImmutableList.<String>builder().add(name).addAll(segments).build();
      out.add(new TorrentFile(path, length, offset, attributes, symlinkPath));
      try {
        offset = Math.addExact(offset, length);
      } catch (ArithmeticException e) {
        throw new InvalidTorrentException(
            at + ".length", length + " (expected: a total length below 2^63 bytes)");
      }
    }
    return offset;
  }

  private static ImmutableList<String> requirePath(Optional<BencodeValue> value, String keyPath) {
    if (!(value.orElse(null) instanceof BencodeList list)) {
      throw new InvalidTorrentException(
          keyPath,
          value.map(MetaInfoParser::describe).orElse("missing")
              + " (expected: a list of path segments)");
    }
    if (list.size() == 0) {
      throw new InvalidTorrentException(keyPath, "empty (expected: at least one path segment)");
    }
    ImmutableList.Builder<String> segments = ImmutableList.builder();
    for (int i = 0; i < list.size(); i++) {
      String at = keyPath + "[" + i + "]";
      if (!(list.get(i) instanceof BencodeString s)) {
        throw new InvalidTorrentException(
            at, describe(list.get(i)) + " (expected: a file or directory name)");
      }
      String segment = s.asUtf8();
      checkSegment(segment, at);
      segments.add(segment);
    }
    return segments.build();
  }

  /**
   * Rejects a path segment (or a torrent's name) that could escape the download directory or that
   * is not a plain name: empty, {@code .}, {@code ..}, a separator, NUL, a Windows drive prefix.
   */
  static void checkSegment(String segment, String keyPath) {
    String problem = null;
    if (segment.isEmpty()) {
      problem = "a non-empty file or directory name";
    } else if (segment.equals(".")) {
      problem = "a file or directory name, not a current-directory reference";
    } else if (segment.equals("..")) {
      problem = "a file or directory name, not a parent reference";
    } else if (segment.indexOf('/') >= 0 || segment.indexOf('\\') >= 0) {
      problem = "a file or directory name without a path separator";
    } else if (segment.indexOf('\0') >= 0) {
      problem = "a file or directory name without NUL characters";
    } else if (segment.length() >= 2
        && segment.charAt(1) == ':'
        && ((segment.charAt(0) | 0x20) >= 'a' && (segment.charAt(0) | 0x20) <= 'z')) {
      problem = "a file or directory name, not a Windows drive reference";
    }
    if (problem != null) {
      throw new InvalidTorrentException(keyPath, quote(segment) + " (expected: " + problem + ")");
    }
  }

  /**
   * Rejects two files at the same path, or a file at the path of another file's directory: they
   * would overwrite each other. Padding files are never written, so they do not count.
   */
  private static void checkDistinctPaths(List<TorrentFile> files) {
    Set<String> filePaths = new HashSet<>();
    Set<String> directories = new HashSet<>();
    for (int i = 0; i < files.size(); i++) {
      TorrentFile file = files.get(i);
      if (file.isPadding()) {
        continue;
      }
      String path = file.pathString();
      String at = "info.files[" + i + "].path";
      if (files.size() == 1 && file.path().size() == 1) {
        at = "info.name";
      }
      if (!filePaths.add(path)) {
        throw new InvalidTorrentException(
            at, quote(path) + " appears twice (expected: a distinct path for each file)");
      }
      if (directories.contains(path)) {
        throw new InvalidTorrentException(
            at, quote(path) + " is also a directory of another file (expected: distinct paths)");
      }
      StringBuilder prefix = new StringBuilder();
      for (int s = 0; s < file.path().size() - 1; s++) {
        if (s > 0) {
          prefix.append('/');
        }
        prefix.append(file.path().get(s));
        String directory = prefix.toString();
        directories.add(directory);
        if (filePaths.contains(directory)) {
          throw new InvalidTorrentException(
              at, quote(directory) + " is both a file and a directory (expected: distinct paths)");
        }
      }
    }
  }

  /**
   * BEP 52: a hybrid torrent must describe the same files, in the same order, with the same
   * lengths, in its v1 and v2 metadata, each file aligned to a piece boundary.
   */
  private static void checkHybridConsistency(
      BencodeDictionary info,
      boolean singleFile,
      ImmutableList<TorrentFile> files,
      long pieceLength) {
    List<V2File> tree = new ArrayList<>();
    BencodeDictionary root = (BencodeDictionary) info.get("file tree").orElseThrow();
    collectFileTree(root, new ArrayList<>(), "info.file tree", tree);
    List<TorrentFile> v1 = new ArrayList<>();
    for (TorrentFile file : files) {
      if (!file.isPadding()) {
        v1.add(file);
      }
    }
    for (int i = 0; i < Math.max(v1.size(), tree.size()); i++) {
      TorrentFile v1File = i < v1.size() ? v1.get(i) : null;
      V2File v2File = i < tree.size() ? tree.get(i) : null;
      ImmutableList<String> v1Path =
          v1File == null
              ? null
              : singleFile ? v1File.path() : v1File.path().subList(1, v1File.path().size());
      if (v1File == null
          || v2File == null
          || !v1Path.equals(v2File.path())
          || v1File.length() != v2File.length()) {
        throw new InvalidTorrentException(
            "info.file tree",
            "file "
                + i
                + " is "
                + (v1File == null
                    ? "absent"
                    : quote(String.join("/", v1Path)) + ", " + v1File.length() + " bytes")
                + " in v1 and "
                + (v2File == null
                    ? "absent"
                    : quote(String.join("/", v2File.path())) + ", " + v2File.length() + " bytes")
                + " in v2 (expected: the same files in v1 and v2 metadata, BEP 52)");
      }
      if (v1File.length() > 0 && v1File.offset() % pieceLength != 0) {
        throw new InvalidTorrentException(
            "info.files",
            quote(v1File.pathString())
                + " starts at byte "
                + v1File.offset()
                + " (expected: a multiple of the piece length "
                + pieceLength
                + " in a hybrid torrent, BEP 52)");
      }
    }
  }

  private record V2File(ImmutableList<String> path, long length) {}

  private static void collectFileTree(
      BencodeDictionary node, List<String> prefix, String keyPath, List<V2File> out) {
    if (node.isEmpty()) {
      throw new InvalidTorrentException(keyPath, "empty (expected: files or directories)");
    }
    for (BencodeString key : node.keys()) {
      String segment = key.asUtf8();
      String at = keyPath + "." + segment;
      checkSegment(segment, at);
      BencodeValue child = node.get(key).orElseThrow();
      if (!(child instanceof BencodeDictionary childNode)) {
        throw new InvalidTorrentException(at, describe(child) + " (expected: a dictionary)");
      }
      List<String> path = new ArrayList<>(prefix);
      path.add(segment);
      Optional<BencodeValue> leaf = childNode.get("");
      if (leaf.isPresent()) {
        if (childNode.size() != 1 || !(leaf.get() instanceof BencodeDictionary leafDict)) {
          throw new InvalidTorrentException(
              at, "not a file entry (expected: a dictionary {\"\": {length: ...}})");
        }
        String attributes = optionalAttributes(leafDict, at + "[\"\"].attr");
        long length =
            attributes.indexOf('l') >= 0 && !leafDict.containsKey("length")
                ? 0
                : requireInteger(leafDict.get("length"), at + "[\"\"].length");
        if (length < 0) {
          throw new InvalidTorrentException(at + "[\"\"].length", length + " (expected: >= 0)");
        }
        out.add(new V2File(ImmutableList.copyOf(path), length));
      } else {
        collectFileTree(childNode, path, at, out);
      }
    }
  }

  private static ImmutableList<ImmutableList<String>> trackerTiers(
      BencodeDictionary root, Optional<String> announce) {
    Set<String> seen = new HashSet<>();
    ImmutableList.Builder<ImmutableList<String>> tiers = ImmutableList.builder();
    boolean any = false;
    if (root.get("announce-list").orElse(null) instanceof BencodeList list) {
      for (BencodeValue tierValue : list.values()) {
        if (!(tierValue instanceof BencodeList tierList)) {
          continue;
        }
        ImmutableList.Builder<String> tier = ImmutableList.builder();
        boolean tierEmpty = true;
        for (BencodeValue url : tierList.values()) {
          if (url instanceof BencodeString s) {
            String trimmed = s.asUtf8().trim();
            if (!trimmed.isEmpty() && seen.add(trimmed)) {
              tier.add(trimmed);
              tierEmpty = false;
            }
          }
        }
        if (!tierEmpty) {
          tiers.add(tier.build());
          any = true;
        }
      }
    }
    if (!any && announce.isPresent()) {
      return ImmutableList.of(ImmutableList.of(announce.get()));
    }
    return tiers.build();
  }

  private static ImmutableList<String> webSeeds(BencodeDictionary root) {
    Optional<BencodeValue> urlList = root.get("url-list");
    List<BencodeValue> values = new ArrayList<>();
    if (urlList.orElse(null) instanceof BencodeString s) {
      values.add(s);
    } else if (urlList.orElse(null) instanceof BencodeList list) {
      values.addAll(list.values());
    }
    Set<String> seeds = new LinkedHashSet<>();
    for (BencodeValue value : values) {
      if (value instanceof BencodeString s) {
        String trimmed = s.asUtf8().trim();
        if (!trimmed.isEmpty()) {
          seeds.add(trimmed);
        }
      }
    }
    return ImmutableList.copyOf(seeds);
  }

  private static Optional<Instant> creationDate(BencodeDictionary root) {
    if (root.get("creation date").orElse(null) instanceof BencodeInteger date
        && date.value() >= 0
        && date.value() <= Instant.MAX.getEpochSecond()) {
      return Optional.of(Instant.ofEpochSecond(date.value()));
    }
    return Optional.empty();
  }

  private static Optional<String> optionalText(BencodeDictionary dictionary, String key) {
    return dictionary.get(key).orElse(null) instanceof BencodeString s
        ? Optional.of(s.asUtf8())
        : Optional.empty();
  }

  private static String optionalAttributes(BencodeDictionary dictionary, String keyPath) {
    Optional<BencodeValue> attr = dictionary.get("attr");
    if (attr.isEmpty()) {
      return "";
    }
    if (!(attr.get() instanceof BencodeString s)) {
      throw new InvalidTorrentException(
          keyPath, describe(attr.get()) + " (expected: a string of BEP 47 attributes)");
    }
    return s.asUtf8();
  }

  private static String requireText(Optional<BencodeValue> value, String keyPath, String what) {
    if (value.isEmpty()) {
      throw new InvalidTorrentException(keyPath, "missing (expected: " + what + ")");
    }
    if (!(value.get() instanceof BencodeString s)) {
      throw new InvalidTorrentException(
          keyPath, describe(value.get()) + " (expected: " + what + ", a string)");
    }
    return s.asUtf8();
  }

  private static long requireInteger(Optional<BencodeValue> value, String keyPath) {
    if (value.isEmpty()) {
      throw new InvalidTorrentException(keyPath, "missing (expected: an integer)");
    }
    if (!(value.get() instanceof BencodeInteger i)) {
      throw new InvalidTorrentException(keyPath, describe(value.get()) + " (expected: an integer)");
    }
    return i.value();
  }

  static String describe(BencodeValue value) {
    if (value instanceof BencodeInteger i) {
      return Long.toString(i.value());
    } else if (value instanceof BencodeString s) {
      return "the string " + s;
    } else if (value instanceof BencodeList) {
      return "a list";
    }
    return "a dictionary";
  }

  static String quote(String s) {
    StringBuilder q = new StringBuilder("\"");
    int shown = Math.min(s.length(), 100);
    for (int i = 0; i < shown; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        q.append(String.format("\\u%04x", (int) c));
      } else if (c == '"' || c == '\\') {
        q.append('\\').append(c);
      } else {
        q.append(c);
      }
    }
    if (shown < s.length()) {
      q.append("...");
    }
    return q.append('"').toString();
  }
}
