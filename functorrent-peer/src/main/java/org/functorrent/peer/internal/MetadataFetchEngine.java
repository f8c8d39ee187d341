package org.functorrent.peer.internal;

import com.google.common.collect.ImmutableList;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.functorrent.common.TorrentException;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.MetadataFetch;
import org.functorrent.peer.PeerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network side of a {@link MetadataFetch}: dials the known addresses, takes the incoming
 * connections the client routes here, and runs a {@link MetadataFetcher} over them. Its state is
 * confined to one event loop; {@link MetadataConnection}s (which may live on other loops) hand it
 * their events as tasks.
 */
public final class MetadataFetchEngine implements MetadataFetch {
  private static final Logger log = LoggerFactory.getLogger(MetadataFetchEngine.class);
  private static final long TICK_MILLIS = 1000;
  private static final long MAX_BACKOFF_NANOS = TimeUnit.MINUTES.toNanos(2);

  private final ClientCore client;
  private final PeerOptions options;
  private final InfoHash infoHash;
  private final ImmutableList<ImmutableList<String>> trackerTiers;
  private final EventLoop loop;
  private final MetadataFetcher<MetadataConnection> fetcher;
  private final CompletableFuture<MetaInfo> result = new CompletableFuture<>();
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();

  // Confined to loop.
  private final Map<InetSocketAddress, Entry> known = new LinkedHashMap<>();
  private final Set<Channel> channels = new HashSet<>();
  private final Dialer dialer;
  private final Set<MetadataConnection> ready = new HashSet<>();
  private final Set<PeerId> bannedIds = ConcurrentHashMap.newKeySet();
  private ScheduledFuture<?> ticker;
  private volatile boolean closed;
  private volatile boolean done;

  private volatile List<InetSocketAddress> peerSnapshot = List.of();
  private volatile int connected;

  private static final class Entry {
    final InetSocketAddress address;
    int failures;
    long nextAttemptNanos;
    boolean busy;
    boolean banned;

    Entry(InetSocketAddress address) {
      this.address = address;
    }
  }

  MetadataFetchEngine(
      ClientCore client, InfoHash infoHash, List<? extends List<String>> trackerTiers) {
    this.client = client;
    this.options = client.options();
    this.infoHash = infoHash;
    ImmutableList.Builder<ImmutableList<String>> tiers = ImmutableList.builder();
    trackerTiers.forEach(t -> tiers.add(ImmutableList.copyOf(t)));
    this.trackerTiers = tiers.build();
    this.loop = client.group().next();
    this.dialer = new Dialer(client, loop, channels, false);
    this.fetcher =
        new MetadataFetcher<>(
            infoHash,
            options.maxMetadataSize(),
            options.blockTimeout().toNanos(),
            new MetadataFetcher.Actions<>() {
              @Override
              public void request(MetadataConnection peer, int piece) {
                peer.sendRequest(piece);
              }

              @Override
              public void ban(MetadataConnection peer, String reason) {
                banned(peer, reason);
              }

              @Override
              public void completed(byte[] metadata) {
                metadataCompleted(metadata);
              }
            });
  }

  void start() {
    execute(
        () ->
            ticker =
                loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS,
                    TimeUnit.MILLISECONDS));
  }

  @Override
  public InfoHash infoHash() {
    return infoHash;
  }

  ClientCore client() {
    return client;
  }

  PeerOptions options() {
    return options;
  }

  @Override
  public void addPeers(Collection<InetSocketAddress> peers) {
    List<InetSocketAddress> copy = List.copyOf(peers);
    execute(
        () -> {
          for (InetSocketAddress a : copy) {
            learn(a);
          }
          connectMore();
        });
  }

  private void learn(InetSocketAddress a) {
    if (a.getPort() > 0 && !a.isUnresolved() && !known.containsKey(a)) {
      known.put(a, new Entry(a));
      publishPeers();
    }
  }

  private void publishPeers() {
    List<InetSocketAddress> list = new ArrayList<>();
    for (Entry e : known.values()) {
      if (!e.banned) {
        list.add(e.address);
      }
    }
    peerSnapshot = List.copyOf(list);
  }

  @Override
  public CompletableFuture<MetaInfo> metaInfo() {
    return result.copy();
  }

  @Override
  public List<InetSocketAddress> peers() {
    return peerSnapshot;
  }

  @Override
  public int connectedPeers() {
    return connected;
  }

  private void execute(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("event loop shut down; dropped a task");
    }
  }

  // ---------------------------------------------------------------- connections

  private void tick() {
    if (closed) {
      return;
    }
    fetcher.tick(client.nanoTime());
    connectMore();
  }

  private void connectMore() {
    if (closed || fetcher.isDone()) {
      return;
    }
    long now = client.nanoTime();
    for (Entry e : known.values()) {
      if (channels.size() >= options.maxPeersPerTorrent()) {
        return;
      }
      if (!e.busy && !e.banned && e.failures < options.maxConnectFailures()
          && now - e.nextAttemptNanos >= 0) {
        connect(e);
      }
    }
  }

  private void connect(Entry entry) {
    entry.busy = true;
    dialer.dial(
        entry.address,
        () -> new MetadataConnection(this, true),
        (handler, dialedNanos) -> {
          entry.busy = false;
          if (handler == null || !handler.wasUseful()) {
            entry.failures++;
          }
          entry.nextAttemptNanos =
              dialer.nextAttemptNanos(dialedNanos, entry.failures, MAX_BACKOFF_NANOS);
        });
  }

  /** An incoming connection for this info-hash passed its handshake (called on any loop). */
  void adopt(Channel ch) {
    execute(
        () -> {
          if (closed) {
            ch.close();
            return;
          }
          channels.add(ch);
          ch.closeFuture().addListener(x -> execute(() -> channels.remove(ch)));
        });
  }

  // ---------------------------------------------------------------- events from connections

  /** The peer's handshake named us: false refuses it (banned, or the fetch is over). */
  boolean mayAccept(PeerId peerId) {
    return !closed && !done && !bannedIds.contains(peerId);
  }

  void peerReady(MetadataConnection c, long metadataSize, InetSocketAddress listenAddress) {
    execute(
        () -> {
          if (closed || bannedIds.contains(c.peerId())) {
            c.close("fetch closed or peer banned");
            return;
          }
          if (listenAddress != null) {
            learn(listenAddress);
          }
          String refused = fetcher.peerReady(c, metadataSize, client.nanoTime());
          if (refused != null) {
            c.close(refused);
            return;
          }
          ready.add(c);
          connected = ready.size();
        });
  }

  void dataReceived(MetadataConnection c, MetadataMessage.Data data) {
    execute(
        () ->
            fetcher.data(c, data.piece(), data.totalSize(), data.bytes(), client.nanoTime()));
  }

  void rejectReceived(MetadataConnection c, int piece) {
    execute(() -> fetcher.rejected(c, piece, client.nanoTime()));
  }

  void connectionClosed(MetadataConnection c) {
    execute(
        () -> {
          if (ready.remove(c)) {
            connected = ready.size();
          }
          fetcher.peerGone(c, client.nanoTime());
        });
  }

  private void banned(MetadataConnection c, String reason) {
    log.info("{}: banned {} ({}): {}", infoHash, c.remoteAddress(), c.peerId(), reason);
    bannedIds.add(c.peerId());
    if (c.remoteAddress() instanceof InetSocketAddress a) {
      for (Entry e : known.values()) {
        if (e.address.equals(a) || e.address.equals(c.listenAddress())) {
          e.banned = true;
        }
      }
      publishPeers();
    }
    ready.remove(c);
    connected = ready.size();
    c.close("banned: " + reason);
  }

  private void metadataCompleted(byte[] metadata) {
    done = true;
    log.info("{}: metadata complete ({} bytes)", infoHash, metadata.length);
    MetaInfo meta;
    try {
      meta = MetaInfo.fromInfoDictionary(metadata, trackerTiers);
    } catch (TorrentException e) {
      log.warn("{}: the metadata matches the info-hash but is not a torrent we can open: {}",
          infoHash, e.getMessage());
      result.completeExceptionally(e);
      closeOnLoop();
      return;
    }
    result.complete(meta);
    closeOnLoop();
  }

  // ---------------------------------------------------------------- closing

  @Override
  public CompletableFuture<Void> closeAsync() {
    client.removeFetch(this);
    try {
      loop.execute(this::closeOnLoop);
    } catch (RejectedExecutionException e) {
      closeFuture.complete(null);
      result.completeExceptionally(new CancellationException("metadata fetch closed"));
    }
    return closeFuture.copy();
  }

  private void closeOnLoop() {
    if (closed) {
      return;
    }
    closed = true;
    client.removeFetch(this);
    if (ticker != null) {
      ticker.cancel(false);
    }
    result.completeExceptionally(new CancellationException("metadata fetch closed"));
    // The connections tell of their close by tasks on this loop, which run after this.
    ready.clear();
    connected = 0;
    // Incoming channels stay on the loops that accepted them: closeAll counts from any thread.
    dialer.closeAll(closeFuture);
  }

  @Override
  public void close() {
    try {
      closeAsync().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException | ExecutionException e) {
      log.warn("{}: close did not finish: {}", infoHash, e.toString());
    }
  }

  @Override
  public String toString() {
    return "MetadataFetch[" + infoHash + "]";
  }
}
