package org.functorrent.storage;

import com.google.common.collect.ImmutableList;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.functorrent.metainfo.MetaInfo;

/** Torrents with known content for tests: files given by path, length and BEP 47 attributes. */
final class TestTorrent {
  final MetaInfo meta;
  final byte[] content;

  private TestTorrent(MetaInfo meta, byte[] content) {
    this.meta = meta;
    this.content = content;
  }

  /** A file of a multi-file torrent; {@code "p"} attributes make a padding file. */
  record Entry(long length, String attributes, String... path) {}

  static Entry file(long length, String... path) {
    return new Entry(length, "", path);
  }

  static Entry pad(long length) {
    return new Entry(length, "p", ".pad", Long.toString(length));
  }

  /** A multi-file torrent named {@code name} with random content (zeros in padding), seeded. */
  static TestTorrent multi(long seed, int pieceLength, String name, Entry... entries) {
    long total = Arrays.stream(entries).mapToLong(Entry::length).sum();
    byte[] content = new byte[Math.toIntExact(total)];
    Random random = new Random(seed);
    long at = 0;
    List<BencodeValue> files = new ArrayList<>();
    for (Entry entry : entries) {
      if (!entry.attributes().contains("p")) {
        byte[] bytes = new byte[(int) entry.length()];
        random.nextBytes(bytes);
        System.arraycopy(bytes, 0, content, (int) at, bytes.length);
      }
      at += entry.length();
      BencodeDictionary.Builder file =
          BencodeDictionary.builder()
              .put("length", entry.length())
              .put(
                  "path",
                  BencodeList.of(Arrays.stream(entry.path()).map(BencodeString::of).toList()));
      if (!entry.attributes().isEmpty()) {
        file.put("attr", entry.attributes());
      }
      files.add(file.build());
    }
    BencodeDictionary info =
        BencodeDictionary.builder()
            .put("name", name)
            .put("piece length", pieceLength)
            .put("pieces", BencodeString.of(hashes(content, pieceLength)))
            .put("files", BencodeList.of(files))
            .build();
    return new TestTorrent(parse(info), content);
  }

  /** A single-file torrent of {@code length} random bytes, seeded. */
  static TestTorrent single(long seed, int pieceLength, String name, int length) {
    byte[] content = new byte[length];
    new Random(seed).nextBytes(content);
    BencodeDictionary info =
        BencodeDictionary.builder()
            .put("name", name)
            .put("piece length", pieceLength)
            .put("pieces", BencodeString.of(hashes(content, pieceLength)))
            .put("length", length)
            .build();
    return new TestTorrent(parse(info), content);
  }

  /**
   * A torrent of {@code lengths} files under {@code name} whose pieces all hash as zeros: for sizes
   * too large to hold, where a test writes a zero block, or checks placement only.
   */
  static MetaInfo zeros(int pieceLength, String name, long... lengths) {
    long total = Arrays.stream(lengths).sum();
    int count = Math.toIntExact((total + pieceLength - 1) / pieceLength);
    byte[] zeroHash = sha1(new byte[pieceLength], pieceLength);
    long last = total - (long) (count - 1) * pieceLength;
    byte[] lastHash = sha1(new byte[(int) last], (int) last);
    byte[] hashes = new byte[count * 20];
    for (int i = 0; i < count; i++) {
      System.arraycopy(i == count - 1 ? lastHash : zeroHash, 0, hashes, i * 20, 20);
    }
    BencodeDictionary.Builder info =
        BencodeDictionary.builder()
            .put("name", name)
            .put("piece length", pieceLength)
            .put("pieces", BencodeString.of(hashes));
    if (lengths.length == 1) {
      info.put("length", lengths[0]);
    } else {
      List<BencodeValue> files = new ArrayList<>();
      for (int i = 0; i < lengths.length; i++) {
        files.add(
            BencodeDictionary.builder()
                .put("length", lengths[i])
                .put("path", BencodeList.of(BencodeString.of("f" + i)))
                .build());
      }
      info.put("files", BencodeList.of(files));
    }
    return parse(info.build());
  }

  private static MetaInfo parse(BencodeDictionary info) {
    return MetaInfo.parse(Bencode.encode(BencodeDictionary.builder().put("info", info).build()));
  }

  private static byte[] hashes(byte[] content, int pieceLength) {
    int count = Math.max(1, (content.length + pieceLength - 1) / pieceLength);
    byte[] out = new byte[count * 20];
    for (int i = 0; i < count; i++) {
      int from = i * pieceLength;
      int to = Math.min(content.length, from + pieceLength);
      System.arraycopy(sha1(Arrays.copyOfRange(content, from, to), to - from), 0, out, i * 20, 20);
    }
    return out;
  }

  static byte[] sha1(byte[] data, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-1");
      digest.update(data, 0, length);
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** The bytes of {@code piece}. */
  byte[] piece(int piece) {
    int from = piece * meta.pieceLength();
    return Arrays.copyOfRange(content, from, (int) (from + meta.pieceSize(piece)));
  }

  /** The content of file {@code index}. */
  byte[] file(int index) {
    var f = meta.files().get(index);
    return Arrays.copyOfRange(content, (int) f.offset(), (int) (f.offset() + f.length()));
  }

  ImmutableList<String> path(int index) {
    return meta.files().get(index).path();
  }

  /** Writes every piece in 16 KiB blocks (or smaller), in a seeded random piece order. */
  void writeAll(Storage storage, long seed) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < meta.pieceCount(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    for (int piece : order) {
      writePiece(storage, piece);
    }
  }

  void writePiece(Storage storage, int piece) {
    byte[] bytes = piece(piece);
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (int offset = 0; offset < bytes.length; offset += 16384) {
      int length = Math.min(16384, bytes.length - offset);
      writes.add(storage.writeBlock(piece, offset, ByteBuffer.wrap(bytes, offset, length)));
    }
    writes.forEach(CompletableFuture::join);
  }
}
