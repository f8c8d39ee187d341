package org.functorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MagnetUriTest {
  private static final String HEX = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a";
  private static final InfoHash HASH = InfoHash.fromHex(HEX);

  @Test
  void parsesTheBep9Form() {
    MagnetUri magnet =
        MagnetUri.parse(
            "magnet:?xt=urn:btih:"
                + HEX
                + "&dn=Big+Buck%20Bunny"
                + "&tr=udp%3A%2F%2Ftracker.example%3A80%2Fannounce"
                + "&tr=http://t2.example/announce?a=1%26b=2"
                + "&x.pe=10.0.0.1:6881&x.pe=%5B%3A%3A1%5D:51413"
                + "&ws=http%3A%2F%2Fseed.example%2Ff");
    assertThat(magnet.infoHash()).isEqualTo(HASH);
    assertThat(magnet.displayName()).contains("Big Buck Bunny");
    assertThat(magnet.trackers())
        .containsExactly("udp://tracker.example:80/announce", "http://t2.example/announce?a=1&b=2");
    assertThat(magnet.peers()).containsExactly("10.0.0.1:6881", "[::1]:51413");
    assertThat(magnet.webSeeds()).containsExactly("http://seed.example/f");
  }

  @Test
  void base32AndHexGiveTheSameHash() {
    MagnetUri base32 = MagnetUri.parse("magnet:?xt=urn:btih:" + HASH.toBase32());
    MagnetUri hex = MagnetUri.parse("MAGNET:?xt=URN:BTIH:" + HEX.toUpperCase());
    assertThat(base32).isEqualTo(hex).isEqualTo(MagnetUri.of(HASH));
  }

  @Test
  void numberedParametersAndUnknownOnesAreAccepted() {
    MagnetUri magnet =
        MagnetUri.parse(
            "magnet:?xl=10&tr.1=udp://a/&xt=urn:btih:" + HEX + "&tr.2=udp://b/&&so=0-1&kt=x");
    assertThat(magnet.trackers()).containsExactly("udp://a/", "udp://b/");
  }

  @Test
  void hybridLinksUseTheirV1Hash() {
    MagnetUri magnet =
        MagnetUri.parse(
            "magnet:?xt=urn:btih:" + HEX + "&xt=urn:btmh:1220" + "ab".repeat(32) + "&dn=x");
    assertThat(magnet.infoHash()).isEqualTo(HASH);
  }

  @Test
  void v2OnlyLinksAreNotSupportedYet() {
    assertThatThrownBy(() -> MagnetUri.parse("magnet:?xt=urn:btmh:1220" + "ab".repeat(32)))
        .isInstanceOf(InvalidMagnetUriException.class)
        .hasMessageContaining("v2-only magnet links are not supported yet");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://example.com/",
        "magnet:",
        "magnet:?dn=no-hash",
        "magnet:?xt=urn:btih:abc",
        "magnet:?xt=urn:btih:zz2fe1c06bba254a9dc9f519b335aa7c1367a88a",
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=%zz",
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=%4",
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=%ff",
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
            + "&xt=urn:btih:0000000000000000000000000000000000000000",
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&x.pe=host",
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&x.pe=host:0",
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&x.pe=host:65536",
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&x.pe=::1:80",
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&x.pe=a/b:80",
      })
  void malformedLinksFailWithTheirOwnException(String link) {
    assertThatThrownBy(() -> MagnetUri.parse(link))
        .isInstanceOf(InvalidMagnetUriException.class)
        .hasMessageContaining("expected");
  }

  @Test
  void toUriEscapesValues() {
    MagnetUri magnet =
        new MagnetUri(
            HASH,
            Optional.of("a b&c=d/é"),
            ImmutableList.of("udp://t/?x=1&y=2"),
            ImmutableList.of("1.2.3.4:5"),
            ImmutableList.of());
    assertThat(magnet.toUri())
        .isEqualTo(
            "magnet:?xt=urn:btih:"
                + HEX
                + "&dn=a%20b%26c%3Dd%2F%C3%A9"
                + "&tr=udp%3A%2F%2Ft%2F%3Fx%3D1%26y%3D2"
                + "&x.pe=1.2.3.4%3A5");
    assertThat(magnet).hasToString(magnet.toUri());
  }

  @Test
  void randomLinksRoundTrip() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int i = 0; i < 2000; i++) {
      byte[] hash = new byte[20];
      random.nextBytes(hash);
      ImmutableList.Builder<String> trackers = ImmutableList.builder();
      int count = random.nextInt(4);
      for (int t = 0; t < count; t++) {
        trackers.add("udp://" + t + randomText(random) + "/announce");
      }
      MagnetUri magnet =
          new MagnetUri(
              InfoHash.of(hash),
              random.nextBoolean() ? Optional.of(randomText(random)) : Optional.empty(),
              trackers.build(),
              random.nextBoolean() ? ImmutableList.of("[2001:db8::1]:6881") : ImmutableList.of(),
              random.nextBoolean() ? ImmutableList.of("http://s/" + i) : ImmutableList.of());
      assertThat(MagnetUri.parse(magnet.toUri())).as("seed %s", seed).isEqualTo(magnet);
    }
  }

  /** Letters, the characters URIs reserve, spaces, plus signs and non-ASCII text. */
  private static String randomText(Random random) {
    String alphabet = "ab Z09+%&=?#/:~._-!ä日😀";
    StringBuilder s = new StringBuilder();
    int length = random.nextInt(12);
    for (int i = 0; i < length; i++) {
      int start = random.nextInt(alphabet.length());
      if (Character.isLowSurrogate(alphabet.charAt(start))) {
        start--;
      }
      int end = Character.isHighSurrogate(alphabet.charAt(start)) ? start + 2 : start + 1;
      s.append(alphabet, start, end);
    }
    return s.toString();
  }
}
