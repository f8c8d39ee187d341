package org.functorrent.benchmarks;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Deterministic bencoded documents for the benchmarks, written byte by byte with keys in canonical
 * order, so that they do not depend on the encoder under test.
 */
final class InputGenerator {
  /** Keys in the large dictionary. */
  static final int DICTIONARY_KEYS = 100_000;

  /** Pieces of the large torrent: 4 GiB in 256 KiB pieces. */
  static final int TORRENT_PIECES = 16_384;

  static final int TORRENT_FILES = 2_000;
  static final int TORRENT_PIECE_LENGTH = 256 * 1024;
  static final long TORRENT_TOTAL_LENGTH = (long) TORRENT_PIECES * TORRENT_PIECE_LENGTH;

  static final int TRACKER_PEERS = 50;

  private static final String[] WORDS = {
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
    "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "Season 01", "Disc 2", "Extras",
    "Ünïcödé title", "日本語のフォルダ", "samples"
  };
  private static final String[] EXTENSIONS = {".mkv", ".flac", ".txt", ".nfo", ".jpg", ".iso"};

  private InputGenerator() {}

  /** A multi-file metainfo file: 2 000 files in nested folders, 16 384 piece hashes. */
  static byte[] torrent(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Writer w = new Writer(512 * 1024);
    w.dictStart();
    w.key("announce").string("http://tracker.example.org:6969/announce");
    w.key("announce-list").listStart();
    for (int tier = 0; tier < 3; tier++) {
      w.listStart();
      for (int i = 0; i < 2; i++) {
        w.string("udp://tracker" + tier + i + ".example.net:" + (1000 + random.nextInt(60000)));
      }
      w.end();
    }
    w.end();
    w.key("comment").string("Synthetic benchmark torrent, seed " + seed);
    w.key("created by").string("FuncTorrent benchmarks");
    w.key("creation date").integer(1_700_000_000L + random.nextInt(1_000_000));
    w.key("info").dictStart();
    w.key("files").listStart();
    long[] lengths = splitLength(random, TORRENT_TOTAL_LENGTH, TORRENT_FILES);
    for (int f = 0; f < TORRENT_FILES; f++) {
      w.dictStart();
      w.key("length").integer(lengths[f]);
      w.key("path").listStart();
      int folders = random.nextInt(4);
      for (int d = 0; d < folders; d++) {
        w.string(WORDS[random.nextInt(WORDS.length)]);
      }
      w.string(
          WORDS[random.nextInt(WORDS.length)]
              + " "
              + f
              + EXTENSIONS[random.nextInt(EXTENSIONS.length)]);
      w.end();
      w.end();
    }
    w.end();
    w.key("name").string("Synthetic collection " + seed);
    w.key("piece length").integer(TORRENT_PIECE_LENGTH);
    byte[] pieces = new byte[TORRENT_PIECES * 20];
    random.nextBytes(pieces);
    w.key("pieces").string(pieces);
    w.end();
    w.end();
    return w.toByteArray();
  }

  /** A dictionary of {@code keys} random ASCII keys, half small integers and half short strings. */
  static byte[] dictionary(long seed, int keys) {
    SplittableRandom random = new SplittableRandom(seed);
    TreeSet<String> sorted = new TreeSet<>();
    while (sorted.size() < keys) {
      sorted.add(letters(random, 6 + random.nextInt(11)));
    }
    Writer w = new Writer(keys * 24);
    w.dictStart();
    for (String key : sorted) {
      w.key(key);
      if (random.nextBoolean()) {
        w.integer(random.nextInt(1_000_000) - 1000);
      } else {
        w.string(letters(random, 1 + random.nextInt(16)));
      }
    }
    w.end();
    return w.toByteArray();
  }

  /** A compact tracker announce response with {@link #TRACKER_PEERS} IPv4 peers. */
  static byte[] trackerResponse(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Writer w = new Writer(512);
    w.dictStart();
    w.key("complete").integer(random.nextInt(5000));
    w.key("incomplete").integer(random.nextInt(5000));
    w.key("interval").integer(1800);
    w.key("min interval").integer(900);
    byte[] peers = new byte[TRACKER_PEERS * 6];
    random.nextBytes(peers);
    w.key("peers").string(peers);
    w.end();
    return w.toByteArray();
  }

  /** {@code parts} random positive lengths that add up to {@code total}. */
  private static long[] splitLength(SplittableRandom random, long total, int parts) {
    double[] weights = new double[parts];
    double sum = 0;
    for (int i = 0; i < parts; i++) {
      weights[i] = 0.05 + random.nextDouble();
      sum += weights[i];
    }
    long[] lengths = new long[parts];
    long left = total;
    for (int i = 0; i < parts - 1; i++) {
      lengths[i] = (long) (total * (weights[i] / sum));
      left -= lengths[i];
    }
    lengths[parts - 1] = left;
    return lengths;
  }

  private static String letters(SplittableRandom random, int length) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = (char) ('a' + random.nextInt(26));
    }
    return new String(chars);
  }

  /** Writes bencode; the caller keeps keys in order. */
  private static final class Writer {
    private final ByteArrayOutputStream out;

    Writer(int capacity) {
      out = new ByteArrayOutputStream(capacity);
    }

    Writer dictStart() {
      out.write('d');
      return this;
    }

    Writer listStart() {
      out.write('l');
      return this;
    }

    Writer end() {
      out.write('e');
      return this;
    }

    Writer key(String key) {
      return string(key);
    }

    Writer string(String text) {
      return string(text.getBytes(UTF_8));
    }

    Writer string(byte[] bytes) {
      out.writeBytes(Integer.toString(bytes.length).getBytes(US_ASCII));
      out.write(':');
      out.writeBytes(bytes);
      return this;
    }

    Writer integer(long value) {
      out.write('i');
      out.writeBytes(Long.toString(value).getBytes(US_ASCII));
      out.write('e');
      return this;
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
