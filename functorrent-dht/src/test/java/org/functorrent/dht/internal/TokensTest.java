package org.functorrent.dht.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import org.functorrent.bencode.BencodeString;
import org.junit.jupiter.api.Test;

class TokensTest {
  private final ManualTicker clock = new ManualTicker();
  private final Tokens tokens = new Tokens(clock, new SecureRandom());

  @Test
  void aTokenIsBoundToTheAddressItWasGivenTo() throws Exception {
    InetAddress a = InetAddress.getByName("127.0.0.1");
    InetAddress b = InetAddress.getByName("127.0.0.2");
    BencodeString t = tokens.tokenFor(a);
    assertThat(t.length()).isEqualTo(8);
    assertThat(tokens.isValid(t, a)).isTrue();
    assertThat(tokens.isValid(t, b)).isFalse();
    assertThat(tokens.isValid(BencodeString.of("aoeusnth"), a)).isFalse();
    assertThat(tokens.isValid(BencodeString.of(""), a)).isFalse();
  }

  @Test
  void tokensLiveFiveToTenMinutes() throws Exception {
    InetAddress a = InetAddress.getByName("127.0.0.1");
    BencodeString t = tokens.tokenFor(a);
    clock.advance(Duration.ofMinutes(4));
    assertThat(tokens.isValid(t, a)).isTrue();
    clock.advance(Duration.ofMinutes(2)); // 6 min: made under the previous secret
    assertThat(tokens.isValid(t, a)).isTrue();
    assertThat(tokens.tokenFor(a)).isNotEqualTo(t);
    clock.advance(Duration.ofMinutes(4)); // 10 min: two rotations later
    assertThat(tokens.isValid(t, a)).isFalse();
  }

  @Test
  void aLongSilenceForgetsBothSecrets() throws Exception {
    InetAddress a = InetAddress.getByName("127.0.0.1");
    BencodeString t = tokens.tokenFor(a);
    clock.advance(Duration.ofHours(3));
    assertThat(tokens.isValid(t, a)).isFalse();
    BencodeString fresh = tokens.tokenFor(a);
    assertThat(tokens.isValid(fresh, a)).isTrue();
  }
}
