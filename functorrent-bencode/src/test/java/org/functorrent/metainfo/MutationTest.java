package org.functorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.functorrent.common.TorrentException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random damage to valid torrents (byte flips, truncation, insertion, deletion): parsing
 * either succeeds or fails with a {@link TorrentException}, never anything else. The seed of each
 * case is in the failure message; the run's base seed is random, so each run covers new cases.
 */
class MutationTest {
  private static final int CASES_PER_TORRENT = 3000;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "base.torrent",
        "sample.torrent",
        "creation_date.torrent",
        "symlink2.torrent",
        "pad_file_no_path.torrent",
        "url_seed_multi.torrent",
        "v2.torrent",
        "empty-files-1.torrent",
      })
  void mutatedTorrentsOnlyFailWithTorrentExceptions(String file) {
    byte[] original = Corpus.bytes(file);
    assertThat(MetaInfo.parse(original).files()).isNotEmpty();
    long baseSeed = new Random().nextLong();
    int parsed = 0;
    for (int i = 0; i < CASES_PER_TORRENT; i++) {
      long seed = baseSeed + i;
      byte[] mutated = mutate(original, new Random(seed));
      try {
        MetaInfo meta = MetaInfo.parse(mutated);
        exercise(meta);
        parsed++;
      } catch (TorrentException expected) {
        assertThat(expected.getMessage()).as("seed %s", seed).isNotBlank();
      } catch (RuntimeException | StackOverflowError e) {
        fail("%s mutated with seed %s threw %s", file, seed, e, e);
      }
    }
    // Some mutations (in a comment, in a piece hash) leave a valid torrent.
    assertThat(parsed).as("base seed %s", baseSeed).isPositive();
  }

  /** Everything a valid MetaInfo offers must work, and its magnet link must round-trip. */
  private static void exercise(MetaInfo meta) {
    long offset = 0;
    for (TorrentFile file : meta.files()) {
      assertThat(file.offset()).isEqualTo(offset);
      offset += file.length();
    }
    assertThat(offset).isEqualTo(meta.totalLength());
    assertThat(meta.pieceHash(meta.pieceCount() - 1)).hasSize(20);
    assertThat(meta.pieceSize(meta.pieceCount() - 1)).isPositive();
    MagnetUri magnet = meta.toMagnet();
    assertThat(MagnetUri.parse(magnet.toUri())).isEqualTo(magnet);
    assertThat(InfoHash.sha1Of(meta.infoBytes())).isEqualTo(meta.infoHash());
    meta.trackerTiers().forEach(tier -> assertThat(tier).isNotEmpty());
  }

  static byte[] mutate(byte[] input, Random random) {
    byte[] bytes = input;
    int mutations = 1 + random.nextInt(3);
    for (int m = 0; m < mutations; m++) {
      int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
      switch (random.nextInt(5)) {
        case 0 -> { // flip bits of one byte
          if (bytes.length > 0) {
            bytes = bytes.clone();
            bytes[at] ^= (byte) (1 + random.nextInt(255));
          }
        }
        case 1 -> bytes = Arrays.copyOf(bytes, at); // truncate
        case 2 -> { // insert a few bytes, often bencode syntax
          byte[] insert = new byte[1 + random.nextInt(4)];
          String syntax = "ile0123456789:-d";
          for (int i = 0; i < insert.length; i++) {
            insert[i] =
                random.nextBoolean()
                    ? (byte) syntax.charAt(random.nextInt(syntax.length()))
                    : (byte) random.nextInt(256);
          }
          byte[] out = new byte[bytes.length + insert.length];
          System.arraycopy(bytes, 0, out, 0, at);
          System.arraycopy(insert, 0, out, at, insert.length);
          System.arraycopy(bytes, at, out, at + insert.length, bytes.length - at);
          bytes = out;
        }
        case 3 -> { // delete a few bytes
          int length = Math.min(1 + random.nextInt(8), bytes.length - at);
          byte[] out = new byte[bytes.length - length];
          System.arraycopy(bytes, 0, out, 0, at);
          System.arraycopy(bytes, at + length, out, at, bytes.length - at - length);
          bytes = out;
        }
        default -> { // replace a digit, to change lengths and integers
          if (bytes.length > 0) {
            bytes = bytes.clone();
            bytes[at] = (byte) ('0' + random.nextInt(10));
          }
        }
      }
    }
    return bytes;
  }
}
