package org.functorrent.metainfo;

import static com.google.common.base.Preconditions.checkElementIndex;

import com.google.common.collect.ImmutableList;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDecoder;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.functorrent.common.TorrentException;

/**
 * The contents of a {@code .torrent} file (BEP 3): what to download, how it is split into pieces,
 * and where to find peers. Immutable.
 *
 * <p>Supported: v1 single-file and multi-file torrents, with multitracker tiers (BEP 12), web seeds
 * (BEP 19), the private flag (BEP 27), padding files, symlinks and file attributes (BEP 47), and
 * hybrid v1+v2 torrents (BEP 52), which open as v1 torrents and keep their v2 keys in {@link
 * #info()}. v2-only torrents are rejected for now.
 *
 * <p>Parsing validates everything that matters for a download; a {@code MetaInfo} that exists has
 * consistent piece hashes and only safe file paths. Problems fail with an {@link
 * InvalidTorrentException} that names the key path, or a {@link
 * org.functorrent.bencode.BencodeException} for malformed bencode.
 */
public final class MetaInfo {
  /**
   * The one copy of the {@code .torrent} kept: the info dictionary and the piece hashes are
   * ranges of it, and the dictionaries are decoded again on the rare call that wants them.
   */
  private final byte[] encoded;
  private final int infoStart;
  private final int infoEnd;
  /** Where the concatenated piece hashes start in {@link #encoded}. */
  private final int piecesStart;
  private final int pieceCount;
  private final InfoHash infoHash;
  private final String name;
  private final int pieceLength;
  private final ImmutableList<TorrentFile> files;
  private final long totalLength;
  private final boolean singleFile;
  private final Optional<String> announce;
  private final ImmutableList<ImmutableList<String>> trackerTiers;
  private final boolean isPrivate;
  private final ImmutableList<String> webSeeds;
  private final Optional<Instant> creationDate;
  private final Optional<String> comment;
  private final Optional<String> createdBy;
  private final boolean v2Metadata;

  MetaInfo(
      byte[] encoded,
      int infoStart,
      int infoEnd,
      int piecesStart,
      int pieceCount,
      InfoHash infoHash,
      String name,
      int pieceLength,
      ImmutableList<TorrentFile> files,
      long totalLength,
      boolean singleFile,
      Optional<String> announce,
      ImmutableList<ImmutableList<String>> trackerTiers,
      boolean isPrivate,
      ImmutableList<String> webSeeds,
      Optional<Instant> creationDate,
      Optional<String> comment,
      Optional<String> createdBy,
      boolean v2Metadata) {
    this.encoded = encoded;
    this.infoStart = infoStart;
    this.infoEnd = infoEnd;
    this.piecesStart = piecesStart;
    this.pieceCount = pieceCount;
    this.infoHash = infoHash;
    this.name = name;
    this.pieceLength = pieceLength;
    this.files = files;
    this.totalLength = totalLength;
    this.singleFile = singleFile;
    this.announce = announce;
    this.trackerTiers = trackerTiers;
    this.isPrivate = isPrivate;
    this.webSeeds = webSeeds;
    this.creationDate = creationDate;
    this.comment = comment;
    this.createdBy = createdBy;
    this.v2Metadata = v2Metadata;
  }

  /** Parses and validates a {@code .torrent}'s bytes. */
  public static MetaInfo parse(byte[] torrent) {
    return MetaInfoParser.parse(torrent);
  }

  /**
   * Builds a torrent from an info dictionary received from peers (BEP 9) and the trackers a magnet
   * link named: {@code infoBytes} become the {@code info} value byte for byte (so the info-hash is
   * the SHA-1 of exactly these bytes), each tier of {@code trackerTiers} an {@code announce-list}
   * tier (the first URL also {@code announce}). The result is validated like a {@code .torrent}
   * file; {@link #encoded()} can be saved as one.
   *
   * @throws org.functorrent.bencode.BencodeException if {@code infoBytes} is not one bencoded value
   * @throws InvalidTorrentException if it is not a valid info dictionary
   */
  public static MetaInfo fromInfoDictionary(
      byte[] infoBytes, List<? extends List<String>> trackerTiers) {
    BencodeValue info = Bencode.decoder().decode(infoBytes);
    if (!(info instanceof BencodeDictionary)) {
      throw new InvalidTorrentException(
          "info", MetaInfoParser.describe(info) + " (expected: a dictionary)");
    }
    List<BencodeValue> tiers = new ArrayList<>();
    String first = null;
    for (List<String> tier : trackerTiers) {
      List<BencodeValue> urls = new ArrayList<>();
      for (String url : tier) {
        urls.add(BencodeString.of(url));
        if (first == null) {
          first = url;
        }
      }
      tiers.add(BencodeList.of(urls));
    }
    // Keys in sorted order: "announce" < "announce-list" < "info". The info bytes go in as they
    // are, not re-encoded, so that a non-canonical dictionary keeps its info-hash.
    ByteArrayOutputStream out = new ByteArrayOutputStream(infoBytes.length + 256);
    out.write('d');
    if (first != null) {
      out.writeBytes(Bencode.encode(BencodeString.of("announce")));
      out.writeBytes(Bencode.encode(BencodeString.of(first)));
      out.writeBytes(Bencode.encode(BencodeString.of("announce-list")));
      out.writeBytes(Bencode.encode(BencodeList.of(tiers)));
    }
    out.writeBytes(Bencode.encode(BencodeString.of("info")));
    out.writeBytes(infoBytes);
    out.write('e');
    return parse(out.toByteArray());
  }

  /**
   * Reads a {@code .torrent} to its end (at most {@link BencodeDecoder#DEFAULT_MAX_INPUT_BYTES})
   * and parses it. The stream is not closed.
   *
   * @throws TorrentException when the stream cannot be read, with the {@link IOException} as cause
   */
  public static MetaInfo parse(InputStream in) {
    byte[] bytes;
    try {
      bytes = in.readNBytes(BencodeDecoder.DEFAULT_MAX_INPUT_BYTES + 1);
    } catch (IOException e) {
      throw new TorrentException("cannot read torrent: " + e, e);
    }
    checkSize(bytes.length, "torrent");
    return parse(bytes);
  }

  /**
   * Reads and parses a {@code .torrent} file.
   *
   * @throws TorrentException when the file is missing or unreadable: the message names the path,
   *     the {@link IOException} is the cause. A broken torrent gives an {@link
   *     InvalidTorrentException} or a {@link org.functorrent.bencode.BencodeException}, whose
   *     messages do not name the file: callers that show them add it.
   */
  public static MetaInfo parse(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(BencodeDecoder.DEFAULT_MAX_INPUT_BYTES + 1);
      checkSize(bytes.length, file.toString());
      return parse(bytes);
    } catch (IOException e) {
      throw new TorrentException("cannot read torrent file " + file + ": " + e, e);
    }
  }

  private static void checkSize(int length, String what) {
    if (length > BencodeDecoder.DEFAULT_MAX_INPUT_BYTES) {
      throw new InvalidTorrentException(
          "(root)",
          what
              + " is larger than "
              + BencodeDecoder.DEFAULT_MAX_INPUT_BYTES
              + " bytes (expected: a smaller .torrent)");
    }
  }

  /** The suggested name of the file (single-file) or directory (multi-file); a safe file name. */
  public String name() {
    return name;
  }

  /** The number of bytes in each piece but the last. */
  public int pieceLength() {
    return pieceLength;
  }

  public int pieceCount() {
    return pieceCount;
  }

  /** The number of bytes of piece {@code index}: the piece length, or less for the last piece. */
  public long pieceSize(int index) {
    checkElementIndex(index, pieceCount(), "piece index");
    return Math.min(pieceLength, totalLength - (long) index * pieceLength);
  }

  /** A copy of the 20-byte SHA-1 hash of piece {@code index}. */
  public byte[] pieceHash(int index) {
    checkElementIndex(index, pieceCount(), "piece index");
    int from = piecesStart + index * InfoHash.LENGTH;
    return Arrays.copyOfRange(encoded, from, from + InfoHash.LENGTH);
  }

  /** The files in the order of the torrent's byte stream, padding files and symlinks included. */
  public ImmutableList<TorrentFile> files() {
    return files;
  }

  /** The number of bytes in all files, padding files included. */
  public long totalLength() {
    return totalLength;
  }

  /** Whether the info dictionary has {@code length} (one file) rather than {@code files}. */
  public boolean isSingleFile() {
    return singleFile;
  }

  /** The {@code announce} URL, trimmed; empty when absent or blank. */
  public Optional<String> announce() {
    return announce;
  }

  /**
   * The trackers as BEP 12 tiers, in the torrent's order: {@code announce-list} when it has any
   * usable URL, otherwise one tier with {@code announce}, otherwise none. URLs are trimmed; blank
   * URLs, URLs seen before and empty tiers are dropped.
   */
  public ImmutableList<ImmutableList<String>> trackerTiers() {
    return trackerTiers;
  }

  /** BEP 27: whether peers may only come from the torrent's trackers. */
  public boolean isPrivate() {
    return isPrivate;
  }

  /**
   * BEP 19 web seeds ({@code url-list}, a string or a list), trimmed, blank and repeats dropped.
   */
  public ImmutableList<String> webSeeds() {
    return webSeeds;
  }

  public Optional<Instant> creationDate() {
    return creationDate;
  }

  public Optional<String> comment() {
    return comment;
  }

  public Optional<String> createdBy() {
    return createdBy;
  }

  /** The v1 info-hash: SHA-1 of the info dictionary's bytes exactly as they are in the file. */
  public InfoHash infoHash() {
    return infoHash;
  }

  /** A copy of the info dictionary's bytes exactly as they are in the file. */
  public byte[] infoBytes() {
    return Arrays.copyOfRange(encoded, infoStart, infoEnd);
  }

  /**
   * A copy of {@code length} bytes of the info dictionary from {@code offset}: a piece of the
   * metadata that BEP 9 exchanges.
   *
   * @throws IndexOutOfBoundsException if the range is not within the info dictionary
   */
  public byte[] infoBytes(int offset, int length) {
    Objects.checkFromIndexSize(offset, length, infoEnd - infoStart);
    return Arrays.copyOfRange(encoded, infoStart + offset, infoStart + offset + length);
  }

  /** The length of {@link #infoBytes()}: the size of the metadata that BEP 9 exchanges. */
  public int infoLength() {
    return infoEnd - infoStart;
  }

  /** A copy of the whole {@code .torrent} as it was parsed. */
  public byte[] encoded() {
    return encoded.clone();
  }

  /** The info dictionary, for extension keys; decoded anew on each call. */
  public BencodeDictionary info() {
    return (BencodeDictionary)
        Bencode.decoder().decodePrefix(encoded, infoStart, infoEnd - infoStart).value();
  }

  /** The whole torrent's top-level dictionary, for extension keys; decoded anew on each call. */
  public BencodeDictionary root() {
    return (BencodeDictionary) Bencode.decoder().decodePrefix(encoded, 0, encoded.length).value();
  }

  /** Whether the info dictionary has BEP 52 v2 metadata ({@code meta version} 2, file tree). */
  public boolean hasV2Metadata() {
    return v2Metadata;
  }

  /**
   * Whether this is a hybrid v1+v2 torrent. Since v2-only torrents are rejected, this is the same
   * as {@link #hasV2Metadata()}.
   */
  public boolean isHybrid() {
    return v2Metadata;
  }

  /** A magnet link with this torrent's info-hash, name, trackers and web seeds. */
  public MagnetUri toMagnet() {
    ImmutableList.Builder<String> trackers = ImmutableList.builder();
    trackerTiers.forEach(trackers::addAll);
    return new MagnetUri(
        infoHash, Optional.of(name), trackers.build(), ImmutableList.of(), webSeeds);
  }

  @Override
  public String toString() {
    return "MetaInfo{"
        + infoHash
        + " \""
        + name
        + "\", "
        + files.size()
        + " files, "
        + totalLength
        + " bytes}";
  }
}
