package org.functorrent.bencode;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.functorrent.common.TorrentException;
import org.functorrent.metainfo.InvalidMagnetUriException;
import org.functorrent.metainfo.MagnetUri;
import org.functorrent.metainfo.MetaInfo;

/**
 * Coverage-guided fuzz targets for everything this module decodes from outside: bencode (strict,
 * lenient, prefix), {@code .torrent} metainfo and magnet links. Each target may end only in a
 * value or in the project's typed exception; anything else (a {@link RuntimeException} of the JDK,
 * an {@link OutOfMemoryError}, a hang) is a finding.
 *
 * <p>Without {@code JAZZER_FUZZ} these run as ordinary tests over the seeds (and past findings) in
 * {@code src/test/resources/org/functorrent/bencode/BencodeFuzzTestInputs/<target>/}; see
 * docs/FUZZING.md for how to fuzz them.
 */
class BencodeFuzzTest {
  private static final BencodeDecoder STRICT = Bencode.decoder();
  private static final BencodeDecoder LENIENT = Bencode.decoder().lenient();

  /**
   * The strict decoder. What it accepts must survive a round trip: encoding the value and decoding
   * that again gives an equal value, and decoding it leniently gives the same value too.
   */
  @FuzzTest
  void strictDecode(byte[] input) {
    BencodeValue value;
    try {
      value = STRICT.decode(input);
    } catch (BencodeException expected) {
      return;
    }
    byte[] encoded = Bencode.encode(value);
    assertThat(STRICT.decode(encoded)).isEqualTo(value);
    assertThat(LENIENT.decode(input)).isEqualTo(value);
  }

  /**
   * The lenient decoder, and {@code decodePrefix} of the same bytes from the first byte's offset
   * (as the peer module reads a {@code ut_metadata} header followed by its payload): a prefix
   * never claims more bytes than there are, and decoding exactly those bytes gives the same value.
   */
  @FuzzTest
  void lenientDecodeAndPrefix(byte[] input) {
    try {
      LENIENT.decode(input);
    } catch (BencodeException expected) {
      // fine: malformed
    }
    int offset = input.length == 0 ? 0 : (input[0] & 0xff) % input.length;
    BencodePrefix prefix;
    try {
      prefix = STRICT.decodePrefix(input, offset, input.length - offset);
    } catch (BencodeException expected) {
      return;
    }
    assertThat(prefix.encodedLength()).isBetween(1, input.length - offset);
    assertThat(STRICT.decode(input, offset, prefix.encodedLength())).isEqualTo(prefix.value());
  }

  /**
   * A {@code .torrent}: parsing fails only with a {@link TorrentException} (an {@code
   * InvalidTorrentException} or a {@code BencodeException}); a parsed one answers its accessors.
   */
  @FuzzTest
  void metaInfo(byte[] torrent) {
    MetaInfo meta;
    try {
      meta = MetaInfo.parse(torrent);
    } catch (TorrentException expected) {
      return;
    }
    assertThat(meta.files()).isNotEmpty();
    assertThat(meta.totalLength()).isNotNegative();
    assertThat((long) meta.pieceCount() * meta.pieceLength()).isGreaterThanOrEqualTo(meta.totalLength());
    assertThat(meta.toMagnet().infoHash()).isEqualTo(meta.infoHash());
  }

  /** A magnet link (the bytes as UTF-8): parsed, or an {@link InvalidMagnetUriException}. */
  @FuzzTest
  void magnetUri(byte[] input) {
    String uri = new String(input, UTF_8);
    MagnetUri magnet;
    try {
      magnet = MagnetUri.parse(uri);
    } catch (InvalidMagnetUriException expected) {
      return;
    }
    // What we parsed we can write out again and read back to the same link.
    assertThat(MagnetUri.parse(magnet.toString())).isEqualTo(magnet);
  }
}
