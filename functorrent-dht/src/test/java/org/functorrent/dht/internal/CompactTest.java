package org.functorrent.dht.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.functorrent.dht.NodeId;
import org.junit.jupiter.api.Test;

class CompactTest {
  @Test
  void peerInfoIsSixBytesAddressThenPortInNetworkOrder() {
    byte[] b = Compact.peer(new InetSocketAddress("127.0.0.1", 6881));
    assertThat(b).containsExactly(127, 0, 0, 1, 0x1a, 0xe1);
    assertThat(Compact.readPeer(b, 0)).isEqualTo(new InetSocketAddress("127.0.0.1", 6881));
    assertThat(Compact.readPeer(Compact.peer(new InetSocketAddress("255.254.253.252", 65535)), 0))
        .isEqualTo(new InetSocketAddress("255.254.253.252", 65535));
  }

  @Test
  void nodeInfoIsTwentySixBytesIdThenPeerInfo() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    List<NodeContact> nodes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      byte[] ip = new byte[4];
      random.nextBytes(ip);
      nodes.add(new NodeContact(NodeId.random(random),
          new InetSocketAddress((ip[0] & 0xff) + "." + (ip[1] & 0xff) + "." + (ip[2] & 0xff)
              + "." + (ip[3] & 0xff), 1 + random.nextInt(65535))));
    }
    byte[] b = Compact.nodes(nodes);
    assertThat(b).as("seed %s", seed).hasSize(26 * 20);
    assertThat(Compact.readNodes(b)).as("seed %s", seed).isEqualTo(nodes);
    byte[] first = nodes.get(0).id().toByteArray();
    for (int i = 0; i < 20; i++) {
      assertThat(b[i]).isEqualTo(first[i]);
    }
  }

  @Test
  void lengthsThatAreNotMultiplesOf26AreRefused() {
    assertThatThrownBy(() -> Compact.readNodes(new byte[25]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Compact.readNodes(new byte[27]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Compact.readNodes(new byte[0])).isEmpty();
  }

  @Test
  void nodesWithPortZeroAreLeftOut() {
    byte[] b = new byte[26];
    b[20] = 127;
    b[23] = 1;
    assertThat(Compact.readNodes(b)).isEmpty();
  }
}
