package org.functorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InfoHashTest {
  private static final String HEX = "123456789abcdef123456789abcdef123456789a";

  @Test
  void hexAndBase32RoundTripForRandomHashes() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int i = 0; i < 1000; i++) {
      byte[] bytes = new byte[20];
      random.nextBytes(bytes);
      InfoHash hash = InfoHash.of(bytes);
      assertThat(InfoHash.fromHex(hash.toHex())).as("seed %s", seed).isEqualTo(hash);
      assertThat(InfoHash.fromBase32(hash.toBase32())).as("seed %s", seed).isEqualTo(hash);
      assertThat(InfoHash.parse(hash.toHex())).as("seed %s", seed).isEqualTo(hash);
      assertThat(InfoHash.parse(hash.toBase32().toLowerCase())).as("seed %s", seed).isEqualTo(hash);
      assertThat(hash.toByteArray()).as("seed %s", seed).isEqualTo(bytes);
    }
  }

  @Test
  void hexIsLowercaseAndParsesEitherCase() {
    InfoHash hash = InfoHash.fromHex(HEX.toUpperCase());
    assertThat(hash.toHex()).isEqualTo(HEX);
    assertThat(hash).hasToString(HEX);
    assertThat(hash.toBase32()).hasSize(32).isUpperCase();
  }

  @Test
  void base32OfAllZeroAndKnownValue() {
    assertThat(InfoHash.of(new byte[20]).toBase32()).isEqualTo("A".repeat(32));
    // RFC 4648 test vector "foobar" -> MZXW6YTBOI, extended to 20 bytes of 0xff -> all '7'.
    byte[] ones = new byte[20];
    java.util.Arrays.fill(ones, (byte) 0xff);
    assertThat(InfoHash.of(ones).toBase32()).isEqualTo("7".repeat(32));
  }

  @Test
  void urlEncodingEscapesEveryByteThatIsNotUnreserved() {
    // The classic tracker example: 0x34 '4', 0x56 'V', 0x78 'x', 0x45 'E', 0x67 'g' stay.
    assertThat(InfoHash.fromHex(HEX).urlEncoded())
        .isEqualTo("%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%124Vx%9A");
    byte[] special = "-._~ +/%&=AZaz09!*'()".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] twenty = java.util.Arrays.copyOf(special, 20);
    assertThat(InfoHash.of(twenty).urlEncoded())
        .isEqualTo("-._~%20%2B%2F%25%26%3DAZaz09%21%2A%27%28");
  }

  @Test
  void copiesInAndOut() {
    byte[] bytes = new byte[20];
    InfoHash hash = InfoHash.of(bytes);
    bytes[0] = 1;
    hash.toByteArray()[1] = 1;
    assertThat(hash).isEqualTo(InfoHash.of(new byte[20]));
    assertThat(hash.hashCode()).isEqualTo(InfoHash.of(new byte[20]).hashCode());
  }

  @Test
  void rejectsWrongLengthsAndCharacters() {
    assertThatThrownBy(() -> InfoHash.of(new byte[19]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("info-hash: 19 bytes (expected: 20)");
    assertThatThrownBy(() -> InfoHash.fromHex(HEX.substring(1)))
        .hasMessageContaining("expected: 40 hexadecimal digits");
    assertThatThrownBy(() -> InfoHash.fromHex("g" + HEX.substring(1)))
        .hasMessageContaining("expected: 40 hexadecimal digits");
    // Unicode digits are digits to Character.digit, but not hex digits.
    assertThatThrownBy(() -> InfoHash.fromHex("\u0661" + HEX.substring(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> InfoHash.fromBase32("1".repeat(32)))
        .hasMessageContaining("expected: 32 base32 characters");
    assertThatThrownBy(() -> InfoHash.parse("abc"))
        .hasMessageContaining("expected: 40 hexadecimal digits or 32 base32 characters");
  }

  @Test
  void peerIdStartsWithPrefixAndIsRandomAfterIt() {
    Set<PeerId> ids = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      PeerId id = PeerId.random("-FJ0100-");
      byte[] bytes = id.toByteArray();
      assertThat(bytes).hasSize(20);
      assertThat(new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII))
          .isEqualTo("-FJ0100-");
      assertThat(new String(bytes, 8, 12, java.nio.charset.StandardCharsets.US_ASCII))
          .matches("[0-9A-Za-z]{12}");
      ids.add(id);
    }
    assertThat(ids).hasSize(100);
  }

  @Test
  void peerIdValidation() {
    assertThatThrownBy(() -> PeerId.random("")).hasMessageContaining("expected: 1 to 12");
    assertThatThrownBy(() -> PeerId.random("-FJ0100-ABCDE"))
        .hasMessageContaining("13 characters (expected: 1 to 12)");
    assertThatThrownBy(() -> PeerId.random("-FJ\u00e9-"))
        .hasMessageContaining("expected: printable ASCII");
    assertThatThrownBy(() -> PeerId.of(new byte[21]))
        .hasMessage("peer id: 21 bytes (expected: 20)");
    PeerId id =
        PeerId.of("-FJ0100-abcdefghijkl".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(id).isEqualTo(PeerId.of(id.toByteArray()));
    assertThat(id.toHex()).hasSize(40).isEqualTo(id.toString());
  }

  /** Found by fuzzing: a padding "=" in 32 base32 characters decoded to a 19-byte info-hash. */
  @Test
  void base32WithAPaddingCharacterIsRejected() {
    assertThatThrownBy(() -> InfoHash.fromBase32("MEMU6UHG2L4BIEXNFX7DPQO2SGNSC6T="))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 base32 characters");
    assertThatThrownBy(
            () -> MagnetUri.parse("magnet:?xt=urn:btih:MEMU6UHG2L4BIEXNFX7DPQO2SGNSC6T="))
        .isInstanceOf(InvalidMagnetUriException.class);
    assertThat(InfoHash.fromBase32("MEMU6UHG2L4BIEXNFX7DPQO2SGNSC6TK").toByteArray()).hasSize(20);
  }
}
