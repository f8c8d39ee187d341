package org.functorrent.peer.internal;

import com.google.common.collect.ImmutableMap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.PeerOptions;
import org.functorrent.peer.internal.PeerMessage.AllowedFast;
import org.functorrent.peer.internal.PeerMessage.Bitfield;
import org.functorrent.peer.internal.PeerMessage.BlockMessage;
import org.functorrent.peer.internal.PeerMessage.BlockMessageKind;
import org.functorrent.peer.internal.PeerMessage.BlockMessages;
import org.functorrent.peer.internal.PeerMessage.Extended;
import org.functorrent.peer.internal.PeerMessage.ExtendedHandshake;
import org.functorrent.peer.internal.PeerMessage.Have;
import org.functorrent.peer.internal.PeerMessage.KeepAlive;
import org.functorrent.peer.internal.PeerMessage.Piece;
import org.functorrent.peer.internal.PeerMessage.Port;
import org.functorrent.peer.internal.PeerMessage.Simple;
import org.functorrent.peer.internal.PeerMessage.Suggest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one stateful handler of a peer connection, last in its pipeline. It receives the peer's
 * {@link Handshake}, installs the frame decoder and the message codec in front of itself, moves
 * the channel to its torrent's event loop if it is not there yet, and from then on runs the
 * protocol for one peer: its pieces, the choke and interest states both ways, our outstanding
 * requests and its queued requests. Swarm-wide decisions are the {@link SwarmEngine}'s.
 */
public final class PeerConnection extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(PeerConnection.class);

  /** The largest block a peer may request from us (BEP 3 clients use 16 KiB; some 128 KiB). */
  static final int MAX_REQUEST_LENGTH = 128 * 1024;

  /** reqq when a peer does not say (libtorrent's default). */
  static final int DEFAULT_PEER_REQQ = 250;

  private static final int MAX_READS_IN_FLIGHT = 64;

  /**
   * Bytes of block reads in flight for one peer at most (one more block may start below it): with
   * the send buffer's high-water mark, what serving an honest peer may leave unsent.
   */
  static final int MAX_READ_BYTES_IN_FLIGHT = MAX_READS_IN_FLIGHT * Block.SIZE;

  /**
   * Blocks a peer may send unasked beyond the requests we took back (a cancel crosses the block
   * on the wire); one more closes the connection, so a peer cannot keep us reading and dropping.
   */
  static final int UNREQUESTED_ALLOWANCE = 64;

  /**
   * Requests we refuse (sent while choked, for a piece we lack, or beyond our queue) beyond our
   * queue's length, counted from our last unchoke or empty queue, before the connection closes:
   * each refusal may cost a reject message that the peer need not read.
   */
  static final int REFUSED_ALLOWANCE = 64;

  /**
   * How long a fast peer (BEP 6) that choked us has to serve or reject the requests it holds, at
   * most: half the block timeout. BEP 6 makes a choke leave requests standing, each to be
   * answered; a peer that answers none would hold those blocks for the whole block timeout.
   */
  static final long CHOKED_REQUEST_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final SwarmEngine swarm;
  private final PeerOptions options;
  private final boolean outgoing;
  private final ArrayDeque<Object> early = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Handshake remote;
  private boolean started;
  private boolean closed;
  /** Requests were queued since the last batch of reads: serve them when the batch ends. */
  private boolean serveDue;
  /** Blocks written to the channel since the last flush; a flush task is queued for them. */
  private boolean flushQueued;
  private ScheduledFuture<?> handshakeTimer;

  private boolean fast;
  private boolean extensionProtocol;
  private final BitSet peerHas = new BitSet();
  private boolean piecesAnnounced;
  private boolean haveReceived;
  boolean amChoking = true;
  boolean amInterested;
  boolean peerChoking = true;
  /** When the peer last choked us (while it was not choking us already). */
  private long chokedNanos;
  boolean peerInterested;
  /** Our requests in the order sent. */
  private final LinkedHashMap<Block, Request> outstanding = new LinkedHashMap<>();
  /** Blocks this peer skipped (see {@link #tick}), with when: not asked of it again for a while. */
  private final HashMap<Block, Long> timedOut = new HashMap<>();
  private long requestSeq;
  /** The sequence number of the latest request that the peer answered. */
  private long answeredSeq = -1;
  private int queueDepth;
  /** Blocks arrived since the last refill: request more once the current read batch is done. */
  private boolean requestsDue;
  private int peerReqq = DEFAULT_PEER_REQQ;
  private Map<String, Integer> remoteExtensions = Map.of();
  private OptionalInt peerListenPort = OptionalInt.empty();
  /** The peer's {@code port} message has been handed to the DHT (once per connection). */
  private boolean dhtNodeSeen;

  long downloaded;
  long uploaded;
  private long lastDownloaded;
  private long lastUploaded;
  long downloadRate;
  long uploadRate;
  private long lastBlockNanos;
  /** Whether anything was written since the last tick; the tick that saw the last write. */
  private boolean wroteSinceTick;
  private long lastWriteTickNanos;
  boolean snubbed;

  private final ArrayDeque<Block> serveQueue = new ArrayDeque<>();
  /** Requests we took back (cancelled or dropped): their blocks may still arrive. */
  private long withdrawnRequests;
  /** Blocks that arrived without a request of ours outstanding. */
  private long unrequestedBlocks;
  /** Requests refused since our last unchoke or since the serve queue was last empty. */
  private int refusedRequests;
  private int readsInFlight;
  private int readBytesInFlight;
  /**
   * Blocks the peer cancelled after their reads may have started, and did not request again since:
   * such a read is answered with a reject (or, without the fast extension, nothing) rather than
   * 16 KiB it no longer wants. At most {@link #MAX_READS_IN_FLIGHT}; emptied whenever no read is
   * running.
   */
  private final HashSet<Block> cancelledReads = new HashSet<>();
  /** Our answer to the peer's interest (a choke or an unchoke) went out, at the time below. */
  boolean interestAnswered;
  long interestAnsweredNanos;
  /** The peer's interest changed since our last answer, which was too recent to answer again. */
  boolean interestAnswerDue;
  private int pendingWrites;

  /** When a request went out, and its place in the order of our requests. */
  private record Request(long nanos, long seq) {}

  PeerConnection(SwarmEngine swarm, boolean outgoing) {
    this.swarm = swarm;
    this.options = swarm.options();
    this.outgoing = outgoing;
    this.queueDepth = options.initialRequestQueue();
  }

  // ---------------------------------------------------------------- handshake and setup

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      armHandshakeTimer();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (outgoing) {
      // Before the swarm knows this connection.
      ctx.writeAndFlush(HandshakeCodec.encode(ctx.alloc(), swarm.ourHandshake()));
    }
    armHandshakeTimer();
    ctx.fireChannelActive();
  }

  private void armHandshakeTimer() {
    if (handshakeTimer == null && remote == null) {
      handshakeTimer =
          ctx.executor()
              .schedule(
                  () -> {
                    if (remote == null) {
                      log.debug("{}: no handshake in time", ctx.channel());
                      ctx.close();
                    }
                  },
                  options.handshakeTimeout().toMillis(),
                  TimeUnit.MILLISECONDS);
    }
  }

  /** Called with the peer's handshake, on whatever event loop the channel is on. */
  void handshakeReceived(Handshake handshake) {
    if (handshakeTimer != null) {
      handshakeTimer.cancel(false);
    }
    if (!handshake.infoHash().equals(swarm.infoHash())
        || handshake.peerId().equals(swarm.ourPeerId())) {
      log.debug("{}: wrong info-hash or our own peer id", ctx.channel());
      ctx.close();
      return;
    }
    remote = handshake;
    fast = handshake.supportsFastExtension();
    extensionProtocol = handshake.supportsExtensionProtocol();
    String name = ctx.name();
    ctx.pipeline()
        .addBefore(name, "decoder", new MessageDecoder(swarm.maxFrameLength()))
        .addBefore(name, "encoder", MessageCodec.INSTANCE);
    Channel ch = ctx.channel();
    EventLoop loop = swarm.loop();
    if (ch.eventLoop() == loop) {
      start();
      return;
    }
    // An incoming connection accepted on another event loop: move it to the torrent's.
    ch.config().setAutoRead(false);
    ch.deregister()
        .addListener(
            (ChannelFutureListener)
                d -> {
                  if (!d.isSuccess()) {
                    ch.close();
                    return;
                  }
                  loop.register(ch)
                      .addListener(
                          (ChannelFutureListener)
                              r -> {
                                if (r.isSuccess()) {
                                  start();
                                } else {
                                  ch.close();
                                }
                              });
                });
  }

  /** On the torrent's event loop, once the handshakes are done. */
  private void start() {
    Channel ch = ctx.channel();
    if (!ch.isActive()) {
      releaseEarly();
      return;
    }
    if (!outgoing) {
      ctx.write(HandshakeCodec.encode(ctx.alloc(), swarm.ourHandshake()));
    }
    if (!swarm.attach(this)) {
      ctx.flush();
      ctx.close();
      releaseEarly();
      return;
    }
    started = true;
    // Added here, on the torrent's event loop, so that its timers run there.
    ctx.pipeline()
        .addBefore(ctx.name(), "idle", new IdleStateHandler(
            options.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    lastWriteTickNanos = swarm.nanoTime(); // keep-alives: see tick
    BitSet have = swarm.picker().haveSet();
    int pieceCount = swarm.pieceCount();
    if (fast && have.isEmpty()) {
      write(Simple.HAVE_NONE);
    } else if (fast && have.cardinality() == pieceCount) {
      write(Simple.HAVE_ALL);
    } else if (!have.isEmpty()) {
      write(Bitfield.of(have, pieceCount));
    }
    if (extensionProtocol) {
      write(swarm.extendedHandshakeFor(this));
    }
    int dhtPort = swarm.client().dhtPort();
    if (dhtPort > 0 && remote.supportsDht()) {
      write(new Port(dhtPort)); // BEP 5: our DHT node, to a peer that runs one
    }
    flush();
    while (!early.isEmpty() && !closed) {
      handle(early.poll());
    }
    releaseEarly();
    refillRequests();
    serveRequested();
    ch.config().setAutoRead(true);
  }

  private void releaseEarly() {
    while (!early.isEmpty()) {
      ReferenceCountUtil.release(early.poll());
    }
  }

  // ---------------------------------------------------------------- inbound

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Handshake h) {
      handshakeReceived(h);
    } else if (!started) {
      if (closed) {
        ReferenceCountUtil.release(msg);
      } else {
        early.add(msg);
      }
    } else {
      handle(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    refillRequests();
    serveRequested();
    ctx.fireChannelReadComplete();
  }

  private void refillRequests() {
    if (requestsDue) {
      requestsDue = false;
      requestMore();
    }
  }

  private void handle(Object msg) {
    if (closed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof Piece piece) {
      pieceReceived(piece);
    } else if (msg instanceof Extended extended) {
      try {
        swarm.extensionMessage(this, extended);
      } finally {
        extended.release();
      }
    } else if (msg instanceof Simple simple) {
      simple(simple, !piecesAnnounced && !haveReceived);
    } else if (msg instanceof Have have) {
      have(have.piece());
    } else if (msg instanceof Bitfield bitfield) {
      bitfield(bitfield);
    } else if (msg instanceof BlockMessage m) {
      blockMessage(m);
    } else if (msg instanceof ExtendedHandshake h) {
      extendedHandshake(h);
    } else if (msg instanceof Port port) {
      dhtPort(port.port());
    } else if (msg instanceof KeepAlive
        || msg instanceof Suggest
        || msg instanceof AllowedFast) {
      // Nothing to do: we use neither suggestions nor the allowed-fast set.
      return;
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * BEP 5 {@code port}: the peer's DHT node listens on UDP {@code port} at the peer's address.
   * Handed to the client's DHT once per connection; port 0 and repeats are ignored.
   */
  private void dhtPort(int port) {
    if (port == 0 || dhtNodeSeen || swarm.client().dhtPort() == 0) {
      return;
    }
    dhtNodeSeen = true;
    if (ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
      swarm.client().dhtNodeSeen(new InetSocketAddress(a.getAddress(), port));
    }
  }

  private void protocolError(String problem) {
    log.debug("{}: {}", ctx.channel(), problem);
    close(problem);
  }

  private void simple(Simple m, boolean first) {
    switch (m) {
      case CHOKE:
        if (!peerChoking) {
          chokedNanos = swarm.nanoTime();
        }
        peerChoking = true;
        if (!fast) {
          // BEP 3: a choke discards every pending request. BEP 6 peers reject them instead.
          dropAllRequests(false);
        }
        break;
      case UNCHOKE:
        peerChoking = false;
        requestMore();
        break;
      case INTERESTED:
        peerInterested = true;
        swarm.interestChanged(this);
        break;
      case NOT_INTERESTED:
        peerInterested = false;
        swarm.interestChanged(this);
        break;
      case HAVE_ALL:
      case HAVE_NONE:
        if (!fast || !first) {
          protocolError(m + " without the fast extension or not first");
          return;
        }
        piecesAnnounced = true;
        if (m == Simple.HAVE_ALL) {
          peerHas.set(0, swarm.pieceCount());
          swarm.picker().peerHasAll(peerHas);
          if (swarm.isComplete()) {
            closeAsSeed();
            return;
          }
        }
        updateInterest();
        break;
    }
  }

  private void have(int piece) {
    if (piece >= swarm.pieceCount()) {
      protocolError("have " + piece + " out of range");
      return;
    }
    haveReceived = true;
    if (!peerHas.get(piece)) {
      peerHas.set(piece);
      swarm.picker().peerHas(piece);
      if (swarm.isComplete() && isSeed()) {
        closeAsSeed();
        return;
      }
      if (!amInterested) {
        updateInterest();
      }
      requestMore();
    }
  }

  private void bitfield(Bitfield bitfield) {
    BitSet bits = bitfield.toBitSet(swarm.pieceCount());
    if (bits == null) {
      protocolError("bitfield of the wrong length or with spare bits set");
      return;
    }
    // BEP 3 sends the bitfield first only, but aria2 also sends one later (after "have none"
    // and haves) to sum up what it has; libtorrent accepts that too. A peer never loses pieces,
    // so a bitfield only adds to what we know it has.
    BitSet added = (BitSet) bits.clone();
    added.andNot(peerHas);
    piecesAnnounced = true;
    peerHas.or(added);
    swarm.picker().peerHasAll(added);
    if (swarm.isComplete() && isSeed()) {
      closeAsSeed();
      return;
    }
    updateInterest();
  }

  private void blockMessage(BlockMessage m) {
    Block block = m.block();
    if (!swarm.isValidBlock(block, MAX_REQUEST_LENGTH)) {
      protocolError(m.kind() + " out of range: " + block);
      return;
    }
    switch (m.kind()) {
      case REQUEST:
        requestReceived(block);
        break;
      case CANCEL:
        if (serveQueue.remove(block)) {
          if (fast) {
            send(BlockMessage.reject(block));
          }
        } else if (readsInFlight > 0 && cancelledReads.size() < MAX_READS_IN_FLIGHT) {
          cancelledReads.add(block); // its read may be running
        }
        break;
      case REJECT:
        if (!fast) {
          protocolError("reject without the fast extension");
          return;
        }
        if (outstanding.remove(block) != null) {
          if (!peerChoking) {
            // Refused while it has us unchoked: it will not serve this block, so it is not asked
            // of this peer again for a while (else each reject brings the same request back).
            timedOut.put(block, swarm.nanoTime());
          }
          swarm.picker().requestDropped(block);
          requestMore();
        }
        break;
    }
  }

  private void extendedHandshake(ExtendedHandshake h) {
    if (!extensionProtocol) {
      protocolError("extended message without the extension protocol");
      return;
    }
    Map<String, Integer> merged = new HashMap<>(remoteExtensions);
    h.extensions().forEach((name, id) -> {
      if (id == 0) {
        merged.remove(name);
      } else {
        merged.put(name, id);
      }
    });
    remoteExtensions = ImmutableMap.copyOf(merged);
    OptionalInt reqq = h.requestQueue();
    if (reqq.isPresent()) {
      peerReqq = reqq.getAsInt();
    }
    if (h.listenPort().isPresent()) {
      peerListenPort = h.listenPort();
    }
    swarm.extendedHandshakeReceived(this);
  }

  /** The port the peer listens on, from its extended handshake ({@code p}), if it said. */
  OptionalInt peerListenPort() {
    return peerListenPort;
  }

  /** The id the peer assigned to an extension, if it supports it. */
  public OptionalInt remoteExtensionId(String name) {
    Integer id = remoteExtensions.get(name);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** Sends an extended message to this peer (the payload is released). */
  public void sendExtended(int remoteId, ByteBuf payload) {
    send(new Extended(remoteId, payload));
  }

  // ---------------------------------------------------------------- downloading

  private void pieceReceived(Piece piece) {
    Block block = piece.block();
    Request request = outstanding.remove(block);
    if (request == null) {
      swarm.wasted(block.length());
      piece.release();
      for (Block asked : outstanding.keySet()) {
        if (asked.piece() == block.piece() && asked.offset() == block.offset()) {
          protocolError("a block of " + block.length() + " bytes for a request of "
              + asked.length() + " (" + block + ")");
          return;
        }
      }
      if (++unrequestedBlocks > withdrawnRequests + UNREQUESTED_ALLOWANCE) {
        protocolError(unrequestedBlocks + " blocks that were not requested (last: " + block
            + ")");
      }
      return;
    }
    answeredSeq = Math.max(answeredSeq, request.seq());
    downloaded += block.length();
    lastBlockNanos = swarm.nanoTime();
    if (snubbed) {
      snubbed = false;
      queueDepth = options.initialRequestQueue();
    } else if (queueDepth < options.maxRequestQueue()) {
      queueDepth++; // slow start: one more per block delivered doubles the depth every round trip
    }
    pendingWrites++;
    int clientPending = swarm.client().writeStarted();
    if (pendingWrites >= options.maxPendingWrites()
        || clientPending >= options.maxPendingWritesPerClient()) {
      pauseReading();
    }
    swarm.blockReceived(this, piece);
    // Refilled once per batch of reads (channelReadComplete): one pick and one flush for all the
    // blocks that one socket read delivered rather than a request and a write per block.
    requestsDue = true;
  }

  /** A block write that this connection started has finished, well or not. */
  void writeFinished() {
    pendingWrites--;
    swarm.client().writeFinished();
    maybeResumeReading();
  }

  /**
   * Stops reading from the socket until this connection's pending writes are down to half of
   * {@code maxPendingWrites} and the client's to half of {@code maxPendingWritesPerClient}.
   */
  private void pauseReading() {
    ctx.channel().config().setAutoRead(false);
    swarm.client().readingPaused(this);
    maybeResumeReading(); // in case the client's writes drained meanwhile on another loop
  }

  private void maybeResumeReading() {
    if (!closed
        && started
        && !ctx.channel().config().isAutoRead()
        && pendingWrites <= options.maxPendingWrites() / 2
        && swarm.client().pendingWrites() <= options.maxPendingWritesPerClient() / 2) {
      swarm.client().readingResumed(this);
      ctx.channel().config().setAutoRead(true);
    }
  }

  /** From any thread: the client's writes drained; read again if this connection may. */
  void resumeReadingLater() {
    try {
      ctx.channel().eventLoop().execute(this::maybeResumeReading);
    } catch (RejectedExecutionException e) {
      log.debug("event loop shut down");
    }
  }

  boolean hasOutstanding(Block block) {
    return outstanding.containsKey(block);
  }

  /** Another peer delivered this block first: cancel ours. */
  void cancel(Block block) {
    if (outstanding.remove(block) != null) {
      withdrawnRequests++;
      swarm.picker().requestDropped(block);
      send(BlockMessage.cancel(block));
    }
  }

  void updateInterest() {
    boolean want = !swarm.isComplete() && swarm.picker().isInteresting(peerHas);
    if (want != amInterested) {
      amInterested = want;
      send(want ? Simple.INTERESTED : Simple.NOT_INTERESTED);
    }
    if (want) {
      requestMore();
    }
  }

  void requestMore() {
    if (closed || !started || peerChoking || !amInterested) {
      return;
    }
    int target = Math.min(snubbed ? 1 : queueDepth, peerReqq);
    int wanted = target - outstanding.size();
    if (wanted <= 0) {
      return;
    }
    List<Block> blocks =
        swarm.picker().pick(peerHas, wanted, b -> outstanding.containsKey(b)
            || timedOut.containsKey(b));
    if (blocks.isEmpty()) {
      if (outstanding.isEmpty()) {
        updateInterestQuietly();
      }
      return;
    }
    long now = swarm.nanoTime();
    for (Block b : blocks) {
      outstanding.put(b, new Request(now, requestSeq++));
    }
    write(new BlockMessages(BlockMessageKind.REQUEST, blocks));
    flush();
  }

  private void updateInterestQuietly() {
    if (!swarm.picker().isInteresting(peerHas) && amInterested) {
      amInterested = false;
      send(Simple.NOT_INTERESTED);
    }
  }

  private void dropAllRequests(boolean sendCancel) {
    withdrawnRequests += outstanding.size();
    List<Block> dropped = new ArrayList<>(outstanding.keySet());
    for (Block b : dropped) {
      swarm.picker().requestDropped(b);
    }
    outstanding.clear();
    if (sendCancel && !dropped.isEmpty() && ctx.channel().isActive()) {
      write(new BlockMessages(BlockMessageKind.CANCEL, dropped));
      flush();
    }
  }

  /** Once a second: keep-alives, rates, queue depth and the per-block timeout. */
  void tick(long nowNanos) {
    if (wroteSinceTick) {
      wroteSinceTick = false;
      lastWriteTickNanos = nowNanos;
    } else if (nowNanos - lastWriteTickNanos >= options.keepAliveInterval().toNanos()) {
      send(KeepAlive.INSTANCE); // BEP 3: nothing else went out for that long
    }
    downloadRate = downloaded - lastDownloaded;
    uploadRate = uploaded - lastUploaded;
    lastDownloaded = downloaded;
    lastUploaded = uploaded;
    if (!snubbed) {
      // Enough requests to cover two seconds at the measured rate, never less than slow start
      // reached.
      long depth = Math.max(queueDepth, downloadRate * 2 / Block.SIZE);
      queueDepth =
          (int) Math.max(options.initialRequestQueue(), Math.min(options.maxRequestQueue(), depth));
    }
    long timeout = options.blockTimeout().toNanos();
    timedOut.values().removeIf(at -> nowNanos - at > timeout);
    dropSkippedRequests(nowNanos, timeout);
    if (peerChoking && !outstanding.isEmpty()
        && nowNanos - chokedNanos > Math.min(CHOKED_REQUEST_GRACE_NANOS, timeout / 2)) {
      // Only a fast peer's requests outlive its choke. Taken back, not held against it: asked of
      // it again once it unchokes us.
      log.debug("{}: {} requests neither served nor rejected since it choked us", ctx.channel(),
          outstanding.size());
      dropAllRequests(true);
      swarm.requestFromAll();
    } else if (!outstanding.isEmpty()) {
      long oldest = outstanding.values().iterator().next().nanos();
      long since = Math.max(oldest, lastBlockNanos);
      if (nowNanos - since > timeout) {
        log.debug("{}: stalled with {} requests", ctx.channel(), outstanding.size());
        snubbed = true;
        dropAllRequests(true);
        swarm.requestFromAll();
      }
    }
    requestMore();
  }

  /**
   * The per-block timeout. A request older than {@code timeout} that the peer passed over (it
   * answered a later request) is taken back: cancelled here, asked of other peers, and not asked of
   * this one again for another {@code timeout}. A peer that answers in order is never cut off
   * this way, however slow; one that answers nothing at all is the stall check's.
   */
  private void dropSkippedRequests(long nowNanos, long timeout) {
    List<Block> skipped = new ArrayList<>();
    for (Map.Entry<Block, Request> e : outstanding.entrySet()) {
      Request r = e.getValue();
      if (r.seq() >= answeredSeq || nowNanos - r.nanos() <= timeout) {
        break; // requests are in order: every later one is newer than this
      }
      skipped.add(e.getKey());
    }
    if (skipped.isEmpty()) {
      return;
    }
    log.debug("{}: {} requests passed over for too long", ctx.channel(), skipped.size());
    withdrawnRequests += skipped.size();
    for (Block b : skipped) {
      outstanding.remove(b);
      timedOut.put(b, nowNanos);
      swarm.picker().requestDropped(b);
      write(BlockMessage.cancel(b));
    }
    flush();
    swarm.blocksTimedOut(skipped.size());
    swarm.requestFromAll();
  }

  // ---------------------------------------------------------------- serving

  void setChoking(boolean choke) {
    if (choke == amChoking || closed) {
      return;
    }
    amChoking = choke;
    if (!choke) {
      refusedRequests = 0;
    }
    write(choke ? Simple.CHOKE : Simple.UNCHOKE);
    if (choke) {
      if (fast) {
        for (Block b : serveQueue) {
          write(BlockMessage.reject(b));
        }
      }
      serveQueue.clear();
    }
    flush();
  }

  private void requestReceived(Block block) {
    if (!cancelledReads.isEmpty()) {
      cancelledReads.remove(block); // wanted again: a read of it still running is sent after all
    }
    if (amChoking || !swarm.picker().have(block.piece()) || serveQueue.size()
        >= options.maxServeQueue()) {
      if (++refusedRequests > options.maxServeQueue() + REFUSED_ALLOWANCE) {
        protocolError(refusedRequests + " requests refused (choked: " + amChoking
            + ", queue: " + serveQueue.size() + " of " + options.maxServeQueue() + ")");
        return;
      }
      if (fast) {
        send(BlockMessage.reject(block));
      }
      return;
    }
    serveQueue.add(block);
    serveDue = true;
  }

  /**
   * Starts the reads of the requests that arrived in the last batch read from the socket: once
   * per batch, not once per request, and outside the per-message path, which stays small enough
   * for the JIT to compile again cheaply when a new connection takes its rare branches.
   */
  private void serveRequested() {
    if (serveDue) {
      serveDue = false;
      serve();
    }
  }

  private void serve() {
    while (!closed
        && !serveQueue.isEmpty()
        && readsInFlight < MAX_READS_IN_FLIGHT
        && readBytesInFlight < MAX_READ_BYTES_IN_FLIGHT
        && ctx.channel().isWritable()) {
      Block block = serveQueue.poll();
      readsInFlight++;
      readBytesInFlight += block.length();
      swarm.readBlock(block, this);
    }
  }

  /**
   * A block read for this peer, with room for the piece header before it ({@link
   * MessageCodec#pieceFrame}); {@code data} is null when the read failed.
   */
  void blockRead(Block block, ByteBuf data) {
    readsInFlight--;
    readBytesInFlight -= block.length();
    boolean cancelled = !cancelledReads.isEmpty() && cancelledReads.remove(block);
    if (readsInFlight == 0) {
      cancelledReads.clear(); // what is left there was not being read
    }
    if (data == null) {
      close("a block could not be read from storage");
      return;
    }
    if (closed || amChoking || cancelled) {
      data.release();
      if (!closed && fast) {
        // BEP 6: neither a choke nor a cancel takes back a fast peer's request, each is answered;
        // a dropped one would leave the peer waiting for it until its request times out.
        write(BlockMessage.reject(block));
        flushSoon();
      }
      if (cancelled && !closed && !amChoking) {
        serve();
      }
      return;
    }
    ByteBuf frame;
    try {
      frame = MessageCodec.pieceFrame(block.piece(), block.offset(), data);
    } catch (RuntimeException e) {
      data.release();
      close("a block came back from storage without room for its header: " + e.getMessage());
      return;
    }
    uploaded += block.length();
    swarm.uploaded(block.length());
    // One buffer, header and block: it passes the message codec as it is.
    write(frame);
    flushSoon();
    if (serveQueue.isEmpty() && readsInFlight == 0) {
      refusedRequests = 0; // it read all we served: not a peer that floods us
    }
    serve();
  }

  /**
   * Flushes after the tasks already queued on the loop: the reads that complete together (they
   * come back from the storage threads in bursts) go out in one system call instead of one each.
   */
  private void flushSoon() {
    if (flushQueued) {
      return;
    }
    flushQueued = true;
    try {
      ctx.channel().eventLoop().execute(this::flushQueued);
    } catch (RejectedExecutionException e) {
      flushQueued();
    }
  }

  private void flushQueued() {
    flushQueued = false;
    flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (started) {
      serve();
    }
    ctx.fireChannelWritabilityChanged();
  }

  /** Our answer to the peer's interest went out now. */
  void interestAnswered(long nowNanos) {
    interestAnswered = true;
    interestAnsweredNanos = nowNanos;
  }

  void sendHave(int piece) {
    if (started && !closed) {
      send(new Have(piece));
    }
  }

  // ---------------------------------------------------------------- sending

  /** Writes and flushes {@code message}, then checks what the peer leaves unread. */
  private void send(Object message) {
    wroteSinceTick = true;
    ctx.writeAndFlush(message);
    checkUnsent();
  }

  /**
   * Writes {@code message}, unflushed. Writes are noted here, not by an {@code IdleStateHandler}
   * with a writer timeout: that one put a listener on every write's promise, one per block served.
   */
  private void write(Object message) {
    wroteSinceTick = true;
    ctx.write(message);
  }

  /** Flushes what was written, then checks what the peer leaves unread. */
  private void flush() {
    ctx.flush();
    checkUnsent();
  }

  /**
   * Closes the connection once more than {@link PeerOptions#maxUnsentBytes()} wait to be sent:
   * the peer makes us answer what it sends (requests, cancels, interest, our chokes and haves)
   * and does not read the answers, which would otherwise pile up here without bound. Serving
   * stops at the send buffer's high-water mark, so an honest peer that reads slowly never gets
   * near the limit.
   */
  private void checkUnsent() {
    Channel ch = ctx.channel();
    if (closed || ch.isWritable()) {
      return; // below the high-water mark, far below the limit
    }
    long unsent = unsentBytes(ch);
    if (unsent > options.maxUnsentBytes()) {
      log.info("{}: closed: {} bytes unsent (limit {}): the peer does not read", ch, unsent,
          options.maxUnsentBytes());
      swarm.nonReadingPeerClosed();
      close(unsent + " bytes unsent, more than " + options.maxUnsentBytes()
          + ": the peer does not read");
    }
  }

  /** The bytes written to {@code ch} and not yet taken by its socket. */
  static long unsentBytes(Channel ch) {
    ChannelOutboundBuffer buffer = ch.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  // ---------------------------------------------------------------- life cycle

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent e) {
      if (e.state() == IdleState.READER_IDLE) {
        protocolError("idle: nothing received for " + options.idleTimeout().toSeconds() + " s");
      }
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: {}", ctx.channel(), cause.toString());
    close(cause.toString());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    if (handshakeTimer != null) {
      handshakeTimer.cancel(false);
    }
    releaseEarly();
    swarm.client().readingResumed(this);
    if (started) {
      started = false;
      dropAllRequests(false);
      serveQueue.clear();
      swarm.detach(this);
    }
    ctx.fireChannelInactive();
  }

  /** Why the connection closed: what we saw, or that the peer closed it. */
  private String closeReason;

  void close(String reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
    closed = true;
    ctx.close();
  }

  String closeReason() {
    return closeReason != null ? closeReason : "closed by the peer";
  }

  /** Set when we closed because both sides seed; such a peer is not dialled again. */
  boolean closedAsSeed;

  void closeAsSeed() {
    closedAsSeed = true;
    close("both sides have every wanted piece");
  }

  // ---------------------------------------------------------------- accessors

  public Channel channel() {
    return ctx.channel();
  }

  PeerId peerId() {
    return remote.peerId();
  }

  boolean isOutgoing() {
    return outgoing;
  }

  SocketAddress remoteAddress() {
    return ctx.channel().remoteAddress();
  }

  BitSet peerHas() {
    return peerHas;
  }

  boolean isSeed() {
    return peerHas.cardinality() == swarm.pieceCount();
  }

  int outstandingCount() {
    return outstanding.size();
  }

  @Override
  public String toString() {
    return "PeerConnection[" + (ctx == null ? "?" : ctx.channel().remoteAddress()) + "]";
  }
}
