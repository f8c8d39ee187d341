package org.functorrent.internal;

import com.google.common.collect.ImmutableMap;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.functorrent.Download;
import org.functorrent.DownloadOptions;
import org.functorrent.DownloadState;
import org.functorrent.DownloadStats;
import org.functorrent.TorrentListener;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.peer.Swarm;
import org.functorrent.peer.SwarmListener;
import org.functorrent.peer.SwarmStats;
import org.functorrent.storage.PieceSet;
import org.functorrent.storage.Storage;
import org.functorrent.storage.Storages;
import org.functorrent.tracker.AnnounceSession;
import org.functorrent.tracker.TrackerListener;
import org.functorrent.tracker.TrackerStatus;
import org.functorrent.tracker.TransferStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running torrent: storage checked, then a swarm of peers fed by the trackers, until every
 * piece is verified. Its state changes on one event loop; {@link #stats()} reads a snapshot.
 */
public final class ActiveDownload implements Download {
  private static final Logger log = LoggerFactory.getLogger(ActiveDownload.class);
  private static final long TICK_MILLIS = 1000;
  private static final double RATE_SMOOTHING = 0.5;

  /** Ticks between saves of the resume data while downloading, so a crash loses little. */
  private static final int FLUSH_TICKS = 30;

  private final ClientContext context;
  private final MetaInfo meta;
  private final DownloadOptions options;
  private final SafeListener listener;
  private final EventLoop loop;
  private final CompletableFuture<DownloadStats> completion = new CompletableFuture<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();

  // Confined to loop.
  private Storage storage;
  private Swarm swarm;
  private AnnounceSession announces;
  private ScheduledFuture<?> ticker;
  private boolean stopping;
  private SwarmStats lastSwarm;
  private long downloadRate;
  private long uploadRate;
  private int ticks;

  private volatile DownloadStats snapshot;

  public ActiveDownload(
      ClientContext context, MetaInfo meta, DownloadOptions options, TorrentListener listener) {
    this.context = context;
    this.meta = meta;
    this.options = options;
    this.listener = new SafeListener(listener, context.callbacks());
    this.loop = context.group().next();
    this.snapshot =
        new DownloadStats(
            DownloadState.CHECKING, 0, 0, 0, 0, 0, 0, meta.pieceCount(), meta.totalLength(),
            meta.totalLength(), ImmutableMap.of());
  }

  /** Opens the storage and checks what is on disk, then joins the swarm. */
  public void start() {
    loop.execute(
        () -> {
          try {
            storage = Storages.fileSystem(meta, options.directory(), context.disk());
          } catch (RuntimeException e) {
            fail(e);
            return;
          }
          listener.call(l -> l.stateChanged(DownloadState.CHECKING));
          storage
              .checkExisting((checked, total) -> {})
              .whenCompleteAsync(
                  (verified, error) -> {
                    if (error != null) {
                      fail(error);
                    } else if (!stopping) {
                      joinSwarm(verified);
                    }
                  },
                  loop);
        });
  }

  private void joinSwarm(PieceSet verified) {
    log.info("{}: {} of {} pieces on disk", meta.name(), verified.count(), meta.pieceCount());
    swarm =
        context
            .peers()
            .addTorrent(meta, new StoragePieceStore(storage), verified.toBitSet(), swarmListener());
    DownloadState state = verified.isComplete() ? DownloadState.SEEDING : DownloadState.DOWNLOADING;
    publish(state);
    listener.call(l -> l.stateChanged(state));
    if (!options.peers().isEmpty()) {
      swarm.addPeers(options.peers());
      listener.call(l -> l.peersDiscovered(options.peers()));
    }
    if (options.useTrackers() && !meta.trackerTiers().isEmpty()) {
      announces =
          AnnounceSession.builder(context.trackers(), meta.infoHash(), context.peers().peerId())
              .tiers(meta.trackerTiers())
              .port(context.listenPort())
              .stats(this::transferStats)
              .listener(trackerListener())
              .listenerExecutor(context.callbacks())
              .eventLoop(loop)
              .start();
    }
    ticker = loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    swarm.completion().whenCompleteAsync((v, e) -> onSwarmComplete(e), loop);
  }

  private SwarmListener swarmListener() {
    return new SwarmListener() {
      @Override
      public void pieceVerified(int piece) {
        listener.call(l -> l.pieceVerified(piece));
      }

      @Override
      public void pieceFailed(int piece) {
        listener.call(l -> l.pieceFailed(piece));
      }

      @Override
      public void peerBanned(SocketAddress peer) {
        log.info("{}: banned {} for sending bad data", meta.name(), peer);
      }
    };
  }

  private TrackerListener trackerListener() {
    return new TrackerListener() {
      @Override
      public void statusChanged(URI tracker, TrackerStatus status) {
        listener.call(l -> l.trackerStatusChanged(tracker, status));
      }

      @Override
      public void peersDiscovered(URI tracker, List<InetSocketAddress> peers) {
        Swarm current = swarm;
        if (current != null) {
          current.addPeers(peers);
        }
        listener.call(l -> l.peersDiscovered(peers));
      }
    };
  }

  private void onSwarmComplete(Throwable error) {
    if (stopping) {
      return;
    }
    if (error != null) {
      fail(error);
      return;
    }
    swarm
        .stats()
        .whenCompleteAsync(
            (stats, e) -> {
              if (stats != null) {
                update(stats);
              }
              if (announces != null) {
                announces.completed();
              }
              DownloadStats done = snapshot;
              listener.call(l -> l.completed(done));
              if (options.seed()) {
                publish(DownloadState.SEEDING);
                listener.call(l -> l.stateChanged(DownloadState.SEEDING));
                completion.complete(snapshot);
              } else {
                shutdown(DownloadState.COMPLETED).whenComplete((v, x) -> completion.complete(snapshot));
              }
            },
            loop);
  }

  private void tick() {
    if (swarm == null || stopping) {
      return;
    }
    if (++ticks % FLUSH_TICKS == 0 && snapshot.state() == DownloadState.DOWNLOADING) {
      storage
          .flush()
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  log.warn("{}: saving resume data: {}", meta.name(), e.toString());
                }
              });
    }
    swarm
        .stats()
        .whenCompleteAsync(
            (stats, e) -> {
              if (stats != null && !stopping) {
                update(stats);
                DownloadStats now = snapshot;
                listener.call(l -> l.progress(now));
              }
            },
            loop);
  }

  private void update(SwarmStats stats) {
    if (lastSwarm != null) {
      long down = (stats.downloadedBytes() - lastSwarm.downloadedBytes()) * 1000 / TICK_MILLIS;
      long up = (stats.uploadedBytes() - lastSwarm.uploadedBytes()) * 1000 / TICK_MILLIS;
      downloadRate = (long) (RATE_SMOOTHING * down + (1 - RATE_SMOOTHING) * downloadRate);
      uploadRate = (long) (RATE_SMOOTHING * up + (1 - RATE_SMOOTHING) * uploadRate);
    }
    lastSwarm = stats;
    DownloadStats previous = snapshot;
    snapshot =
        new DownloadStats(
            previous.state(),
            stats.downloadedBytes(),
            stats.uploadedBytes(),
            downloadRate,
            uploadRate,
            stats.connectedPeers(),
            stats.verifiedPieces(),
            meta.pieceCount(),
            meta.totalLength(),
            bytesLeft(),
            announces == null ? ImmutableMap.of() : announces.statuses());
  }

  private long bytesLeft() {
    PieceSet verified = storage.verifiedPieces();
    long have = verified.stream().mapToLong(meta::pieceSize).sum();
    return meta.totalLength() - have;
  }

  private TransferStats transferStats() {
    DownloadStats now = snapshot;
    return TransferStats.of(now.uploadedBytes(), now.downloadedBytes(), now.bytesLeft());
  }

  private void publish(DownloadState state) {
    DownloadStats s = snapshot;
    snapshot =
        new DownloadStats(
            state,
            s.downloadedBytes(),
            s.uploadedBytes(),
            s.downloadRate(),
            s.uploadRate(),
            s.peers(),
            s.piecesHave(),
            s.pieceCount(),
            s.totalBytes(),
            storage == null ? s.bytesLeft() : bytesLeft(),
            s.trackers());
  }

  private void fail(Throwable error) {
    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
    log.warn("{}: failed: {}", meta.name(), cause.toString());
    listener.call(l -> l.failed(cause));
    shutdown(DownloadState.FAILED).whenComplete((v, e) -> completion.completeExceptionally(cause));
  }

  @Override
  public MetaInfo metaInfo() {
    return meta;
  }

  @Override
  public CompletableFuture<DownloadStats> completion() {
    return completion;
  }

  @Override
  public DownloadStats stats() {
    return snapshot;
  }

  @Override
  public void reannounce() {
    loop.execute(
        () -> {
          if (announces != null && !stopping) {
            announces.announceNow();
          }
        });
  }

  @Override
  public CompletableFuture<Void> stop() {
    loop.execute(
        () ->
            shutdown(DownloadState.STOPPED)
                .whenComplete(
                    (v, e) ->
                        completion.completeExceptionally(
                            new CancellationException("download stopped"))));
    return stopped;
  }

  /** Completes once the download has stopped for whatever reason. */
  public CompletableFuture<Void> stopped() {
    return stopped;
  }

  private void closeStorage(Storage storage) {
    if (storage != null) {
      try {
        storage.close();
      } catch (RuntimeException e) {
        log.warn("{}: closing storage: {}", meta.name(), e.toString());
      }
    }
  }

  /** Stops trackers, peers and storage, in that order; runs on the loop, once. */
  private CompletableFuture<Void> shutdown(DownloadState finalState) {
    if (stopping) {
      return stopped;
    }
    stopping = true;
    if (ticker != null) {
      ticker.cancel(false);
    }
    Storage openStorage = storage;
    CompletableFuture<Void> trackersDone =
        announces == null ? CompletableFuture.completedFuture(null) : announces.closeAsync();
    // The last counters first, so that stats() after stop() has the final numbers.
    CompletableFuture<Void> peersDone =
        swarm == null
            ? CompletableFuture.completedFuture(null)
            : swarm
                .stats()
                .thenAcceptAsync(this::update, loop)
                .handle((v, e) -> null)
                .thenCompose(v -> swarm.closeAsync());
    CompletableFuture.allOf(trackersDone, peersDone)
        .handle((v, e) -> null)
        .thenRunAsync(() -> closeStorage(openStorage), context.disk())
        .handle((v, e) -> null)
        .thenRunAsync(
            () -> {
              publish(finalState);
              listener.call(l -> l.stateChanged(finalState));
              stopped.complete(null);
            },
            loop);
    return stopped;
  }
}
