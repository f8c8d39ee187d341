package org.functorrent.dht.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Random;
import org.functorrent.dht.NodeId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** BEP 42's test vectors and its exemption of local addresses. */
class Bep42Test {
  @ParameterizedTest
  @CsvSource({
    "124.31.75.21, 5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401",
    "21.75.31.124, 5a3ce9c14e7a08645677bbd1cfe7d8f956d53256",
    "65.23.51.170, a5d43220bc8f112a3d426c84764f8c2a1150e616",
    "84.124.73.14, 1b0321dd1bb1fe518101ceef99462b947a01ff41",
    "43.213.53.83, e56f6cbf5b7c4be0237986d5243b87aa6d51305a",
  })
  void theBepsExampleIdsAreValidForTheirAddresses(String ip, String hex) throws Exception {
    InetAddress address = InetAddress.getByName(ip);
    NodeId id = NodeId.fromHex(hex);
    assertThat(Bep42.isValid(id, address)).isTrue();
    // Any of the first 21 bits changed: invalid.
    for (int bit = 0; bit < 21; bit++) {
      assertThat(Bep42.isValid(id.flipBit(bit), address)).as("bit %s", bit).isFalse();
    }
    // The bits after them are free.
    assertThat(Bep42.isValid(id.flipBit(21), address)).isTrue();
    assertThat(Bep42.isValid(id.flipBit(100), address)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"124.31.75.21", "8.8.4.4", "200.1.2.3"})
  void madeIdsAreValid(String ip) throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    InetAddress address = InetAddress.getByName(ip);
    for (int i = 0; i < 100; i++) {
      assertThat(Bep42.isValid(Bep42.idFor(address, random), address)).as("seed %s", seed)
          .isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.45.6.7", "10.1.2.3", "172.16.0.1", "172.31.255.254",
      "192.168.1.1", "169.254.3.4"})
  void localAddressesAreExempt(String ip) throws Exception {
    InetAddress address = InetAddress.getByName(ip);
    assertThat(Bep42.isExempt(address)).isTrue();
    assertThat(Bep42.isValid(NodeId.fromHex("0000000000000000000000000000000000000000"), address))
        .isTrue();
  }

  @org.junit.jupiter.api.Test
  void aWildcardBindAddressGivesAnUnconstrainedRandomId() throws Exception {
    // 0.0.0.0 says nothing about our external address: the ids must not all share a prefix.
    InetAddress any = InetAddress.getByName("0.0.0.0");
    Random random = new Random();
    java.util.Set<Integer> firstBytes = new java.util.HashSet<>();
    for (int i = 0; i < 64; i++) {
      firstBytes.add(Bep42.idFor(any, random).byteAt(0));
    }
    assertThat(firstBytes.size()).isGreaterThan(8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"172.32.0.1", "172.15.0.1", "11.0.0.1", "192.169.0.1", "128.0.0.1"})
  void otherAddressesAreNot(String ip) throws Exception {
    assertThat(Bep42.isExempt(InetAddress.getByName(ip))).isFalse();
  }
}
