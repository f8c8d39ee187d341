package org.functorrent.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.functorrent.Download;
import org.functorrent.DownloadOptions;
import org.functorrent.DownloadState;
import org.functorrent.DownloadStats;
import org.functorrent.PeerFaults;
import org.functorrent.TorrentFileStream;
import org.functorrent.TorrentListener;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.metainfo.TorrentFile;
import org.functorrent.peer.FilePriorities;
import org.functorrent.peer.Swarm;
import org.functorrent.peer.SwarmListener;
import org.functorrent.peer.SwarmStats;
import org.functorrent.storage.FilePriority;
import org.functorrent.storage.PieceSet;
import org.functorrent.storage.Storage;
import org.functorrent.storage.StorageOptions;
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

  /** Ticks between saves of the resume data while downloading, so a crash loses little. */
  private static final int FLUSH_TICKS = 30;

  /** Piece priorities in the swarm's picker (0 to 7): by file priority, and for streams. */
  private static final int SKIP_PIECE = 0;

  private static final int NORMAL_PIECE = 1;
  private static final int HIGH_PIECE = 4;
  private static final int STREAM_PIECE = 7;

  private final ClientContext context;
  private final MetaInfo meta;
  private final DownloadOptions options;
  private final SafeListener listener;
  private final EventLoop loop;
  private final CompletableFuture<DownloadStats> completion = new CompletableFuture<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final Map<Integer, CompletableFuture<Void>> pieceWaiters = new ConcurrentHashMap<>();

  // Confined to loop.
  private final FilePriority[] filePriority;
  // Piece priorities are 0..7, so a byte each; a torrent of many pieces stays small while idle.
  private final byte[] basePriority;
  /** How many open streams want each piece; allocated with the first stream. */
  private int[] streamDemand;
  private final byte[] appliedPriority;
  private final Map<Object, int[]> streamWindows = new HashMap<>();
  private Storage storage;
  private Swarm swarm;
  private AnnounceSession announces;
  private DhtLookups dhtLookups;
  private ScheduledFuture<?> ticker;
  private boolean stopping;
  private final TransferRates rates = new TransferRates();
  private int ticks;
  private boolean checked;
  private boolean paused;
  private CompletableFuture<Void> pauseDone = CompletableFuture.completedFuture(null);
  private boolean completedOnce;
  private long baseDownloaded;
  private long baseUploaded;
  private PeerFaults baseFaults = PeerFaults.NONE;
  /** The peers earlier swarms of this download banned; on the loop. */
  private Set<PeerId> bannedPeers = Set.of();

  private volatile DownloadStats snapshot;
  private volatile ImmutableList<FilePriority> priorities;
  private volatile Storage openedStorage;
  private volatile boolean terminated;

  public ActiveDownload(
      ClientContext context, MetaInfo meta, DownloadOptions options, TorrentListener listener) {
    this.context = context;
    this.meta = meta;
    this.options = options;
    this.listener = new SafeListener(listener, context.callbacks());
    this.loop = context.group().next();
    int files = meta.files().size();
    checkArgument(
        options.filePriorities().isEmpty() || options.filePriorities().size() == files,
        "file priorities: %s of them (expected: none or one per file, %s)",
        options.filePriorities().size(),
        files);
    this.filePriority = new FilePriority[files];
    Arrays.fill(filePriority, FilePriority.NORMAL);
    for (int i = 0; i < options.filePriorities().size(); i++) {
      filePriority[i] = checkNotNull(options.filePriorities().get(i), "file priority %s", i);
    }
    this.priorities = ImmutableList.copyOf(filePriority);
    this.basePriority = new byte[meta.pieceCount()];
    this.appliedPriority = new byte[meta.pieceCount()];
    computeBasePriorities();
    long wanted = wantedBytes();
    this.snapshot =
        new DownloadStats(
            DownloadState.CHECKING, 0, 0, 0, 0, 0, 0, meta.pieceCount(), meta.totalLength(),
            wanted, ImmutableMap.of(), wanted, PeerFaults.NONE);
  }

  /** Opens the storage and checks what is on disk, then joins the swarm. */
  public void start() {
    loop.execute(
        () -> {
          try {
            StorageOptions storageOptions =
                StorageOptions.defaults().withPriorities(ImmutableList.copyOf(filePriority));
            storage =
                Storages.fileSystem(meta, options.directory(), context.disk(), storageOptions);
            openedStorage = storage;
          } catch (RuntimeException e) {
            fail(e);
            return;
          }
          listener.call(l -> l.stateChanged(DownloadState.CHECKING));
          storage
              .checkExisting((checked, total) -> {})
              .whenCompleteAsync(
                  (verified, error) -> {
                    if (stopping) {
                      return; // stopped while checking: the storage closed under the check
                    }
                    if (error != null) {
                      fail(error);
                    } else {
                      checked = true;
                      if (!paused) {
                        joinSwarm(verified);
                      }
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
    rates.restart(System.nanoTime());
    Swarm current = swarm;
    if (!bannedPeers.isEmpty()) {
      current.ban(bannedPeers); // an earlier swarm's bans (paused, resumed) hold in this one
    }
    // A new swarm picks every piece at priority 1 until told otherwise; these tasks run on its
    // loop before any peer is dialled.
    Arrays.fill(appliedPriority, (byte) NORMAL_PIECE);
    applyPriorities();
    if (!streamWindows.isEmpty()) {
      current.setSequential(true);
    }
    DownloadState state = verified.isComplete() ? DownloadState.SEEDING : DownloadState.DOWNLOADING;
    publish(state);
    listener.call(l -> l.stateChanged(state));
    if (!options.peers().isEmpty()) {
      swarm.addPeers(options.peers());
      listener.call(l -> l.peersDiscovered(options.peers()));
    }
    if (announces != null) {
      announces.announceNow(); // a swarm restarted for more files: learn the peers again
    } else if (options.useTrackers() && !meta.trackerTiers().isEmpty()) {
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
    if (dhtLookups != null) {
      dhtLookups.lookupNow();
    } else if (context.dht().isPresent() && !meta.isPrivate()) {
      // BEP 27: a private torrent's peers come from its trackers only, never from the DHT.
      dhtLookups =
          new DhtLookups(context.dht().get(), meta.infoHash(), loop, context.listenPort(),
              () -> snapshot.state() == DownloadState.SEEDING, this::dhtPeers);
      dhtLookups.start();
    }
    if (ticker == null) {
      ticker =
          loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }
    current.completion().whenCompleteAsync((v, e) -> onSwarmComplete(current, e), loop);
  }

  private SwarmListener swarmListener() {
    return new SwarmListener() {
      @Override
      public void pieceVerified(int piece) {
        CompletableFuture<Void> waiter = pieceWaiters.remove(piece);
        if (waiter != null) {
          waiter.complete(null);
        }
        listener.call(l -> l.pieceVerified(piece));
      }

      @Override
      public void pieceFailed(int piece) {
        listener.call(l -> l.pieceFailed(piece));
      }

      @Override
      public void peerConnected(SocketAddress peer, PeerId peerId) {
        listener.call(l -> l.peerConnected(peer));
      }

      @Override
      public void peerDisconnected(SocketAddress peer, String reason) {
        listener.call(l -> l.peerDisconnected(peer, reason));
      }

      @Override
      public void peerBanned(SocketAddress peer) {
        log.info("{}: banned {} for sending bad data", meta.name(), peer);
      }

      @Override
      public void storageFailed(Throwable cause) {
        // The disk cannot take the data (full, read-only, failing): the download fails with the
        // storage's exception, which names the path; what was verified stays on disk.
        try {
          loop.execute(() -> {
            if (!stopping) {
              fail(cause);
            }
          });
        } catch (RejectedExecutionException e) {
          log.debug("{}: storage failed after the client closed: {}", meta.name(), cause.toString());
        }
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

  /** Peers the DHT found; on the loop. */
  private void dhtPeers(List<InetSocketAddress> peers) {
    if (swarm != null && !stopping) {
      swarm.addPeers(peers);
      listener.call(l -> l.peersDiscovered(peers));
    }
  }

  private void onSwarmComplete(Swarm completed, Throwable error) {
    if (stopping || completed != swarm) {
      return; // stopped, or a swarm closed by pause()
    }
    if (error != null) {
      fail(error);
      return;
    }
    if (completedOnce) {
      // Resumed after completion (seeding): no second "completed" to trackers or listener.
      publish(DownloadState.SEEDING);
      listener.call(l -> l.stateChanged(DownloadState.SEEDING));
      return;
    }
    completedOnce = true;
    swarm
        .stats()
        .whenCompleteAsync(
            (stats, e) -> {
              if (stats != null && completed == swarm) {
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
                shutdown(DownloadState.COMPLETED)
                    .whenComplete((v, x) -> completion.complete(snapshot));
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
    Swarm current = swarm;
    current
        .stats()
        .whenCompleteAsync(
            (stats, e) -> {
              if (stats != null && !stopping && current == swarm) {
                update(stats);
                DownloadStats now = snapshot;
                listener.call(l -> l.progress(now));
              }
            },
            loop);
  }

  private void update(SwarmStats stats) {
    rates.sample(System.nanoTime(), stats.downloadedBytes(), stats.uploadedBytes());
    DownloadStats previous = snapshot;
    snapshot =
        new DownloadStats(
            previous.state(),
            baseDownloaded + stats.downloadedBytes(),
            baseUploaded + stats.uploadedBytes(),
            rates.downloadRate(),
            rates.uploadRate(),
            stats.connectedPeers(),
            stats.verifiedPieces(),
            meta.pieceCount(),
            meta.totalLength(),
            bytesLeft(),
            announces == null ? previous.trackers() : announces.statuses(),
            wantedBytes(),
            baseFaults.plus(faults(stats)));
  }

  private static PeerFaults faults(SwarmStats stats) {
    return new PeerFaults(
        stats.wastedBytes(),
        stats.failedPieces(),
        stats.bannedPeers(),
        stats.nonReadingPeers(),
        stats.timedOutBlocks());
  }

  /** The bytes of wanted pieces not yet verified. */
  private long bytesLeft() {
    PieceSet verified = storage.verifiedPieces();
    long left = 0;
    for (int i = 0; i < basePriority.length; i++) {
      if (basePriority[i] > SKIP_PIECE && !verified.contains(i)) {
        left += meta.pieceSize(i);
      }
    }
    return left;
  }

  private long wantedBytes() {
    long wanted = 0;
    for (int i = 0; i < basePriority.length; i++) {
      if (basePriority[i] > SKIP_PIECE) {
        wanted += meta.pieceSize(i);
      }
    }
    return wanted;
  }

  /** Each piece takes the highest priority of the files it holds bytes of (padding aside). */
  private void computeBasePriorities() {
    List<Integer> values = new ArrayList<>(filePriority.length);
    for (FilePriority priority : filePriority) {
      values.add(
          switch (priority) {
            case SKIP -> SKIP_PIECE;
            case NORMAL -> NORMAL_PIECE;
            case HIGH -> HIGH_PIECE;
          });
    }
    int[] pieces = FilePriorities.toPiecePriorities(meta, values);
    for (int p = 0; p < pieces.length; p++) {
      basePriority[p] = (byte) pieces[p];
    }
  }

  /** Tells the swarm each piece priority that changed; streams raise pieces to the top. */
  private void applyPriorities() {
    Swarm current = swarm;
    for (int p = 0; p < basePriority.length; p++) {
      int value = streamDemand != null && streamDemand[p] > 0 ? STREAM_PIECE : basePriority[p];
      if (value != appliedPriority[p]) {
        appliedPriority[p] = (byte) value;
        if (current != null) {
          current.setPiecePriority(p, value);
        }
      }
    }
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
            rates.downloadRate(),
            rates.uploadRate(),
            swarm == null && state == DownloadState.PAUSED ? 0 : s.peers(),
            storage == null ? s.piecesHave() : storage.verifiedPieces().count(),
            s.pieceCount(),
            s.totalBytes(),
            storage == null ? s.bytesLeft() : bytesLeft(),
            s.trackers(),
            wantedBytes(),
            s.faults());
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
  public CompletableFuture<Void> pause() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (stopping) {
            // Completing or stopping: return once the download has settled in its final state.
            stopped.whenComplete((v, e) -> result.complete(null));
            return;
          }
          if (paused) {
            result.complete(null);
            return;
          }
          paused = true;
          Swarm old = swarm;
          if (old == null) { // still checking the data on disk
            publish(DownloadState.PAUSED);
            listener.call(l -> l.stateChanged(DownloadState.PAUSED));
            result.complete(null);
            return;
          }
          swarm = null;
          AnnounceSession oldAnnounces = announces;
          announces = null;
          if (dhtLookups != null) {
            dhtLookups.close();
            dhtLookups = null;
          }
          CompletableFuture<Void> peersDone = closeKeepingCounters(old);
          CompletableFuture<Void> trackersDone =
              oldAnnounces == null
                  ? CompletableFuture.completedFuture(null)
                  : oldAnnounces.closeAsync();
          pauseDone =
              CompletableFuture.allOf(peersDone, trackersDone)
                  .handle((v, e) -> null)
                  // Completed (or stopped) meanwhile: pause() returns once that has settled.
                  .thenCompose(v -> stopping ? stopped : storage.flush())
                  .handle((v, e) -> (Void) null)
                  .thenComposeAsync(
                      v -> {
                        if (stopping) {
                          // Completed or stopped while the flush ran: settle in that state.
                          return stopped;
                        }
                        rates.stop();
                        publish(DownloadState.PAUSED);
                        listener.call(l -> l.stateChanged(DownloadState.PAUSED));
                        return CompletableFuture.<Void>completedFuture(null);
                      },
                      loop);
          pauseDone.whenComplete((v, e) -> result.complete(null));
        });
    return result;
  }

  /**
   * Takes the last counters and the bans of {@code old} (a swarm no longer current) into the
   * download's, then closes it; the future completes once it is closed, whether the counters
   * came or not.
   */
  private CompletableFuture<Void> closeKeepingCounters(Swarm old) {
    CompletableFuture<Void> counters =
        old.stats()
            .thenAcceptAsync(
                stats -> {
                  update(stats);
                  baseDownloaded = snapshot.downloadedBytes();
                  baseUploaded = snapshot.uploadedBytes();
                  baseFaults = snapshot.faults();
                },
                loop);
    CompletableFuture<Void> bans =
        old.bannedPeers().thenAcceptAsync(banned -> bannedPeers = banned, loop);
    return CompletableFuture.allOf(counters, bans)
        .handle((v, e) -> null)
        .thenCompose(v -> old.closeAsync());
  }

  /**
   * A swarm that completed has let its seeds go; when a file becomes wanted after that, a new
   * swarm (same trackers) downloads it.
   */
  private void restartSwarm() {
    Swarm old = swarm;
    swarm = null;
    closeKeepingCounters(old)
        .whenCompleteAsync(
            (v, e) -> {
              if (!stopping && !paused && swarm == null) {
                joinSwarm(storage.verifiedPieces());
              }
            },
            loop);
  }

  @Override
  public CompletableFuture<Void> resume() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    loop.execute(
        () ->
            pauseDone.whenCompleteAsync(
                (v, e) -> {
                  if (stopping || !paused) {
                    result.complete(null);
                    return;
                  }
                  paused = false;
                  if (checked) {
                    joinSwarm(storage.verifiedPieces());
                  } else {
                    publish(DownloadState.CHECKING);
                    listener.call(l -> l.stateChanged(DownloadState.CHECKING));
                  }
                  result.complete(null);
                },
                loop));
    return result;
  }

  @Override
  public ImmutableList<FilePriority> filePriorities() {
    return priorities;
  }

  @Override
  public CompletableFuture<Void> setFilePriority(int fileIndex, FilePriority priority) {
    checkElementIndex(fileIndex, filePriority.length, "file");
    checkNotNull(priority, "priority");
    CompletableFuture<Void> result = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (stopping || storage == null) {
            result.completeExceptionally(
                new IllegalStateException("download: stopped (expected: running)"));
            return;
          }
          filePriority[fileIndex] = priority;
          priorities = ImmutableList.copyOf(filePriority);
          storage
              .setPriority(fileIndex, priority)
              .whenCompleteAsync(
                  (v, e) -> {
                    if (e != null) {
                      result.completeExceptionally(e);
                      return;
                    }
                    if (!stopping) {
                      computeBasePriorities();
                      applyPriorities();
                      publish(snapshot.state());
                      if (completedOnce && swarm != null && bytesLeft() > 0) {
                        restartSwarm();
                      }
                    }
                    result.complete(null);
                  },
                  loop);
        });
    return result;
  }

  @Override
  public TorrentFileStream openStream(int fileIndex) {
    checkElementIndex(fileIndex, filePriority.length, "file");
    checkArgument(
        priorities.get(fileIndex).isWanted(),
        "file %s: skipped (expected: a wanted file; setFilePriority first)",
        fileIndex);
    TorrentFile file = meta.files().get(fileIndex);
    Path path = options.directory();
    for (String segment : file.path()) {
      path = path.resolve(segment);
    }
    return new PieceStream(this, meta, fileIndex, file, path);
  }

  /** Raises pieces {@code from} to {@code to} for {@code stream}, replacing its last window. */
  void streamWindow(Object stream, int from, int to) {
    loop.execute(
        () -> {
          boolean first = streamWindows.isEmpty();
          moveDemand(streamWindows.put(stream, new int[] {from, to}), -1);
          moveDemand(new int[] {from, to}, 1);
          applyPriorities();
          if (first && swarm != null) {
            swarm.setSequential(true);
          }
        });
  }

  /** Gives the pieces of {@code stream}'s window their file priority back. */
  void streamClosed(Object stream) {
    loop.execute(
        () -> {
          int[] window = streamWindows.remove(stream);
          if (window == null) {
            return;
          }
          moveDemand(window, -1);
          applyPriorities();
          if (streamWindows.isEmpty() && swarm != null) {
            swarm.setSequential(false);
          }
        });
  }

  private void moveDemand(int[] window, int delta) {
    if (window != null) {
      if (streamDemand == null) {
        streamDemand = new int[basePriority.length];
      }
      for (int p = window[0]; p <= window[1]; p++) {
        streamDemand[p] += delta;
      }
    }
  }

  /** Blocks until {@code piece} is verified; fails once the download ended without it. */
  void awaitVerified(int piece) throws IOException {
    if (isVerified(piece)) {
      return;
    }
    CompletableFuture<Void> waiter =
        pieceWaiters.computeIfAbsent(piece, k -> new CompletableFuture<>());
    // Registered first, checked again: a piece verified in between is in the storage's set.
    if (isVerified(piece)) {
      return;
    }
    if (terminated) {
      throw new IOException(meta.name() + ": download ended before piece " + piece + " arrived");
    }
    try {
      waiter.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for piece " + piece);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    }
  }

  private boolean isVerified(int piece) {
    Storage s = openedStorage;
    return s != null && s.verifiedPieces().contains(piece);
  }

  /**
   * Reads verified bytes through storage; false if the download has ended and its storage is
   * closed, so the caller reads the file itself.
   */
  boolean readVerified(int piece, int offset, ByteBuffer dst) throws IOException {
    Storage s = openedStorage;
    if (terminated || s == null) {
      return false;
    }
    try {
      s.readBlock(piece, offset, dst).get();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted reading piece " + piece);
    } catch (ExecutionException | RuntimeException e) {
      if (terminated) {
        return false;
      }
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IOException(cause.getMessage(), cause);
    }
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
    if (dhtLookups != null) {
      dhtLookups.close();
      dhtLookups = null;
    }
    Storage openStorage = storage;
    Swarm openSwarm = swarm;
    CompletableFuture<Void> trackersDone =
        announces == null ? CompletableFuture.completedFuture(null) : announces.closeAsync();
    // The last counters first, so that stats() after stop() has the final numbers.
    CompletableFuture<Void> peersDone =
        openSwarm == null
            ? CompletableFuture.completedFuture(null)
            : openSwarm
                .stats()
                .thenAcceptAsync(this::update, loop)
                .handle((v, e) -> null)
                .thenCompose(v -> openSwarm.closeAsync());
    CompletableFuture.allOf(trackersDone, peersDone)
        .handle((v, e) -> null)
        .thenRunAsync(
            () -> {
              // Streams read the files themselves from now on, or fail if their piece is missing.
              terminated = true;
              closeStorage(openStorage);
              IOException ended = new IOException(meta.name() + ": download ended");
              pieceWaiters.values().forEach(w -> w.completeExceptionally(ended));
            },
            context.disk())
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
