package org.functorrent.dht.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.functorrent.common.TorrentException;
import org.functorrent.dht.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {
  @TempDir Path dir;

  @Test
  void idAndNodesSurviveAWriteAndARead() throws Exception {
    Random random = new Random();
    NodeId id = NodeId.random(random);
    List<NodeContact> nodes = List.of(
        new NodeContact(NodeId.random(random), new InetSocketAddress("127.0.0.1", 7000)),
        new NodeContact(NodeId.random(random), new InetSocketAddress("127.0.0.2", 7001)));
    Path file = dir.resolve("sub/dht.state");
    StateFile.write(file, id, nodes);
    StateFile.write(file, id, nodes); // replaces
    StateFile.State state = StateFile.read(file).orElseThrow();
    assertThat(state.id()).isEqualTo(id);
    assertThat(state.nodes()).isEqualTo(nodes);
    try (var listing = Files.list(file.getParent())) {
      assertThat(listing).containsExactly(file); // no temporary file left
    }
  }

  @Test
  void aMissingFileIsNoStateAndAWrongOneIsAnError() throws Exception {
    assertThat(StateFile.read(dir.resolve("none"))).isEmpty();
    Path bad = dir.resolve("bad");
    Files.writeString(bad, "d2:id3:abce");
    assertThatThrownBy(() -> StateFile.read(bad))
        .isInstanceOf(TorrentException.class)
        .hasMessageContaining("20-byte id");
  }
}
