package org.functorrent.dht;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.base.Ticker;
import com.google.common.collect.ImmutableList;
import com.google.common.util.concurrent.MoreExecutors;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.functorrent.dht.internal.Bep42;
import org.functorrent.dht.internal.DhtEngine;
import org.functorrent.dht.internal.Krpc;
import org.functorrent.dht.internal.NodeContact;
import org.functorrent.dht.internal.StateFile;
import org.functorrent.metainfo.InfoHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node of the mainline DHT (BEP 5): it answers ping, find_node, get_peers and announce_peer from
 * other nodes, keeps a routing table, and finds and announces peers of torrents. One node serves a
 * whole client: every torrent's lookups and announces go through it.
 *
 * <pre>{@code
 * DhtNode dht = DhtNode.create(DhtOptions.defaults()
 *     .withBindAddress(new InetSocketAddress("127.0.0.1", 0))
 *     .withBootstrapNodes(List.of(new InetSocketAddress("127.0.0.1", 6881))), group, executor);
 * dht.start().join();
 * dht.getPeers(infoHash, peers -> swarm.addPeers(peers)).join();
 * dht.announce(infoHash, listenPort);
 * dht.close();
 * }</pre>
 *
 * <p><b>Threading.</b> The node's state lives on the event loop of its UDP channel (one loop of
 * the group the caller passes and keeps owning); every public method is thread-safe and only
 * submits work there. User code never runs on that loop: {@code onPeers} callbacks and the
 * completion of every returned future run on the callback executor given to {@link #create}
 * (the common pool by default), one at a time per operation and in order, the future after the
 * operation's last callback. A callback that throws is logged and ignored. {@link #start()}
 * resolves bootstrap host names on that executor too. {@link #create} reads the state file and
 * {@link #close()} writes it, on the calling thread: call them off event loops.
 *
 * <p><b>Network.</b> The node sends nothing until it has a node to talk to: {@link
 * DhtOptions#defaults()} names no bootstrap node. IPv4 only (BEP 32 is not implemented).
 */
public final class DhtNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DhtNode.class);

  /** How many good nodes the state file keeps. */
  static final int SAVED_NODES = 64;

  private static final long CLOSE_TIMEOUT_SECONDS = 5;

  private final DhtOptions options;
  private final EventLoopGroup group;
  private final Class<? extends DatagramChannel> channelType;
  private final Executor callbackExecutor;
  private final NodeId id;
  private final ImmutableList<NodeContact> savedNodes;

  private CompletableFuture<InetSocketAddress> started; // guarded by this
  private final CompletableFuture<Integer> bootstrapped = new CompletableFuture<>();
  private volatile DhtEngine engine;
  private volatile Channel channel;
  private boolean closed; // guarded by this

  private DhtNode(
      DhtOptions options,
      EventLoopGroup group,
      Class<? extends DatagramChannel> channelType,
      Executor callbackExecutor,
      NodeId id,
      ImmutableList<NodeContact> savedNodes) {
    this.options = options;
    this.group = group;
    this.channelType = channelType;
    this.callbackExecutor = callbackExecutor;
    this.id = id;
    this.savedNodes = savedNodes;
  }

  /**
   * A node that will run on {@code group} (an NIO group) and call back on {@code
   * callbackExecutor}; both stay the caller's (closing the node shuts neither down). Reads the
   * state file, if the options name one: its id is kept, its nodes are asked first at bootstrap. A
   * state file that cannot be read or parsed is logged and ignored (a new id is made), since it is
   * only a cache.
   */
  public static DhtNode create(
      DhtOptions options, EventLoopGroup group, Executor callbackExecutor) {
    return create(options, group, NioDatagramChannel.class, callbackExecutor);
  }

  /**
   * As {@link #create(DhtOptions, EventLoopGroup, Executor)}, on a group of another transport than
   * NIO, whose datagram channel type is {@code channelType} (such as {@code
   * EpollDatagramChannel.class} for an epoll group).
   */
  public static DhtNode create(
      DhtOptions options,
      EventLoopGroup group,
      Class<? extends DatagramChannel> channelType,
      Executor callbackExecutor) {
    checkNotNull(options, "options");
    checkNotNull(group, "group");
    checkNotNull(channelType, "channelType");
    checkNotNull(callbackExecutor, "callbackExecutor");
    NodeId id = null;
    ImmutableList<NodeContact> saved = ImmutableList.of();
    Optional<Path> file = options.stateFile();
    if (file.isPresent() && options.enabled()) {
      try {
        Optional<StateFile.State> state = StateFile.read(file.get());
        if (state.isPresent()) {
          id = state.get().id();
          saved = state.get().nodes();
        }
      } catch (IOException | RuntimeException e) {
        log.warn("DHT state file {} ignored: {}", file.get(), e.toString());
      }
    }
    if (id == null) {
      id = Bep42.idFor(options.bindAddress().getAddress(), new SecureRandom());
    }
    return new DhtNode(options, group, channelType, callbackExecutor, id, saved);
  }

  /** As {@link #create(DhtOptions, EventLoopGroup, Executor)}, calling back on the common pool. */
  public static DhtNode create(DhtOptions options, EventLoopGroup group) {
    return create(options, group, ForkJoinPool.commonPool());
  }

  /** This node's id (from the state file, or new). */
  public NodeId id() {
    return id;
  }

  public DhtOptions options() {
    return options;
  }

  /**
   * Binds the UDP socket and starts the bootstrap lookup (see {@link #bootstrapped()}); completes
   * with the bound address. Fails with {@link DhtException} if the options disable the DHT or the
   * address cannot be bound. Calling it again returns the same future.
   */
  public synchronized CompletableFuture<InetSocketAddress> start() {
    if (started != null) {
      return started;
    }
    if (closed) {
      started = CompletableFuture.failedFuture(new DhtException("DHT node closed"));
      return started;
    }
    if (!options.enabled()) {
      started = CompletableFuture.failedFuture(new DhtException("DHT disabled by its options"));
      bootstrapped.completeExceptionally(new DhtException("DHT disabled by its options"));
      return started;
    }
    CompletableFuture<InetSocketAddress> result = new CompletableFuture<>();
    started = result;
    CompletableFuture.supplyAsync(this::resolveBootstrapNodes, callbackExecutor)
        .whenComplete((addresses, error) -> {
          if (error != null) {
            fail(result, new DhtException("DHT start failed", error));
          } else {
            bind(addresses, result);
          }
        });
    return result;
  }

  private List<InetSocketAddress> resolveBootstrapNodes() {
    List<InetSocketAddress> resolved = new ArrayList<>();
    for (InetSocketAddress a : options.bootstrapNodes()) {
      if (!a.isUnresolved()) {
        resolved.add(a);
        continue;
      }
      try {
        for (InetAddress ip : InetAddress.getAllByName(a.getHostString())) {
          resolved.add(new InetSocketAddress(ip, a.getPort()));
        }
      } catch (UnknownHostException e) {
        log.info("DHT bootstrap node {} not resolved: {}", a.getHostString(), e.getMessage());
      }
    }
    return resolved;
  }

  private void bind(List<InetSocketAddress> bootstrapAddresses,
      CompletableFuture<InetSocketAddress> result) {
    DhtEngine e =
        new DhtEngine(options, id, Ticker.systemTicker(), bootstrapAddresses, savedNodes);
    ChannelFuture bound;
    try {
      bound =
          new Bootstrap()
              .group(group)
              .channel(channelType)
              // One byte more than we accept, so that an oversized datagram is seen as such.
              .option(ChannelOption.RECVBUF_ALLOCATOR,
                  new FixedRecvByteBufAllocator(Krpc.MAX_PACKET + 1))
              .handler(e)
              .bind(options.bindAddress());
    } catch (RuntimeException ex) {
      fail(result, new DhtException("cannot bind the DHT socket to " + options.bindAddress(), ex));
      return;
    }
    bound.addListener(f -> {
      if (!f.isSuccess()) {
        fail(result, new DhtException(
            "cannot bind the DHT socket to " + options.bindAddress(), f.cause()));
        return;
      }
      Channel ch = bound.channel();
      ch.eventLoop().execute(() -> {
        boolean closedMeanwhile;
        synchronized (this) {
          closedMeanwhile = closed;
          if (!closedMeanwhile) {
            engine = e;
            channel = ch;
          }
        }
        if (closedMeanwhile) {
          ch.close();
          fail(result, new DhtException("DHT node closed"));
          return;
        }
        e.attach(ch);
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        callbackExecutor.execute(() -> result.complete(local));
        e.bootstrap().whenComplete((size, error) -> callbackExecutor.execute(() -> {
          if (error != null) {
            bootstrapped.completeExceptionally(error);
          } else {
            bootstrapped.complete(size);
          }
        }));
      });
    });
  }

  private <T> void fail(CompletableFuture<T> future, Throwable error) {
    bootstrapped.completeExceptionally(error);
    callbackExecutor.execute(() -> future.completeExceptionally(error));
  }

  /**
   * Completes with the routing table's size once the first bootstrap lookup (toward our own id,
   * from the saved and the bootstrap nodes) has ended. With no node to ask it completes at once
   * with 0.
   */
  public CompletableFuture<Integer> bootstrapped() {
    return bootstrapped.thenApply(Function.identity());
  }

  /** The bound address, once started. */
  public Optional<InetSocketAddress> localAddress() {
    Channel ch = channel;
    return ch == null ? Optional.empty() : Optional.of((InetSocketAddress) ch.localAddress());
  }

  /**
   * Pings the node at {@code address} (as BEP 5 asks on a peer's {@code port} message); if it
   * answers it enters the routing table. Does nothing before {@link #start()} has completed or
   * after {@link #close()}.
   */
  public void addNode(InetSocketAddress address) {
    checkNotNull(address, "address");
    DhtEngine e = engine;
    Channel ch = channel;
    if (e == null || ch == null || address.isUnresolved()) {
      return;
    }
    ch.eventLoop().execute(() -> e.addNode(address));
  }

  /**
   * Looks up the peers of {@code infoHash}: {@code onPeers} receives each batch of peers not seen
   * before in this lookup as they arrive; the future completes with all of them once the lookup
   * has ended. Waits for {@link #start()} if it is still binding.
   */
  public CompletableFuture<List<InetSocketAddress>> getPeers(
      InfoHash infoHash, Consumer<List<InetSocketAddress>> onPeers) {
    checkNotNull(infoHash, "infoHash");
    checkNotNull(onPeers, "onPeers");
    Executor serial = MoreExecutors.newSequentialExecutor(callbackExecutor);
    return onLoop(serial, e -> e.getPeers(infoHash, peers -> deliver(serial, onPeers, peers)));
  }

  /**
   * Looks up {@code infoHash} and announces to the closest nodes that we are a peer listening on
   * TCP {@code port}.
   */
  public CompletableFuture<AnnounceResult> announce(InfoHash infoHash, int port) {
    checkArgument(port > 0 && port < 65536, "port: %s (expected: 1..65535)", port);
    return announce(infoHash, port, false, peers -> {});
  }

  /**
   * As {@link #announce(InfoHash, int)}, with {@code implied_port}: the nodes store the UDP
   * source port of our DHT socket (for peers that accept connections, such as uTP, on it).
   */
  public CompletableFuture<AnnounceResult> announceImpliedPort(InfoHash infoHash) {
    return announce(infoHash, 0, true, peers -> {});
  }

  /** As {@link #announce(InfoHash, int)}, with the peers found on the way given to {@code
   * onPeers} as in {@link #getPeers}. */
  public CompletableFuture<AnnounceResult> announce(
      InfoHash infoHash, int port, Consumer<List<InetSocketAddress>> onPeers) {
    checkArgument(port > 0 && port < 65536, "port: %s (expected: 1..65535)", port);
    return announce(infoHash, port, false, onPeers);
  }

  private CompletableFuture<AnnounceResult> announce(
      InfoHash infoHash, int port, boolean implied, Consumer<List<InetSocketAddress>> onPeers) {
    checkNotNull(infoHash, "infoHash");
    checkNotNull(onPeers, "onPeers");
    Executor serial = MoreExecutors.newSequentialExecutor(callbackExecutor);
    return onLoop(serial, e -> e.announce(infoHash, port, implied,
            peers -> deliver(serial, onPeers, peers))
        .thenApply(a -> AnnounceResult.of(a.peers(), a.storedAt())));
  }

  private static void deliver(
      Executor serial, Consumer<List<InetSocketAddress>> onPeers, List<InetSocketAddress> peers) {
    serial.execute(() -> {
      try {
        onPeers.accept(peers);
      } catch (RuntimeException ex) {
        log.warn("DHT peers callback threw", ex);
      }
    });
  }

  /** Runs {@code task} on the engine's loop once started; completes on {@code serial}. */
  private <T> CompletableFuture<T> onLoop(
      Executor serial, Function<DhtEngine, CompletableFuture<T>> task) {
    CompletableFuture<InetSocketAddress> s;
    synchronized (this) {
      s = started;
      if (closed) {
        return CompletableFuture.failedFuture(new DhtException("DHT node closed"));
      }
    }
    if (s == null) {
      return CompletableFuture.failedFuture(new DhtException("DHT node not started"));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    s.whenComplete((address, startError) -> {
      if (startError != null) {
        serial.execute(() -> result.completeExceptionally(startError));
        return;
      }
      Channel ch = channel;
      DhtEngine e = engine;
      if (ch == null || e == null) {
        serial.execute(() -> result.completeExceptionally(new DhtException("DHT node closed")));
        return;
      }
      ch.eventLoop().execute(() -> {
        CompletableFuture<T> inner;
        try {
          inner = task.apply(e);
        } catch (RuntimeException ex) {
          inner = CompletableFuture.failedFuture(ex);
        }
        inner.whenComplete((value, error) -> serial.execute(() -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else {
            result.complete(value);
          }
        }));
      });
    });
    return result;
  }

  /** The number of nodes in the routing table. */
  public int routingTableSize() {
    return stats().routingTableNodes();
  }

  /** A snapshot of the node's counters (all zero before start). */
  public DhtStats stats() {
    DhtEngine e = engine;
    return e == null
        ? new DhtStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        : e.stats();
  }

  /**
   * Stops the node: pending lookups end with what they found, announces in progress complete,
   * the socket closes, and the state file (if any) is written. Idempotent; waits at most a few
   * seconds. Leaves the event loop group and the callback executor running.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    Channel ch = channel;
    DhtEngine e = engine;
    if (ch == null || e == null) {
      return;
    }
    CompletableFuture<List<NodeContact>> stopped = new CompletableFuture<>();
    Runnable stop = () -> {
      try {
        e.shutdown();
        List<NodeContact> nodes = e.goodNodes(SAVED_NODES);
        ch.close().addListener(f -> stopped.complete(nodes));
      } catch (RuntimeException ex) {
        stopped.completeExceptionally(ex);
      }
    };
    if (ch.eventLoop().inEventLoop()) {
      stop.run();
    } else {
      ch.eventLoop().execute(stop);
    }
    List<NodeContact> nodes = List.of();
    try {
      nodes = stopped.get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    } catch (Exception ex) {
      log.warn("DHT node did not stop cleanly", ex);
    }
    Optional<Path> file = options.stateFile();
    if (file.isPresent()) {
      try {
        StateFile.write(file.get(), id, nodes);
      } catch (IOException | RuntimeException ex) {
        log.warn("DHT state file {} not written: {}", file.get(), ex.toString());
      }
    }
  }

  @Override
  public String toString() {
    return "DhtNode{" + id + " " + localAddress().map(Object::toString).orElse("unbound") + "}";
  }
}
