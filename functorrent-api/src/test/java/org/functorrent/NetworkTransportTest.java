package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.functorrent.tracker.TrackerStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients on Netty's native epoll transport and on NIO, which the tests of this module run on
 * Linux with the native library on the class path: each serves the other, through a UDP tracker
 * and by incoming connection.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NetworkTransportTest {
  private static final int PIECE = 16 * 1024;
  private static final String[] FILES = {"a.bin", "b.bin"};
  private static final int[] SIZES = {700_001, 333_333};

  @TempDir Path dir;
  private LoopbackSwarm swarm;

  @BeforeEach
  void setUp() throws Exception {
    swarm = LoopbackSwarm.create(dir.resolve("seed"), 20261127, PIECE, FILES, SIZES, true);
  }

  @AfterEach
  void tearDown() throws Exception {
    swarm.close();
  }

  @Test
  void aClientRunsOnEpollByDefaultWhereEpollCanRun() {
    assertThat(NetworkTransport.EPOLL.isAvailable())
        .as("epoll on this Linux machine (why not: %s)", Epoll.unavailabilityCause())
        .isTrue();
    assertThat(NetworkTransport.preferred()).isEqualTo(NetworkTransport.EPOLL);
    assertThat(swarm.client().transport()).isEqualTo(NetworkTransport.EPOLL);
    assertThat(swarm.client(NetworkTransport.NIO).transport()).isEqualTo(NetworkTransport.NIO);
    assertThat(NetworkTransport.NIO.isAvailable()).isTrue();
  }

  @Test
  void epollAndNioClientsDownloadFromEachOther() throws Exception {
    TorrentClient nioSeeder = swarm.client(NetworkTransport.NIO);
    swarm.seed(nioSeeder, true);

    // The epoll client finds the NIO seeder through the UDP tracker, dials it, then seeds.
    Path epollDir = dir.resolve("epoll");
    TorrentClient epollClient = swarm.client(NetworkTransport.EPOLL);
    Download epollLeech =
        epollClient.start(
            Torrent.of(swarm.meta())
                .withOptions(DownloadOptions.defaults().withDirectory(epollDir).withSeed(true)),
            TorrentListener.NONE);
    assertThat(epollLeech.completion().get(1, TimeUnit.MINUTES).state())
        .isEqualTo(DownloadState.SEEDING);
    assertSameFiles(epollDir);
    // It found the seeder by announcing over UDP on epoll, which the tracker accepted.
    URI udp = swarm.tracker().udpAnnounceUri();
    assertThat(epollLeech.stats().trackers())
        .containsOnlyKeys(udp)
        .containsValue(new TrackerStatus.Started());
    nioSeeder.close();

    // An NIO client that knows only the epoll client, now seeding, fetches everything from it.
    Path nioDir = dir.resolve("nio");
    Download nioLeech =
        swarm
            .client(NetworkTransport.NIO)
            .start(
                Torrent.of(swarm.meta())
                    .withOptions(
                        DownloadOptions.defaults()
                            .withDirectory(nioDir)
                            .withTrackers(false)
                            .withPeers(List.of(epollClient.listenAddress()))),
                TorrentListener.NONE);
    assertThat(nioLeech.completion().get(1, TimeUnit.MINUTES).state())
        .isEqualTo(DownloadState.COMPLETED);
    assertSameFiles(nioDir);
  }

  private void assertSameFiles(Path downloadDir) throws Exception {
    for (String file : FILES) {
      assertThat(Files.readAllBytes(downloadDir.resolve("set").resolve(file)))
          .as(file)
          .isEqualTo(Files.readAllBytes(swarm.data().resolve(file)));
    }
  }
}
