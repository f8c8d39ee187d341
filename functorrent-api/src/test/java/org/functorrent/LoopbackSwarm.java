package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.functorrent.tracker.TrackerServer;

/**
 * A swarm of our own on 127.0.0.1 for the tests of this module: files of seeded random bytes in
 * {@code seedDir/set}, a torrent of them announced to an embedded tracker, and clients that close
 * with the swarm, the newest first.
 */
final class LoopbackSwarm {
  private final Path seedDir;
  private final Path data;
  private final EventLoopGroup group;
  private final TrackerServer tracker;
  private final MetaInfo meta;
  private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

  private LoopbackSwarm(
      Path seedDir, Path data, EventLoopGroup group, TrackerServer tracker, MetaInfo meta) {
    this.seedDir = seedDir;
    this.data = data;
    this.group = group;
    this.tracker = tracker;
    this.meta = meta;
  }

  /**
   * Writes {@code files} (of {@code sizes} bytes, from {@code new Random(randomSeed)}) into
   * {@code seedDir/set}, starts the tracker and makes the torrent of that directory.
   */
  static LoopbackSwarm create(
      Path seedDir, long randomSeed, int pieceLength, String[] files, int[] sizes)
      throws Exception {
    return create(seedDir, randomSeed, pieceLength, files, sizes, false);
  }

  /** As the other {@code create}, the torrent naming the tracker's UDP address if {@code udp}. */
  static LoopbackSwarm create(
      Path seedDir, long randomSeed, int pieceLength, String[] files, int[] sizes, boolean udp)
      throws Exception {
    Path data = seedDir.resolve("set");
    Files.createDirectories(data);
    Random random = new Random(randomSeed);
    for (int i = 0; i < files.length; i++) {
      byte[] bytes = new byte[sizes[i]];
      random.nextBytes(bytes);
      Files.write(data.resolve(files[i]), bytes);
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    TrackerServer tracker = TrackerServer.start(group, InetAddress.getLoopbackAddress(), 0);
    MetaInfo meta =
        MetaInfo.parse(
            TorrentCreator.of(data)
                .pieceLength(pieceLength)
                .tracker(
                    (udp ? tracker.udpAnnounceUri() : tracker.httpAnnounceUri()).toString())
                .create());
    return new LoopbackSwarm(seedDir, data, group, tracker, meta);
  }

  /** The directory that holds the torrent's files (its name is {@code set}). */
  Path data() {
    return data;
  }

  MetaInfo meta() {
    return meta;
  }

  TrackerServer tracker() {
    return tracker;
  }

  /** The tracker's event loop group, for other Netty clients of a test. */
  EventLoopGroup group() {
    return group;
  }

  /** Closes {@code closeable} with the swarm. */
  <T extends AutoCloseable> T closeLater(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  /** A new client on 127.0.0.1, any port. */
  TorrentClient client() {
    return client(NetworkTransport.preferred());
  }

  /** A new client on 127.0.0.1, any port, on {@code transport}. */
  TorrentClient client(NetworkTransport transport) {
    return closeLater(
        TorrentClient.builder()
            .listenPort(0)
            .bindAddress(InetAddress.getLoopbackAddress())
            .transport(transport)
            .build());
  }

  /**
   * Starts {@code client} seeding the whole torrent from the seed directory, announcing to the
   * tracker or not, and waits until it seeds.
   */
  Download seed(TorrentClient client, boolean trackers) throws Exception {
    Download seeding =
        client.start(
            Torrent.of(meta)
                .withOptions(
                    DownloadOptions.defaults()
                        .withDirectory(seedDir)
                        .withSeed(true)
                        .withTrackers(trackers)),
            TorrentListener.NONE);
    assertThat(seeding.completion().get(1, TimeUnit.MINUTES).state())
        .isEqualTo(DownloadState.SEEDING);
    return seeding;
  }

  /** Closes the clients (and what else was handed to {@link #closeLater}), then the tracker. */
  void close() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    tracker.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
