package org.functorrent.internal;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.functorrent.Download;
import org.functorrent.DownloadOptions;
import org.functorrent.DownloadState;
import org.functorrent.DownloadStats;
import org.functorrent.PeerFaults;
import org.functorrent.TorrentFileStream;
import org.functorrent.TorrentListener;
import org.functorrent.common.TorrentException;
import org.functorrent.metainfo.MagnetUri;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.peer.MetadataFetch;
import org.functorrent.storage.FilePriority;
import org.functorrent.tracker.AnnounceSession;
import org.functorrent.tracker.TrackerListener;
import org.functorrent.tracker.TrackerStatus;
import org.functorrent.tracker.TransferStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A download that starts from a magnet link: first the metadata is fetched from peers (the
 * magnet's {@code tr} trackers are announced to with its info-hash, its {@code x.pe} peers and the
 * options' peers are dialled), then an {@link ActiveDownload} of the fetched torrent takes over
 * and this object forwards to it. The fetched metadata is saved as {@code
 * .functorrent/<info-hash>.torrent} in the download directory, and read from there by the next
 * start, which then skips the fetch. Its own state changes on one event loop.
 */
public final class MagnetDownload implements Download {
  private static final Logger log = LoggerFactory.getLogger(MagnetDownload.class);
  private static final long TICK_MILLIS = 1000;

  /** Where the fetched metadata is kept, inside the download directory (as storage does). */
  static final String STATE_DIRECTORY = ".functorrent";

  private final ClientContext context;
  private final MagnetUri magnet;
  private final DownloadOptions options;
  private final TorrentListener userListener;
  private final SafeListener listener;
  private final boolean fetchOnly;
  private final EventLoop loop;
  private final ImmutableList<ImmutableList<String>> tiers;
  private final CompletableFuture<MetaInfo> metadata = new CompletableFuture<>();
  private final CompletableFuture<DownloadStats> completion = new CompletableFuture<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();

  // Confined to loop.
  private MetadataFetch fetch;
  private AnnounceSession announces;
  private DhtLookups dhtLookups;
  private ScheduledFuture<?> ticker;
  private boolean paused;
  private boolean stopping;
  private final Set<InetSocketAddress> knownPeers = new LinkedHashSet<>();

  private volatile ActiveDownload active;
  private volatile DownloadStats snapshot;

  /**
   * @param fetchOnly only fetch the metadata: once it is in, the download stops (state {@link
   *     DownloadState#COMPLETED}) instead of downloading the torrent
   */
  public MagnetDownload(
      ClientContext context,
      MagnetUri magnet,
      DownloadOptions options,
      TorrentListener listener,
      boolean fetchOnly) {
    this.context = context;
    this.magnet = magnet;
    this.options = options;
    this.userListener = listener;
    this.listener = new SafeListener(listener, context.callbacks());
    this.fetchOnly = fetchOnly;
    this.loop = context.group().next();
    ImmutableList.Builder<ImmutableList<String>> t = ImmutableList.builder();
    // Each tr its own tier: every tracker of the link hears of us (BEP 12 tries one per tier).
    magnet.trackers().forEach(url -> t.add(ImmutableList.of(url)));
    this.tiers = t.build();
    this.snapshot = stats(DownloadState.FETCHING_METADATA, 0, ImmutableMap.of());
    knownPeers.addAll(options.peers());
    for (String peer : magnet.peers()) {
      InetSocketAddress a = peerAddress(peer);
      if (a != null) {
        knownPeers.add(a);
      }
    }
  }

  /** {@code host:port} or {@code [v6]:port} of an {@code x.pe}; null if it does not resolve. */
  private static InetSocketAddress peerAddress(String peer) {
    int colon = peer.lastIndexOf(':');
    String host = peer.substring(0, colon).replace("[", "").replace("]", "");
    int port = Integer.parseInt(peer.substring(colon + 1));
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException | IllegalArgumentException e) {
      log.info("magnet x.pe {}: {}", peer, e.toString());
      return null;
    }
  }

  private DownloadStats stats(
      DownloadState state, int peers, ImmutableMap<URI, TrackerStatus> trackers) {
    return new DownloadStats(state, 0, 0, 0, 0, peers, 0, 0, 0, 0, trackers, 0, PeerFaults.NONE);
  }

  private Path savedTorrent() {
    return options.directory().resolve(STATE_DIRECTORY).resolve(magnet.infoHash().toHex()
        + ".torrent");
  }

  /** Reads the metadata saved by an earlier run, or starts fetching it. */
  public void start() {
    CompletableFuture.supplyAsync(this::readSaved, context.disk())
        .whenCompleteAsync(
            (saved, e) -> {
              if (stopping) {
                return;
              }
              listener.call(l -> l.stateChanged(DownloadState.FETCHING_METADATA));
              if (saved != null) {
                log.info("{}: metadata read from {}", magnet.infoHash(), savedTorrent());
                metadataReady(saved, false);
              } else if (!paused) {
                beginFetch();
              }
            },
            loop);
  }

  private MetaInfo readSaved() {
    Path file = savedTorrent();
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      MetaInfo meta = MetaInfo.parse(file);
      return meta.infoHash().equals(magnet.infoHash()) ? meta : null;
    } catch (TorrentException e) {
      log.info("{}: ignoring {}: {}", magnet.infoHash(), file, e.getMessage());
      return null;
    }
  }

  private void beginFetch() {
    try {
      fetch = context.peers().fetchMetadata(magnet.infoHash(), tiers);
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    MetadataFetch current = fetch;
    current.addPeers(new ArrayList<>(knownPeers));
    if (!knownPeers.isEmpty()) {
      List<InetSocketAddress> given = List.copyOf(knownPeers);
      listener.call(l -> l.peersDiscovered(given));
    }
    if (options.useTrackers() && !tiers.isEmpty()) {
      announces =
          AnnounceSession.builder(context.trackers(), magnet.infoHash(),
                  context.peers().peerId())
              .tiers(tiers)
              .port(context.listenPort())
              // The size is unknown: announce one byte left, so trackers count us as a leecher.
              .stats(() -> TransferStats.of(0, 0, 1))
              .listener(trackerListener())
              .listenerExecutor(context.callbacks())
              .eventLoop(loop)
              .start();
    }
    if (context.dht().isPresent()) {
      // Not private as far as we know: the metadata will say, and the download then decides.
      dhtLookups =
          new DhtLookups(context.dht().get(), magnet.infoHash(), loop, 0, () -> false,
              this::dhtPeers);
      dhtLookups.start();
    }
    if (ticker == null) {
      ticker = loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS,
          TimeUnit.MILLISECONDS);
    }
    current
        .metaInfo()
        .whenCompleteAsync(
            (meta, e) -> {
              if (current != fetch || stopping) {
                return; // paused or stopped meanwhile
              }
              if (e != null) {
                Throwable cause = e instanceof CompletionException ? e.getCause() : e;
                if (!(cause instanceof CancellationException)) {
                  fail(cause);
                }
                return;
              }
              knownPeers.addAll(current.peers());
              fetch = null;
              metadataReady(meta, true);
            },
            loop);
  }

  /** Peers the DHT found; on the loop. */
  private void dhtPeers(List<InetSocketAddress> peers) {
    if (fetch != null && !stopping) {
      knownPeers.addAll(peers);
      fetch.addPeers(peers);
      listener.call(l -> l.peersDiscovered(peers));
    }
  }

  private TrackerListener trackerListener() {
    return new TrackerListener() {
      @Override
      public void statusChanged(URI tracker, TrackerStatus status) {
        listener.call(l -> l.trackerStatusChanged(tracker, status));
      }

      @Override
      public void peersDiscovered(URI tracker, List<InetSocketAddress> peers) {
        loop.execute(
            () -> {
              knownPeers.addAll(peers);
              if (fetch != null) {
                fetch.addPeers(peers);
              }
            });
        listener.call(l -> l.peersDiscovered(peers));
      }
    };
  }

  private void tick() {
    if (fetch == null || stopping) {
      return;
    }
    snapshot =
        stats(snapshot.state(), fetch.connectedPeers(),
            announces == null ? ImmutableMap.of() : announces.statuses());
    DownloadStats now = snapshot;
    listener.call(l -> l.progress(now));
  }

  private CompletableFuture<Void> closeFetchPhase() {
    if (ticker != null) {
      ticker.cancel(false);
      ticker = null;
    }
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    if (fetch != null) {
      knownPeers.addAll(fetch.peers());
      closing.add(fetch.closeAsync());
      fetch = null;
    }
    if (announces != null) {
      closing.add(announces.closeAsync());
      announces = null;
    }
    if (dhtLookups != null) {
      dhtLookups.close();
      dhtLookups = null;
    }
    return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
        .handle((v, e) -> null);
  }

  private void metadataReady(MetaInfo meta, boolean fetched) {
    log.info("{}: metadata for {} ({} pieces, {} bytes)", magnet.infoHash(), meta.name(),
        meta.pieceCount(), meta.totalLength());
    listener.call(l -> l.metadataReceived(meta));
    CompletableFuture<Void> saved =
        fetched
            ? CompletableFuture.runAsync(() -> save(meta), context.disk())
            : CompletableFuture.completedFuture(null);
    // The trackers hear "stopped" for the fetch; the download announces "started" afresh.
    CompletableFuture<Void> closed = closeFetchPhase();
    if (fetchOnly) {
      metadata.complete(meta);
      CompletableFuture.allOf(saved, closed)
          .handle((v, e) -> null)
          .thenRunAsync(() -> finish(DownloadState.COMPLETED), loop);
      return;
    }
    ActiveDownload download;
    try {
      List<InetSocketAddress> peers = new ArrayList<>(knownPeers);
      download =
          new ActiveDownload(context, meta, options.withPeers(peers), userListener);
    } catch (RuntimeException e) {
      metadata.complete(meta);
      fail(e);
      return;
    }
    download.completion().whenComplete((s, e) -> {
      if (e != null) {
        completion.completeExceptionally(e instanceof CompletionException ? e.getCause() : e);
      } else {
        completion.complete(s);
      }
    });
    download.stopped().whenComplete((v, e) -> stopped.complete(null));
    // Started once the fetch's connections are closed, so peers see one connection from us.
    closed.whenCompleteAsync(
        (v, e) -> {
          if (stopping) {
            return; // stopped while the fetch closed: the download never starts
          }
          active = download;
          metadata.complete(meta);
          download.start();
          if (paused) {
            download.pause();
          }
        },
        loop);
  }

  /** Saves the metadata as a .torrent so that the next start need not fetch it. */
  private void save(MetaInfo meta) {
    Path file = savedTorrent();
    try {
      Files.createDirectories(file.getParent());
      Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(temporary, meta.encoded());
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      log.warn("{}: could not save the metadata to {}: {}", magnet.infoHash(), file,
          e.toString());
    }
  }

  private void fail(Throwable cause) {
    log.warn("{}: failed: {}", magnet.infoHash(), cause.toString());
    listener.call(l -> l.failed(cause));
    metadata.completeExceptionally(cause);
    closeFetchPhase().thenRunAsync(() -> {
      finish(DownloadState.FAILED);
      completion.completeExceptionally(cause);
    }, loop);
  }

  private void finish(DownloadState state) {
    if (stopped.isDone()) {
      return;
    }
    stopping = true;
    snapshot = stats(state, 0, snapshot.trackers());
    listener.call(l -> l.stateChanged(state));
    stopped.complete(null);
  }

  // ---------------------------------------------------------------- Download

  @Override
  public MetaInfo metaInfo() {
    ActiveDownload a = active;
    if (a == null) {
      throw new IllegalStateException(
          magnet.infoHash().toHex() + ": metadata not received yet (expected: after"
              + " metadata() completes)");
    }
    return a.metaInfo();
  }

  @Override
  public CompletableFuture<MetaInfo> metadata() {
    return metadata.copy();
  }

  @Override
  public CompletableFuture<DownloadStats> completion() {
    return completion;
  }

  @Override
  public DownloadStats stats() {
    ActiveDownload a = active;
    return a != null ? a.stats() : snapshot;
  }

  @Override
  public void reannounce() {
    loop.execute(
        () -> {
          if (active != null) {
            active.reannounce();
          } else if (announces != null) {
            announces.announceNow();
          }
        });
  }

  @Override
  public CompletableFuture<Void> pause() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (active != null) {
            active.pause().whenComplete((v, e) -> result.complete(null));
            return;
          }
          if (stopping || paused) {
            result.complete(null);
            return;
          }
          paused = true;
          closeFetchPhase()
              .whenCompleteAsync(
                  (v, e) -> {
                    if (!stopping && active == null) {
                      snapshot = stats(DownloadState.PAUSED, 0, ImmutableMap.of());
                      listener.call(l -> l.stateChanged(DownloadState.PAUSED));
                    }
                    result.complete(null);
                  },
                  loop);
        });
    return result;
  }

  @Override
  public CompletableFuture<Void> resume() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (active != null) {
            active.resume().whenComplete((v, e) -> result.complete(null));
            return;
          }
          if (stopping || !paused) {
            result.complete(null);
            return;
          }
          paused = false;
          snapshot = stats(DownloadState.FETCHING_METADATA, 0, ImmutableMap.of());
          listener.call(l -> l.stateChanged(DownloadState.FETCHING_METADATA));
          beginFetch();
          result.complete(null);
        });
    return result;
  }

  @Override
  public ImmutableList<FilePriority> filePriorities() {
    ActiveDownload a = active;
    return a != null ? a.filePriorities() : options.filePriorities();
  }

  @Override
  public CompletableFuture<Void> setFilePriority(int fileIndex, FilePriority priority) {
    ActiveDownload a = active;
    if (a == null) {
      throw new IllegalStateException(
          magnet.infoHash().toHex() + ": metadata not received yet (expected: after"
              + " metadata() completes)");
    }
    return a.setFilePriority(fileIndex, priority);
  }

  @Override
  public TorrentFileStream openStream(int fileIndex) {
    ActiveDownload a = active;
    if (a == null) {
      throw new IllegalStateException(
          magnet.infoHash().toHex() + ": metadata not received yet (expected: after"
              + " metadata() completes)");
    }
    return a.openStream(fileIndex);
  }

  @Override
  public CompletableFuture<Void> stop() {
    loop.execute(
        () -> {
          if (active != null) {
            active.stop();
            return;
          }
          if (stopping) {
            return;
          }
          stopping = true;
          CancellationException stop = new CancellationException("download stopped");
          metadata.completeExceptionally(stop);
          closeFetchPhase()
              .thenRunAsync(
                  () -> {
                    snapshot = stats(DownloadState.STOPPED, 0, snapshot.trackers());
                    listener.call(l -> l.stateChanged(DownloadState.STOPPED));
                    completion.completeExceptionally(stop);
                    stopped.complete(null);
                  },
                  loop);
        });
    return stopped;
  }

  /** Completes once the download has stopped for whatever reason. */
  public CompletableFuture<Void> stopped() {
    return stopped;
  }
}
