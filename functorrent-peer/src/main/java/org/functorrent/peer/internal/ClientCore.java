package org.functorrent.peer.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.functorrent.common.TorrentException;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.PeerOptions;
import org.functorrent.peer.PieceStore;
import org.functorrent.peer.SwarmListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the torrents of one client share: the event loop group, our peer id, the listen socket
 * that routes incoming connections by info-hash, and the client-wide connection count.
 */
public final class ClientCore {
  private static final Logger log = LoggerFactory.getLogger(ClientCore.class);

  /** Serving pauses above 1 MiB of unsent data per connection and resumes below 512 KiB. */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 1 << 20);

  /**
   * How big a socket read may grow on a peer connection: 1 MiB, not Netty's 64 KiB. Each read
   * is one buffer allocated, one trip down the pipeline and, at its end, one frame cut off and
   * copied; a fast peer's data in 1 MiB reads holds 64 blocks per read instead of 4. Cold 1 GiB
   * downloads from a libtorrent seeder took less CPU with it (BENCHMARKS.md, the run of
   * 2026-11-27 16:39 UTC), and about 17 MiB more peak RSS. Reads grow only while they fill their
   * buffer, so a slow or idle peer's stay small. A buffer is freed once every block sliced from
   * it is on disk.
   */
  static final RecvByteBufAllocator RECEIVE_BUFFERS =
      new AdaptiveRecvByteBufAllocator(64, 2048, 1 << 20);

  private final EventLoopGroup group;
  private final PeerId peerId;
  private final Executor callbacks;
  private final PeerOptions options;
  private final ConcurrentHashMap<InfoHash, SwarmEngine> swarms = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InfoHash, MetadataFetchEngine> fetches =
      new ConcurrentHashMap<>();
  private final Set<Channel> accepted = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  /** Received blocks of all connections that storage has not taken yet. */
  private final AtomicInteger pendingWrites = new AtomicInteger();
  /** Connections that stopped reading because of too many pending writes. */
  private final Set<PeerConnection> paused = ConcurrentHashMap.newKeySet();
  private volatile Channel server;
  /** The listen socket's local address, once bound. */
  private volatile InetSocketAddress listenAddress;
  private volatile boolean closed;
  private final LongSupplier nanoClock;
  /** BEP 11: at most one PEX message a minute to each peer; tests shorten it. */
  private volatile long pexIntervalNanos = TimeUnit.MINUTES.toNanos(1);
  /** BEP 5: the UDP port of the client's DHT node, 0 when the client runs no DHT. */
  private volatile int dhtPort;
  /** Hears the DHT nodes that peers name in {@code port} messages. */
  private volatile Consumer<InetSocketAddress> dhtNodes = node -> {};

  private Class<? extends SocketChannel> socketChannelType = NioSocketChannel.class;
  private Class<? extends ServerSocketChannel> serverChannelType = NioServerSocketChannel.class;

  public ClientCore(EventLoopGroup group, PeerId peerId, Executor callbacks, PeerOptions options) {
    this(group, peerId, callbacks, options, System::nanoTime);
  }

  /** Uses these channel types instead of NIO's (for an epoll or io_uring group). */
  public ClientCore transport(
      Class<? extends SocketChannel> socketChannelType,
      Class<? extends ServerSocketChannel> serverChannelType) {
    this.socketChannelType = checkNotNull(socketChannelType, "socketChannelType");
    this.serverChannelType = checkNotNull(serverChannelType, "serverChannelType");
    return this;
  }

  /** A client with its own clock (tests advance it by hand). */
  ClientCore(
      EventLoopGroup group,
      PeerId peerId,
      Executor callbacks,
      PeerOptions options,
      LongSupplier nanoClock) {
    this.nanoClock = checkNotNull(nanoClock, "nanoClock");
    this.group = checkNotNull(group, "group");
    this.peerId = checkNotNull(peerId, "peerId");
    this.callbacks = checkNotNull(callbacks, "callbacks");
    this.options = checkNotNull(options, "options");
  }

  long nanoTime() {
    return nanoClock.getAsLong();
  }

  long pexIntervalNanos() {
    return pexIntervalNanos;
  }

  /** For tests: the time between two PEX messages to one peer (a minute otherwise). */
  ClientCore pexInterval(java.time.Duration interval) {
    pexIntervalNanos = interval.toNanos();
    return this;
  }

  EventLoopGroup group() {
    return group;
  }

  /**
   * Tells the peers of every swarm connection made from now on that we run a DHT node on UDP
   * {@code port} (BEP 5: the DHT bit in our handshake, a {@code port} message to peers that set
   * theirs), and hands {@code nodes} each peer's DHT address from its own {@code port} message
   * (at most one a connection, port 0 ignored). {@code nodes} runs on an event loop: it must be
   * quick.
   */
  public ClientCore dht(int port, Consumer<InetSocketAddress> nodes) {
    checkArgument(port > 0 && port <= 0xFFFF, "DHT port: %s (expected: 1..65535)", port);
    this.dhtNodes = checkNotNull(nodes, "nodes");
    this.dhtPort = port;
    return this;
  }

  /** The UDP port of our DHT node, or 0 when we run none. */
  int dhtPort() {
    return dhtPort;
  }

  /** A peer named its DHT node. */
  void dhtNodeSeen(InetSocketAddress node) {
    try {
      dhtNodes.accept(node);
    } catch (RuntimeException e) {
      log.warn("DHT node {} from a peer: {}", node, e.toString());
    }
  }

  public PeerId peerId() {
    return peerId;
  }

  Executor callbacks() {
    return callbacks;
  }

  PeerOptions options() {
    return options;
  }

  Class<? extends SocketChannel> socketChannelType() {
    return socketChannelType;
  }

  Class<? extends ServerSocketChannel> serverChannelType() {
    return serverChannelType;
  }

  public OptionalInt listenPort() {
    InetSocketAddress local = listenAddress;
    return local != null ? OptionalInt.of(local.getPort()) : OptionalInt.empty();
  }

  /**
   * Whether {@code address} is this client's own listen socket (its bound address, or a loopback
   * or wildcard address when it listens on every interface), which trackers hand back among the
   * peers: dialing it would only meet ourselves. Another local interface's address is caught by
   * the peer id in the handshake instead.
   */
  boolean isOwnListenAddress(InetSocketAddress address) {
    InetSocketAddress local = listenAddress;
    return local != null && reaches(local, address);
  }

  /** Whether dialing {@code address} reaches a socket listening on {@code local}. */
  static boolean reaches(InetSocketAddress local, InetSocketAddress address) {
    if (address.getPort() != local.getPort() || address.getAddress() == null) {
      return false;
    }
    InetAddress ip = address.getAddress();
    return local.getAddress().isAnyLocalAddress()
        ? ip.isLoopbackAddress() || ip.isAnyLocalAddress()
        : local.getAddress().equals(ip);
  }

  /** Incoming connections open at once, handshaken or not. */
  int maxIncoming() {
    return 2 * options.maxPeersPerClient();
  }

  boolean mayConnect() {
    return connections.get() < options.maxPeersPerClient();
  }

  void connectionOpened() {
    connections.incrementAndGet();
  }

  /** A received block goes to storage; returns the client's number of pending writes. */
  int writeStarted() {
    return pendingWrites.incrementAndGet();
  }

  /** A write has finished; at half the limit, paused connections may read again. */
  void writeFinished() {
    if (pendingWrites.decrementAndGet() == options.maxPendingWritesPerClient() / 2) {
      for (PeerConnection c : paused) {
        c.resumeReadingLater();
      }
    }
  }

  int pendingWrites() {
    return pendingWrites.get();
  }

  void readingPaused(PeerConnection c) {
    paused.add(c);
  }

  void readingResumed(PeerConnection c) {
    paused.remove(c);
  }

  void connectionClosed() {
    connections.decrementAndGet();
  }

  /** Binds the listen socket that serves every torrent of this client. */
  public CompletableFuture<InetSocketAddress> listen(InetSocketAddress address) {
    checkState(server == null && !closed, "already listening or closed");
    CompletableFuture<InetSocketAddress> result = new CompletableFuture<>();
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(serverChannelType())
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.RECVBUF_ALLOCATOR, RECEIVE_BUFFERS)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    // Connections that have not handshaken yet are capped too, so that a host
                    // opening connections and saying nothing cannot use up our descriptors.
                    if (closed || accepted.size() >= maxIncoming()) {
                      ch.close();
                      return;
                    }
                    accepted.add(ch);
                    ch.closeFuture().addListener(f -> accepted.remove(ch));
                    ch.pipeline()
                        .addLast("hs-decoder", new HandshakeCodec.Decoder())
                        .addLast("peer", new IncomingRouter());
                  }
                });
    ChannelFuture f = b.bind(address);
    f.addListener(
        (ChannelFutureListener)
            r -> {
              if (r.isSuccess()) {
                server = r.channel();
                InetSocketAddress local = (InetSocketAddress) r.channel().localAddress();
                listenAddress = local;
                result.complete(local);
              } else {
                result.completeExceptionally(
                    new TorrentException("cannot listen on " + address + ": " + r.cause(),
                        r.cause()));
              }
            });
    return result;
  }

  /** Starts the swarm of a torrent. */
  public SwarmEngine addTorrent(
      MetaInfo metaInfo,
      PieceStore store,
      BitSet verified,
      SwarmListener listener,
      List<ExtensionHandler> extensions) {
    checkState(!closed, "closed");
    SwarmEngine swarm =
        new SwarmEngine(this, metaInfo, store, verified, listener, extensions,
            ThreadLocalRandom.current().nextLong());
    if (swarms.putIfAbsent(metaInfo.infoHash(), swarm) != null) {
      throw new IllegalStateException("torrent already added: " + metaInfo.infoHash());
    }
    swarm.start();
    return swarm;
  }

  void remove(SwarmEngine swarm) {
    swarms.remove(swarm.infoHash(), swarm);
  }

  /** Starts fetching a torrent's metadata from peers (BEP 9). */
  public MetadataFetchEngine fetchMetadata(
      InfoHash infoHash, List<? extends List<String>> trackerTiers) {
    checkState(!closed, "closed");
    if (swarms.containsKey(infoHash)) {
      throw new IllegalStateException("torrent already added: " + infoHash);
    }
    MetadataFetchEngine fetch = new MetadataFetchEngine(this, infoHash, trackerTiers);
    if (fetches.putIfAbsent(infoHash, fetch) != null) {
      throw new IllegalStateException("metadata already being fetched: " + infoHash);
    }
    fetch.start();
    return fetch;
  }

  void removeFetch(MetadataFetchEngine fetch) {
    fetches.remove(fetch.infoHash(), fetch);
  }

  /** Closes the listen socket, every swarm and every connection; waits at most ten seconds. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<CompletableFuture<?>> all = new ArrayList<>();
    Channel s = server;
    if (s != null) {
      all.add(toCompletable(s.close()));
    }
    for (SwarmEngine swarm : new ArrayList<>(swarms.values())) {
      all.add(swarm.closeAsync());
    }
    for (MetadataFetchEngine fetch : new ArrayList<>(fetches.values())) {
      all.add(fetch.closeAsync());
    }
    for (Channel ch : new ArrayList<>(accepted)) {
      all.add(toCompletable(ch.close()));
    }
    try {
      CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("close did not finish: {}", e.toString());
    }
  }

  private static CompletableFuture<Void> toCompletable(ChannelFuture f) {
    CompletableFuture<Void> c = new CompletableFuture<>();
    f.addListener(x -> c.complete(null));
    return c;
  }

  /**
   * Waits for the handshake of an incoming connection, then hands the channel to the swarm of
   * its info-hash; an unknown info-hash or our own peer id closes it.
   */
  private final class IncomingRouter extends ChannelInboundHandlerAdapter {
    private ScheduledFuture<?> timeout;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      timeout =
          ctx.executor()
              .schedule(() -> {
                ctx.close();
              }, options.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof Handshake h)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (timeout != null) {
        timeout.cancel(false);
      }
      SwarmEngine swarm = swarms.get(h.infoHash());
      MetadataFetchEngine fetch = swarm == null ? fetches.get(h.infoHash()) : null;
      if (fetch != null && !h.peerId().equals(peerId) && !closed) {
        // A magnet link's metadata is being fetched: the peer may have it.
        MetadataConnection connection = new MetadataConnection(fetch, false);
        ctx.pipeline().replace(this, "peer", connection);
        connection.handshakeReceived(h);
        return;
      }
      if (swarm == null || h.peerId().equals(peerId) || closed) {
        log.debug("{}: unknown info-hash {} or our own peer id", ctx.channel(), h.infoHash());
        ctx.close();
        return;
      }
      PeerConnection connection = new PeerConnection(swarm, false);
      ctx.pipeline().replace(this, "peer", connection);
      connection.handshakeReceived(h);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (timeout != null) {
        timeout.cancel(false);
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("{}: {}", ctx.channel(), cause.toString());
      ctx.close();
    }
  }
}
