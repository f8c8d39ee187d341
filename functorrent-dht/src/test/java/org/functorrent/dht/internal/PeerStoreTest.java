package org.functorrent.dht.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import org.functorrent.metainfo.InfoHash;
import org.junit.jupiter.api.Test;

class PeerStoreTest {
  private final ManualTicker clock = new ManualTicker();
  private final Random random = new Random(1);

  private static InfoHash hash(int n) {
    byte[] b = new byte[20];
    b[0] = (byte) n;
    b[1] = (byte) (n >>> 8);
    return InfoHash.of(b);
  }

  private static InetSocketAddress peer(int n) {
    return new InetSocketAddress("127.0.0.1", 1000 + n);
  }

  @Test
  void peersExpireAfterTheirTtlUnlessAnnouncedAgain() {
    PeerStore store = new PeerStore(clock, Duration.ofMinutes(30), 10, 10);
    store.add(hash(1), peer(1));
    store.add(hash(1), peer(2));
    clock.advance(Duration.ofMinutes(20));
    store.add(hash(1), peer(2)); // refreshed
    clock.advance(Duration.ofMinutes(15));
    assertThat(store.get(hash(1), random)).containsExactly(peer(2));
    clock.advance(Duration.ofMinutes(20));
    assertThat(store.get(hash(1), random)).isEmpty();
    assertThat(store.infoHashCount()).isZero();
  }

  @Test
  void boundedPerInfoHashAndInInfoHashes() {
    PeerStore store = new PeerStore(clock, Duration.ofMinutes(30), 3, 5);
    for (int i = 0; i < 20; i++) {
      store.add(hash(1), peer(i));
    }
    // The oldest announces gave way.
    assertThat(store.get(hash(1), random))
        .containsExactlyInAnyOrder(peer(15), peer(16), peer(17), peer(18), peer(19));
    assertThat(store.add(hash(2), peer(1))).isTrue();
    assertThat(store.add(hash(3), peer(1))).isTrue();
    assertThat(store.add(hash(4), peer(1))).isFalse();
    assertThat(store.infoHashCount()).isEqualTo(3);
    assertThat(store.peerCount()).isEqualTo(7);
    // Once something expires there is room again.
    clock.advance(Duration.ofMinutes(31));
    assertThat(store.add(hash(4), peer(1))).isTrue();
    assertThat(store.infoHashCount()).isEqualTo(1);
    assertThat(store.peerCount()).isEqualTo(1);
  }

  @Test
  void aResponseCarriesAtMostFiftyPeers() {
    PeerStore store = new PeerStore(clock, Duration.ofMinutes(30), 3, 500);
    for (int i = 0; i < 300; i++) {
      store.add(hash(1), peer(i));
    }
    assertThat(store.get(hash(1), random)).hasSize(PeerStore.MAX_VALUES).doesNotHaveDuplicates();
  }
}
