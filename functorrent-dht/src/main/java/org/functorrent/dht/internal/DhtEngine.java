package org.functorrent.dht.internal;

import com.google.common.base.Ticker;
import com.google.common.collect.ImmutableList;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.functorrent.bencode.BencodeString;
import org.functorrent.dht.DhtException;
import org.functorrent.dht.DhtOptions;
import org.functorrent.dht.DhtStats;
import org.functorrent.dht.NodeId;
import org.functorrent.dht.internal.KrpcMessage.AnnouncePeer;
import org.functorrent.dht.internal.KrpcMessage.Error;
import org.functorrent.dht.internal.KrpcMessage.FindNode;
import org.functorrent.dht.internal.KrpcMessage.GetPeers;
import org.functorrent.dht.internal.KrpcMessage.Ping;
import org.functorrent.dht.internal.KrpcMessage.Query;
import org.functorrent.dht.internal.KrpcMessage.Response;
import org.functorrent.dht.internal.KrpcMessage.UnknownQuery;
import org.functorrent.metainfo.InfoHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHT node's engine: the datagram channel's only handler, the KRPC client (transactions,
 * timeouts) and server (the four queries), the routing table, tokens, the peer store and the
 * lookups. Every field is confined to the channel's event loop; {@link
 * org.functorrent.dht.DhtNode} submits work to it. Bad input never escapes {@link #channelRead0}:
 * it is counted and dropped (a malformed query with a transaction id gets error 203).
 */
public final class DhtEngine extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final Logger log = LoggerFactory.getLogger(DhtEngine.class);

  /** The {@code v} we send: "FJ" (as our peer ids) and version 0.1. */
  static final BencodeString VERSION = BencodeString.of(new byte[] {'F', 'J', 0, 1});

  private final DhtOptions options;
  private final NodeId id;
  private final Ticker ticker;
  private final Random random;
  private final RoutingTable table;
  private final Tokens tokens;
  private final PeerStore store;
  private final ImmutableList<InetSocketAddress> bootstrap;
  private final List<NodeContact> savedNodes;

  private Channel channel;
  private ScheduledFuture<?> maintenance;
  private boolean closed;
  private int nextTransaction;
  private final Map<BencodeString, Pending> pending = new HashMap<>();
  private final Set<Lookup> lookups = new HashSet<>();

  // Written on the event loop, read by stats() from any thread.
  private final AtomicLong queriesSent = new AtomicLong();
  private final AtomicLong responsesReceived = new AtomicLong();
  private final AtomicLong errorsReceived = new AtomicLong();
  private final AtomicLong timeouts = new AtomicLong();
  private final AtomicLong queriesReceived = new AtomicLong();
  private final AtomicLong droppedMalformed = new AtomicLong();
  private final AtomicLong droppedOversized = new AtomicLong();
  private final AtomicLong droppedUnknownTransaction = new AtomicLong();
  private final AtomicLong droppedWrongAddress = new AtomicLong();
  private final AtomicLong droppedFiltered = new AtomicLong();
  private final AtomicLong internalErrors = new AtomicLong();
  private volatile int tableSize;
  private volatile int bucketCount = 1;
  private volatile int storedInfoHashes;
  private volatile int storedPeers;
  private volatile long rejectedPerIp;
  private volatile int lookupsRunning;

  private interface Callback {
    void onResponse(Response response);

    void onFailure();
  }

  private record Pending(InetSocketAddress address, Callback callback, ScheduledFuture<?> timer) {}

  /**
   * @param bootstrap resolved bootstrap addresses
   * @param savedNodes nodes from the state file, asked at bootstrap like bootstrap nodes
   */
  public DhtEngine(
      DhtOptions options,
      NodeId id,
      Ticker ticker,
      List<InetSocketAddress> bootstrap,
      List<NodeContact> savedNodes) {
    this.options = options;
    this.id = id;
    this.ticker = ticker;
    SecureRandom secure = new SecureRandom();
    this.random = new Random(secure.nextLong());
    this.table = new RoutingTable(id, ticker, options.maxNodesPerIp(), this::ping);
    this.tokens = new Tokens(ticker, secure);
    this.store =
        new PeerStore(
            ticker,
            options.peerTtl(),
            options.maxStoredInfoHashes(),
            options.maxPeersPerInfoHash());
    this.bootstrap = ImmutableList.copyOf(bootstrap);
    this.savedNodes = List.copyOf(savedNodes);
    this.nextTransaction = random.nextInt(1 << 16);
  }

  public NodeId id() {
    return id;
  }

  /** Called on the event loop once the channel is bound; starts maintenance. */
  public void attach(Channel channel) {
    this.channel = channel;
    long period = options.maintenanceInterval().toNanos();
    maintenance =
        channel
            .eventLoop()
            .scheduleAtFixedRate(this::maintain, period, period, TimeUnit.NANOSECONDS);
  }

  // ------------------------------------------------------------------------ incoming datagrams

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    InetSocketAddress sender = packet.sender();
    ByteBuf content = packet.content();
    try {
      if (closed) {
        return;
      }
      if (!options.addressFilter().test(sender)) {
        droppedFiltered.incrementAndGet();
        return;
      }
      int length = content.readableBytes();
      if (length > Krpc.MAX_PACKET) {
        droppedOversized.incrementAndGet();
        return;
      }
      byte[] bytes = new byte[length];
      content.getBytes(content.readerIndex(), bytes);
      KrpcMessage message;
      try {
        message = Krpc.decode(bytes);
      } catch (KrpcException e) {
        droppedMalformed.incrementAndGet();
        malformed(e, sender);
        return;
      }
      if (message instanceof Query q) {
        queriesReceived.incrementAndGet();
        serve(q, sender);
      } else {
        answer(message, sender);
      }
    } catch (RuntimeException e) {
      // A bug of ours must not kill the channel: count it, drop the datagram and go on.
      internalErrors.incrementAndGet();
      log.warn("DHT datagram from {} not handled", sender, e);
    } finally {
      publish();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // ICMP port unreachable and the like surface here on some platforms: nothing to do.
    log.debug("DHT channel error", cause);
  }

  private void malformed(KrpcException e, InetSocketAddress sender) {
    log.debug("malformed KRPC from {}: {}", sender, e.getMessage());
    if (e.transactionId().isEmpty()) {
      return;
    }
    BencodeString tid = e.transactionId().get();
    if (e.type() == 'q') {
      send(new Error(tid, Error.PROTOCOL, e.getMessage()), sender);
    } else if (e.type() == 'r' || e.type() == 'e') {
      Pending p = pending.get(tid);
      if (p != null && p.address.equals(sender)) {
        pending.remove(tid);
        p.timer.cancel(false);
        table.failed(sender);
        p.callback.onFailure();
      }
    }
  }

  private void answer(KrpcMessage message, InetSocketAddress sender) {
    BencodeString tid = message.transactionId();
    Pending p = pending.get(tid);
    if (p == null) {
      droppedUnknownTransaction.incrementAndGet();
      return;
    }
    if (!p.address.equals(sender)) {
      droppedWrongAddress.incrementAndGet();
      return;
    }
    pending.remove(tid);
    p.timer.cancel(false);
    if (message instanceof Response r) {
      responsesReceived.incrementAndGet();
      table.heardFrom(new NodeContact(r.sender(), sender), true);
      p.callback.onResponse(r);
    } else {
      errorsReceived.incrementAndGet();
      Error e = (Error) message;
      log.debug("KRPC error {} from {}: {}", e.code(), sender, e.message());
      // For the routing table an error is a failed query: a node that cannot serve us is of no
      // use, and a ping of ours that it answers so must not stay pending forever.
      table.failed(sender);
      p.callback.onFailure();
    }
  }

  private void serve(Query q, InetSocketAddress sender) {
    table.heardFrom(new NodeContact(q.sender(), sender), false);
    BencodeString tid = q.transactionId();
    Response reply;
    if (q instanceof Ping) {
      reply = Response.of(tid, id);
    } else if (q instanceof FindNode f) {
      reply = response(tid, table.closest(f.target(), RoutingTable.K), ImmutableList.of(), null,
          sender);
    } else if (q instanceof GetPeers g) {
      ImmutableList<InetSocketAddress> values = store.get(g.infoHash(), random);
      ImmutableList<NodeContact> nodes =
          values.isEmpty()
              ? table.closest(NodeId.of(g.infoHash()), RoutingTable.K)
              : ImmutableList.of();
      reply = response(tid, nodes, values, tokens.tokenFor(sender.getAddress()), sender);
    } else if (q instanceof AnnouncePeer a) {
      if (!tokens.isValid(a.token(), sender.getAddress())) {
        send(new Error(tid, Error.PROTOCOL, "bad token"), sender);
        return;
      }
      int port = a.impliedPort() ? sender.getPort() : a.port();
      store.add(a.infoHash(), new InetSocketAddress(sender.getAddress(), port));
      reply = Response.of(tid, id);
    } else {
      send(new Error(tid, Error.METHOD_UNKNOWN,
          "method unknown: " + ((UnknownQuery) q).method()), sender);
      return;
    }
    send(new Response(reply.transactionId(), reply.sender(), reply.nodes(), reply.values(),
        reply.token(), Optional.of(sender)), sender);
  }

  private Response response(
      BencodeString tid,
      ImmutableList<NodeContact> nodes,
      ImmutableList<InetSocketAddress> values,
      BencodeString token,
      InetSocketAddress sender) {
    return new Response(tid, id, nodes, values, Optional.ofNullable(token),
        Optional.of(sender));
  }

  private void send(KrpcMessage message, InetSocketAddress to) {
    publish(); // whoever sees this message's effect sees it in stats() too
    if (channel == null || !channel.isActive()) {
      return;
    }
    byte[] bytes = Krpc.encode(message, VERSION);
    channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), to))
        .addListener(f -> {
          if (!f.isSuccess()) {
            log.debug("DHT send to {} failed", to, f.cause());
          }
        });
  }

  // ------------------------------------------------------------------------ outgoing queries

  private void query(InetSocketAddress to, Function<BencodeString, Query> make,
      Callback callback) {
    if (channel == null) {
      throw new IllegalStateException("DHT engine not attached to a channel");
    }
    if (closed || to.isUnresolved() || !Compact.encodable(to)
        || !options.addressFilter().test(to)) {
      // Later, not now: the caller may be in the middle of a step of its own.
      channel.eventLoop().execute(callback::onFailure);
      return;
    }
    BencodeString tid;
    do {
      nextTransaction = (nextTransaction + 1) & 0xffff;
      tid = BencodeString.of(new byte[] {(byte) (nextTransaction >>> 8), (byte) nextTransaction});
    } while (pending.containsKey(tid));
    BencodeString t = tid;
    ScheduledFuture<?> timer =
        channel.eventLoop().schedule(() -> {
          Pending p = pending.remove(t);
          if (p != null) {
            timeouts.incrementAndGet();
            table.failed(to);
            p.callback.onFailure();
            publish();
          }
        }, options.queryTimeout().toNanos(), TimeUnit.NANOSECONDS);
    pending.put(tid, new Pending(to, callback, timer));
    queriesSent.incrementAndGet();
    send(make.apply(tid), to);
  }

  private void ping(NodeContact node) {
    query(node.address(), tid -> new Ping(tid, id), new Callback() {
      @Override
      public void onResponse(Response response) {}

      @Override
      public void onFailure() {}
    });
  }

  /** Pings {@code address}; if it answers, it enters the table, and the first node starts a
   * bootstrap lookup. Runs on the event loop. */
  public void addNode(InetSocketAddress address) {
    boolean wasEmpty = table.size() == 0;
    query(address, tid -> new Ping(tid, id), new Callback() {
      @Override
      public void onResponse(Response response) {
        if (wasEmpty && table.size() > 0) {
          lookup(Lookup.Kind.FIND_NODE, id, List.of(), p -> {});
        }
      }

      @Override
      public void onFailure() {}
    });
  }

  // ------------------------------------------------------------------------ lookups

  private void lookupQuery(
      InetSocketAddress address,
      Lookup.Kind kind,
      NodeId target,
      Consumer<Response> onResponse,
      Runnable onFailure) {
    query(
        address,
        tid ->
            kind == Lookup.Kind.FIND_NODE
                ? new FindNode(tid, id, target)
                : new GetPeers(tid, id, InfoHash.of(target.toByteArray())),
        new Callback() {
          @Override
          public void onResponse(Response response) {
            onResponse.accept(response);
          }

          @Override
          public void onFailure() {
            onFailure.run();
          }
        });
  }

  /** Runs a lookup from the closest nodes of the table plus {@code extra} addresses. */
  CompletableFuture<Lookup.Result> lookup(
      Lookup.Kind kind, NodeId target, List<InetSocketAddress> extra,
      Consumer<List<InetSocketAddress>> onPeers) {
    if (closed) {
      return CompletableFuture.failedFuture(new DhtException("DHT node closed"));
    }
    Lookup lookup =
        new Lookup(
            kind, target, options.alpha(), id, this::lookupQuery, options.addressFilter(), onPeers);
    lookups.add(lookup);
    lookupsRunning = lookups.size();
    lookup.done().whenComplete((r, e) -> {
      lookups.remove(lookup);
      lookupsRunning = lookups.size();
    });
    if (kind == Lookup.Kind.GET_PEERS) {
      lookup.addKnownPeers(store.get(InfoHash.of(target.toByteArray()), random));
    }
    lookup.start(table.closest(target, RoutingTable.K * 2), extra);
    return lookup.done();
  }

  /** The bootstrap lookup: our own id, from the table, the saved nodes and the bootstrap nodes. */
  public CompletableFuture<Integer> bootstrap() {
    List<InetSocketAddress> extra = new ArrayList<>();
    for (NodeContact c : savedNodes) {
      extra.add(c.address());
    }
    extra.addAll(bootstrap);
    return lookup(Lookup.Kind.FIND_NODE, id, extra, p -> {}).thenApply(r -> table.size());
  }

  /** get_peers lookup; {@code onPeers} runs on the event loop with each batch of new peers. */
  public CompletableFuture<List<InetSocketAddress>> getPeers(
      InfoHash infoHash, Consumer<List<InetSocketAddress>> onPeers) {
    return lookup(Lookup.Kind.GET_PEERS, NodeId.of(infoHash), List.of(), onPeers)
        .thenApply(Lookup.Result::peers);
  }

  /** What an announce did: the peers its lookup found and how many nodes stored us. */
  public record Announced(List<InetSocketAddress> peers, int storedAt) {}

  /**
   * get_peers lookup, then announce_peer to the closest nodes (at most 8) that gave a token. The
   * future completes once every announce has been answered or has timed out.
   */
  public CompletableFuture<Announced> announce(
      InfoHash infoHash, int port, boolean impliedPort,
      Consumer<List<InetSocketAddress>> onPeers) {
    CompletableFuture<Announced> result = new CompletableFuture<>();
    lookup(Lookup.Kind.GET_PEERS, NodeId.of(infoHash), List.of(), onPeers)
        .whenComplete((r, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
            return;
          }
          List<Lookup.Answered> targets = new ArrayList<>();
          for (Lookup.Answered a : r.closest()) {
            if (a.token() != null) {
              targets.add(a);
            }
          }
          if (targets.isEmpty()) {
            result.complete(new Announced(r.peers(), 0));
            return;
          }
          int[] left = {targets.size()};
          int[] stored = {0};
          for (Lookup.Answered a : targets) {
            query(a.node().address(),
                tid -> new AnnouncePeer(tid, id, infoHash, port, impliedPort, a.token()),
                new Callback() {
                  @Override
                  public void onResponse(Response response) {
                    stored[0]++;
                    done();
                  }

                  @Override
                  public void onFailure() {
                    done();
                  }

                  private void done() {
                    if (--left[0] == 0) {
                      result.complete(new Announced(r.peers(), stored[0]));
                    }
                  }
                });
          }
        });
    return result;
  }

  // ------------------------------------------------------------------------ upkeep

  private void maintain() {
    try {
      store.expire();
      if (table.size() == 0 && (!bootstrap.isEmpty() || !savedNodes.isEmpty())) {
        bootstrap();
      } else {
        for (NodeId target : table.refreshTargets(random)) {
          lookup(Lookup.Kind.FIND_NODE, target, List.of(), p -> {});
        }
      }
    } catch (RuntimeException e) {
      log.warn("DHT maintenance failed", e);
    } finally {
      publish();
    }
  }

  /** Up to {@code count} good nodes, for the state file. */
  public ImmutableList<NodeContact> goodNodes(int count) {
    return table.goodNodes(count);
  }

  /** Fails every pending query and lookup and stops maintenance; the caller closes the channel. */
  public void shutdown() {
    if (closed) {
      return;
    }
    closed = true;
    if (maintenance != null) {
      maintenance.cancel(false);
    }
    for (Lookup l : List.copyOf(lookups)) {
      l.cancel();
    }
    List<Pending> left = List.copyOf(pending.values());
    pending.clear();
    for (Pending p : left) {
      p.timer.cancel(false);
      p.callback.onFailure(); // announces in progress complete with what they have
    }
  }

  private void publish() {
    tableSize = table.size();
    bucketCount = table.bucketCount();
    storedInfoHashes = store.infoHashCount();
    storedPeers = store.peerCount();
    rejectedPerIp = table.rejectedPerIp();
  }

  /** A snapshot of the counters; callable from any thread. */
  public DhtStats stats() {
    return new DhtStats(
        tableSize,
        bucketCount,
        storedInfoHashes,
        storedPeers,
        queriesSent.get(),
        responsesReceived.get(),
        errorsReceived.get(),
        timeouts.get(),
        queriesReceived.get(),
        droppedMalformed.get(),
        droppedOversized.get(),
        droppedUnknownTransaction.get(),
        droppedWrongAddress.get(),
        droppedFiltered.get(),
        rejectedPerIp,
        lookupsRunning);
  }

  /** Datagrams whose handling failed with an exception (a bug of ours), for tests. */
  long internalErrors() {
    return internalErrors.get();
  }

  /** The routing table, for tests of this package. */
  RoutingTable table() {
    return table;
  }
}
