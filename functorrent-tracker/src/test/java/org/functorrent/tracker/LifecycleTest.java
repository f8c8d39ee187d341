package org.functorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.Test;

/** close() is idempotent, later requests fail cleanly, and no thread is left behind. */
class LifecycleTest {
  @Test
  void nothingLeftBehindAfterClose() throws Exception {
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    EventLoopGroup group = Groups.newGroup();
    TrackerServer server = TrackerServer.start(group, InetAddress.getLoopbackAddress(), 0);
    TrackerClient client =
        TrackerClient.builder(group)
            .udpLocalAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .build();
    InfoHash h = InfoHash.fromHex("4444444444444444444444444444444444444444");
    AnnounceSession session =
        AnnounceSession.builder(client, h, PeerId.random("-L-"))
            .tiers(
                List.of(
                    List.of(
                        server.udpAnnounceUri().toString(), server.httpAnnounceUri().toString())))
            .port(7301)
            .stats(() -> TransferStats.of(0, 0, 1))
            .start();
    AnnounceRequest r =
        AnnounceRequest.of(h, PeerId.random("-M-"), 7302, TransferStats.of(0, 0, 1));
    client.announce(server.httpAnnounceUri(), r).get(10, TimeUnit.SECONDS);
    client.announce(server.udpAnnounceUri(), r).get(10, TimeUnit.SECONDS);

    session.close();
    session.close();
    client.closeAsync().join();
    client.close();
    try {
      client.announce(server.udpAnnounceUri(), r).get(10, TimeUnit.SECONDS);
      throw new AssertionError("a closed client announced");
    } catch (ExecutionException e) {
      assertThat(((TrackerException) e.getCause()).reason()).isEqualTo("client closed");
    }
    server.closeAsync().join();
    server.close();
    Groups.shutdown(group);

    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!before.contains(t) && !t.getName().startsWith("ForkJoinPool.commonPool")) {
        t.join(5000);
        assertThat(t.isAlive()).as("thread %s left behind", t.getName()).isFalse();
      }
    }
  }
}
