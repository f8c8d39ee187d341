package org.functorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.Test;

/** BEP 7 over ::1: HTTP answers IPv6 peers in peers6, UDP in 18-byte entries (BEP 15). */
class Ipv6LoopbackTest {
  @Test
  void ipv6PeersOverHttpAndUdp() throws Exception {
    EventLoopGroup group = Groups.newGroup();
    InetAddress v6 = InetAddress.getByName("::1");
    TrackerServer server = TrackerServer.start(group, v6, 0);
    TrackerClient client =
        TrackerClient.builder(group).udpLocalAddress(new InetSocketAddress(v6, 0)).build();
    try {
      InfoHash h = InfoHash.fromHex("6666666666666666666666666666666666666666");
      assertThat(server.httpAnnounceUri().toString()).startsWith("http://[0:0:0:0:0:0:0:1]:");
      AnnounceRequest a =
          AnnounceRequest.of(h, PeerId.random("-A-"), 7201, TransferStats.of(0, 0, 1))
              .withEvent(AnnounceEvent.STARTED);
      client.announce(server.httpAnnounceUri(), a).get(10, TimeUnit.SECONDS);
      AnnounceRequest b =
          AnnounceRequest.of(h, PeerId.random("-B-"), 7202, TransferStats.of(0, 0, 1))
              .withEvent(AnnounceEvent.STARTED);
      assertThat(client.announce(server.udpAnnounceUri(), b).get(10, TimeUnit.SECONDS).peers())
          .containsExactly(new InetSocketAddress(v6, 7201));
      assertThat(
              client
                  .announce(server.httpAnnounceUri(), a.withEvent(AnnounceEvent.NONE))
                  .get(10, TimeUnit.SECONDS)
                  .peers())
          .containsExactly(new InetSocketAddress(v6, 7202));
    } finally {
      client.closeAsync().join();
      server.closeAsync().join();
      Groups.shutdown(group);
    }
  }
}
