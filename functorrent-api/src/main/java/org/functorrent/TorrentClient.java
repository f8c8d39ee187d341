package org.functorrent;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.util.concurrent.MoreExecutors;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.functorrent.dht.DhtNode;
import org.functorrent.dht.DhtOptions;
import org.functorrent.internal.ActiveDownload;
import org.functorrent.internal.ClientContext;
import org.functorrent.internal.MagnetDownload;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.PeerClient;
import org.functorrent.peer.PeerOptions;
import org.functorrent.storage.Storages;
import org.functorrent.tracker.TrackerClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs torrents: one listen port, one set of network threads, one disk pool and one callback
 * thread shared by every torrent it starts. Build one with {@link #builder()}; {@link
 * Torrent#start} uses {@link #defaultClient()}. {@link #close()} stops every download and leaves
 * no thread, socket or open file behind.
 *
 * <p>A client runs no DHT unless its builder turns one on with {@link Builder#dht}: by default
 * peers come from trackers, magnet links, PEX and the application only.
 */
public final class TorrentClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TorrentClient.class);
  private static final Object DEFAULT_LOCK = new Object();
  private static TorrentClient defaultClient;

  private final NetworkTransport transport;
  private final EventLoopGroup group;
  private final Executor disk;
  private final Executor callbacks;
  /** The executors this client made, and so shuts down; the application's are left alone. */
  private final List<ExecutorService> ownExecutors = new ArrayList<>();
  private final OwnThreads threads = new OwnThreads();
  private final TrackerClient trackers;
  private final PeerClient peers;
  private final InetSocketAddress listenAddress;
  private final DhtNode dht;
  private final Set<Download> downloads = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private TorrentClient(Builder builder) {
    transport = builder.transport != null ? builder.transport : NetworkTransport.preferred();
    if (!transport.isAvailable()) {
      Throwable cause = transport.unavailabilityCause();
      throw new TorrentClientException(
          "cannot start the client: the " + transport + " transport cannot run here: " + cause,
          cause);
    }
    group =
        new MultiThreadIoEventLoopGroup(
            builder.networkThreads,
            threads.named("functorrent-net"),
            transport.ioHandlerFactory());
    disk =
        builder.diskExecutor != null
            ? builder.diskExecutor
            : own(Storages.newExecutor(threads.named("functorrent-storage")));
    // Listener calls run one at a time and in order, whatever executor runs them.
    callbacks =
        builder.callbackExecutor != null
            ? MoreExecutors.newSequentialExecutor(builder.callbackExecutor)
            : own(Executors.newSingleThreadExecutor(threads.named("functorrent-callbacks")));
    PeerId peerId = PeerId.random(builder.peerIdPrefix);
    try {
      trackers =
          TrackerClient.builder(group)
              .channelTypes(transport.socketChannel(), transport.datagramChannel())
              .build();
      peers =
          PeerClient.create(
              group,
              transport.socketChannel(),
              transport.serverChannel(),
              peerId,
              callbacks,
              builder.peerOptions);
      listenAddress =
          peers.listen(new InetSocketAddress(builder.bindAddress, builder.listenPort)).join();
    } catch (RuntimeException e) {
      shutdownThreads();
      throw new TorrentClientException("cannot start the client: " + e.getMessage(), e);
    }
    log.info("listening on {} as {} ({})", listenAddress, peerId, transport);
    dht = isDhtOn(builder.dhtOptions) ? startDht(builder) : null;
  }

  /**
   * The DHT runs only when asked for: enabled options that name bootstrap nodes or a state file.
   * Anything else (no options, the defaults, disabled options) sends no packet anywhere.
   */
  private static boolean isDhtOn(DhtOptions options) {
    return options != null
        && options.enabled()
        && (!options.bootstrapNodes().isEmpty() || options.stateFile().isPresent());
  }

  private DhtNode startDht(Builder builder) {
    DhtOptions options = builder.dhtOptions;
    InetSocketAddress bind = options.bindAddress();
    if (bind.getAddress() != null && bind.getAddress().isAnyLocalAddress()
        && builder.bindAddress != null) {
      bind = new InetSocketAddress(builder.bindAddress, bind.getPort());
    }
    DhtNode node = null;
    try {
      node =
          DhtNode.create(
              options.withBindAddress(bind), group, transport.datagramChannel(), callbacks);
      InetSocketAddress bound = node.start().join();
      peers.dht(bound.getPort(), node::addNode);
      log.info("DHT node {} on UDP {}", node.id(), bound);
      return node;
    } catch (RuntimeException e) {
      if (node != null) {
        node.close();
      }
      peers.close();
      trackers.close();
      shutdownThreads();
      Throwable cause = e instanceof CompletionException && e.getCause() != null
          ? e.getCause() : e;
      throw new TorrentClientException("cannot start the DHT: " + cause.getMessage(), cause);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The client {@link Torrent#start} uses: created on first use with the defaults (listen port
   * 6881, or any free one if taken), closed when the JVM exits.
   */
  public static TorrentClient defaultClient() {
    synchronized (DEFAULT_LOCK) {
      if (defaultClient == null || defaultClient.closed.get()) {
        TorrentClient client;
        try {
          client = builder().listenPort(6881).build();
        } catch (TorrentClientException e) {
          client = builder().listenPort(0).build();
        }
        TorrentClient created = client;
        Runtime.getRuntime()
            .addShutdownHook(new Thread(created::close, "functorrent-default-client-close"));
        defaultClient = created;
      }
      return defaultClient;
    }
  }

  /**
   * The client's DHT node (BEP 5), shared by all its torrents; empty unless the builder was given
   * {@link Builder#dht DHT options} that turn it on.
   */
  public Optional<DhtNode> dht() {
    return Optional.ofNullable(dht);
  }

  /** The transport of this client's sockets. */
  public NetworkTransport transport() {
    return transport;
  }

  /** The address peers connect to. */
  public InetSocketAddress listenAddress() {
    return listenAddress;
  }

  /**
   * Starts {@code torrent} with its options, reporting to {@code listener}. A magnet link's
   * download first fetches the metadata from peers (state {@link
   * DownloadState#FETCHING_METADATA}), then goes on as a {@code .torrent}'s would.
   */
  public Download start(Torrent torrent, TorrentListener listener) {
    checkState(!closed.get(), "client: closed (expected: open)");
    ClientContext context = context();
    if (torrent.magnetUri().isPresent()) {
      MagnetDownload download =
          new MagnetDownload(context, torrent.magnetUri().get(), torrent.options(), listener,
              false);
      downloads.add(download);
      download.stopped().whenComplete((v, e) -> downloads.remove(download));
      download.start();
      return download;
    }
    ActiveDownload download =
        new ActiveDownload(context, torrent.metaInfo(), torrent.options(), listener);
    downloads.add(download);
    download.stopped().whenComplete((v, e) -> downloads.remove(download));
    download.start();
    return download;
  }

  /**
   * Fetches a magnet link's metadata from peers (its trackers, its {@code x.pe} peers, the
   * options' peers and incoming peers) without downloading anything, and saves it in the
   * options' directory under {@code .functorrent/}. The future completes with the metadata, or
   * exceptionally if the client closes first. {@code listener} hears the fetch's tracker and
   * progress events.
   *
   * @throws IllegalArgumentException if {@code torrent} is not a magnet link
   */
  public CompletableFuture<MetaInfo> fetchMetadata(Torrent torrent, TorrentListener listener) {
    checkState(!closed.get(), "client: closed (expected: open)");
    checkArgument(torrent.magnetUri().isPresent(), "torrent: a .torrent (expected: a magnet link)");
    MagnetDownload download =
        new MagnetDownload(context(), torrent.magnetUri().get(), torrent.options(), listener,
            true);
    downloads.add(download);
    download.stopped().whenComplete((v, e) -> downloads.remove(download));
    download.start();
    return download.metadata();
  }

  private ClientContext context() {
    return new ClientContext(group, disk, callbacks, trackers, peers, listenAddress.getPort(),
        Optional.ofNullable(dht));
  }

  /** The downloads running now. */
  public List<Download> downloads() {
    return new ArrayList<>(downloads);
  }

  /**
   * Stops every download (trackers hear {@code stopped}, bounded by a timeout), closes every
   * connection and file and ends every thread of this client. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (Download download : downloads) {
      stops.add(download.stop());
    }
    try {
      CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("downloads did not stop in time: {}", e.toString());
    }
    if (dht != null) {
      dht.close(); // writes its state file, if any; the group is still up
    }
    peers.close();
    trackers.close();
    shutdownThreads();
  }

  private ExecutorService own(ExecutorService executor) {
    ownExecutors.add(executor);
    return executor;
  }

  private void shutdownThreads() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    ownExecutors.forEach(ExecutorService::shutdown);
    try {
      for (ExecutorService executor : ownExecutors) {
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
          executor.shutdownNow();
        }
      }
      threads.awaitEnd(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      ownExecutors.forEach(ExecutorService::shutdownNow);
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Makes this client's threads (daemons, numbered after a name) and remembers them, so that
   * {@link #close} returns only once each has ended, not merely once its pool has terminated
   * (a pool's last worker is still alive for a moment after that).
   */
  private static final class OwnThreads {
    private final List<Thread> made = new CopyOnWriteArrayList<>();

    ThreadFactory named(String name) {
      AtomicInteger count = new AtomicInteger();
      return runnable -> {
        Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
        thread.setDaemon(true);
        made.add(thread);
        return thread;
      };
    }

    void awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
      long deadline = System.nanoTime() + unit.toNanos(timeout);
      for (Thread thread : made) {
        long left = deadline - System.nanoTime();
        if (left > 0 && thread != Thread.currentThread()) {
          TimeUnit.NANOSECONDS.timedJoin(thread, left);
        }
      }
    }
  }


  /**
   * Builds a client. Defaults: port 6881 on every interface, peer id prefix {@code -FJ0100-}, no
   * DHT, the preferred network transport.
   */
  public static final class Builder {
    private int listenPort = 6881;
    private InetAddress bindAddress;
    private String peerIdPrefix = "-FJ0100-";
    private int networkThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private PeerOptions peerOptions = PeerOptions.defaults();
    private Executor diskExecutor;
    private Executor callbackExecutor;
    private DhtOptions dhtOptions;
    private NetworkTransport transport;

    private Builder() {}

    /**
     * The transport of the client's sockets; by default {@link NetworkTransport#preferred()}
     * (epoll where it can run, else NIO). Building fails with {@link TorrentClientException} if
     * the transport asked for cannot run here.
     */
    public Builder transport(NetworkTransport transport) {
      this.transport = checkNotNull(transport, "transport");
      return this;
    }

    /**
     * Runs a DHT node (BEP 5) for this client: its torrents (except private ones) find peers
     * through it and announce themselves on it, and the peer wire says so (BEP 5's handshake bit
     * and {@code port} message). <b>The DHT is off by default</b>, and stays off unless {@code
     * options} are enabled and name bootstrap nodes or a state file: a client never sends a DHT
     * packet anywhere it was not told to. To join the public DHT, say so explicitly:
     * {@code DhtOptions.defaults().withBootstrapNodes(DhtOptions.publicBootstrapNodes())}.
     *
     * <p>The node binds the options' address, except that a wildcard address (the default,
     * {@code 0.0.0.0}) is replaced by this builder's {@link #bindAddress} when one is set, keeping
     * the options' UDP port (6881 by default; 0 picks a free one). It starts with the client
     * (which fails with {@link TorrentClientException} if the node cannot bind) and closes with
     * it, writing its state file then.
     */
    public Builder dht(DhtOptions options) {
      dhtOptions = checkNotNull(options, "options");
      return this;
    }

    /**
     * Where disk I/O and hashing run: a bounded pool of the application's. The client does not
     * shut it down. By default the client makes one thread per core and shuts it down on close.
     */
    public Builder diskExecutor(Executor executor) {
      diskExecutor = executor;
      return this;
    }

    /**
     * Where listener methods run (one at a time, in order, whatever the executor). The client does
     * not shut it down. By default the client makes one thread and shuts it down on close.
     */
    public Builder callbackExecutor(Executor executor) {
      callbackExecutor = executor;
      return this;
    }

    /** The TCP port peers connect to; 0 picks a free one. */
    public Builder listenPort(int port) {
      checkArgument(port >= 0 && port <= 65535, "listen port: %s (expected: 0 to 65535)", port);
      listenPort = port;
      return this;
    }

    /** The address to listen on: every interface unless set (tests use 127.0.0.1). */
    public Builder bindAddress(InetAddress address) {
      bindAddress = address;
      return this;
    }

    /** The Azureus-style start of our peer id, such as {@code -FJ0100-}. */
    public Builder peerIdPrefix(String prefix) {
      peerIdPrefix = prefix;
      return this;
    }

    public Builder networkThreads(int threads) {
      checkArgument(threads > 0, "network threads: %s (expected: > 0)", threads);
      networkThreads = threads;
      return this;
    }

    /** Connection limits, request queue depths, upload slots and timeouts. */
    public Builder peerOptions(PeerOptions options) {
      peerOptions = options;
      return this;
    }

    public TorrentClient build() {
      return new TorrentClient(this);
    }
  }
}
