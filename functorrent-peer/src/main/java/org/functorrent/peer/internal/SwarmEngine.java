package org.functorrent.peer.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.FilePriorities;
import org.functorrent.peer.PeerOptions;
import org.functorrent.peer.PieceStore;
import org.functorrent.peer.ReceivedBlock;
import org.functorrent.peer.Swarm;
import org.functorrent.peer.SwarmListener;
import org.functorrent.peer.SwarmStats;
import org.functorrent.peer.internal.PeerMessage.Extended;
import org.functorrent.peer.internal.PeerMessage.ExtendedHandshake;
import org.functorrent.peer.internal.PeerMessage.Piece;
import org.functorrent.peer.internal.PiecePicker.Received;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One torrent's swarm. All of its state is confined to one event loop: public methods hand their
 * work to it, and {@link PeerConnection}s call the package-private methods from it.
 */
public final class SwarmEngine implements Swarm {
  private static final Logger log = LoggerFactory.getLogger(SwarmEngine.class);
  private static final long TICK_MILLIS = 1000;
  private static final long MAX_BACKOFF_NANOS = TimeUnit.MINUTES.toNanos(5);

  /**
   * Addresses a swarm keeps at most: trackers (and peers) can hand us any number of them, so past
   * this the addresses that kept failing are forgotten and further new ones ignored.
   */
  static final int MAX_KNOWN_PEERS = 3000;

  /** A peer's interest changes get at most one immediate answer (choke or unchoke) this often. */
  static final long INTEREST_ANSWER_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ClientCore client;
  private final PeerOptions options;
  private final MetaInfo metaInfo;
  private final PieceStore store;
  private final SwarmListener listener;
  private final EventLoop loop;
  /** The blocks accepted in this pass of the loop: see {@link #writeBurst}. */
  private final List<Accepted> burst = new ArrayList<>();
  private final PiecePicker<PeerId> picker;
  private final Choker<PeerConnection> choker;
  private final Random random;
  private final int maxFrameLength;
  private final Map<String, ExtensionHandler> extensions = new TreeMap<>();
  private final Map<Integer, ExtensionHandler> extensionsById = new HashMap<>();

  private final Set<PeerConnection> connections = new LinkedHashSet<>();
  private final Set<Channel> channels = new HashSet<>();
  private final Dialer dialer;
  private final Map<InetSocketAddress, PeerEntry> known = new LinkedHashMap<>();
  private final Blame<PeerId> blame = new Blame<>();
  /** Bans handed over by {@link #ban(Collection)}: not this swarm's doing, so not counted. */
  private int carriedBans;
  private final CompletableFuture<Void> completion = new CompletableFuture<>();
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private ScheduledFuture<?> ticker;
  private long ticks;
  private boolean closed;

  private long downloaded;
  private long uploaded;
  private long wasted;
  private int failedPieces;
  private long timedOutBlocks;
  private int nonReadingPeers;

  /** An address we may connect to. */
  private static final class PeerEntry {
    final InetSocketAddress address;
    int failures;
    long nextAttemptNanos;
    boolean busy;
    boolean dropped;
    /** Sent bad data: dropped, and never forgotten so that it is not dialled again. */
    boolean banned;
    /** Closed because both sides had every wanted piece: dialled again only if we want more. */
    boolean seed;

    PeerEntry(InetSocketAddress address) {
      this.address = address;
    }
  }

  SwarmEngine(
      ClientCore client,
      MetaInfo metaInfo,
      PieceStore store,
      BitSet verified,
      SwarmListener listener,
      List<ExtensionHandler> extensionHandlers,
      long seed) {
    this.client = client;
    this.options = client.options();
    this.metaInfo = metaInfo;
    this.store = store;
    this.listener = listener;
    this.loop = client.group().next();
    this.dialer = new Dialer(client, loop, channels, true);
    this.random = new Random(seed);
    this.picker =
        new PiecePicker<>(metaInfo.pieceCount(), metaInfo::pieceSize, random, client::nanoTime);
    this.picker.setHave(verified);
    this.choker = new Choker<>(options.uploadSlots(), random);
    this.maxFrameLength = MessageCodec.maxFrameLength(metaInfo.pieceCount());
    for (ExtensionHandler h : standardExtensions(metaInfo)) {
      extensions.put(h.name(), h);
    }
    for (ExtensionHandler h : extensionHandlers) {
      extensions.put(h.name(), h);
    }
    int id = 1;
    for (ExtensionHandler h : extensions.values()) {
      extensionsById.put(id++, h);
    }
    if (picker.isComplete()) {
      completion.complete(null);
    }
  }

  /**
   * The extensions every swarm runs: {@code ut_metadata} serving (BEP 9; private torrents too, as
   * libtorrent does: BEP 27 restricts peer sources, not the metadata) and, unless the torrent is
   * private, {@code ut_pex} (BEP 11).
   */
  private List<ExtensionHandler> standardExtensions(MetaInfo meta) {
    List<ExtensionHandler> standard = new ArrayList<>();
    standard.add(new MetadataServer(meta));
    if (!meta.isPrivate()) {
      standard.add(new PexExtension(this, client.pexIntervalNanos()));
    }
    return standard;
  }

  void start() {
    loop.execute(
        () ->
            ticker =
                loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS,
                    TimeUnit.MILLISECONDS));
  }

  // ---------------------------------------------------------------- accessors

  @Override
  public InfoHash infoHash() {
    return metaInfo.infoHash();
  }

  long nanoTime() {
    return client.nanoTime();
  }

  PeerOptions options() {
    return options;
  }

  EventLoop loop() {
    return loop;
  }

  PiecePicker<PeerId> picker() {
    return picker;
  }

  int pieceCount() {
    return metaInfo.pieceCount();
  }

  int maxFrameLength() {
    return maxFrameLength;
  }

  PeerId ourPeerId() {
    return client.peerId();
  }

  boolean isComplete() {
    return picker.isComplete();
  }

  Handshake ourHandshake() {
    long reserved = Handshake.EXTENSION_PROTOCOL | Handshake.FAST_EXTENSION;
    if (client.dhtPort() > 0) {
      reserved |= Handshake.DHT;
    }
    return new Handshake(reserved, infoHash(), client.peerId());
  }

  ExtendedHandshake extendedHandshakeFor(PeerConnection c) {
    Map<String, Integer> m = new LinkedHashMap<>();
    extensionsById.forEach((id, h) -> m.put(h.name(), id));
    OptionalInt port = client.listenPort();
    return new ExtendedHandshake(
        ImmutableMap.copyOf(m),
        Optional.of(options.clientName()),
        port,
        OptionalInt.of(options.maxServeQueue()),
        c.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
            ? Optional.of(a.getAddress())
            : Optional.empty(),
        extensions.get(MetadataMessage.NAME) instanceof MetadataServer server
            ? OptionalLong.of(server.size())
            : OptionalLong.empty());
  }

  /** How many addresses this swarm keeps (for tests). */
  CompletableFuture<Integer> knownPeerCount() {
    CompletableFuture<Integer> f = new CompletableFuture<>();
    execute(() -> f.complete(known.size()));
    return f;
  }

  boolean isValidBlock(Block block, int maxLength) {
    if (block.piece() >= pieceCount() || block.length() == 0 || block.length() > maxLength) {
      return false;
    }
    return (long) block.offset() + block.length() <= metaInfo.pieceSize(block.piece());
  }

  // ---------------------------------------------------------------- public API

  @Override
  public void addPeers(Collection<InetSocketAddress> peers) {
    List<InetSocketAddress> copy = List.copyOf(peers);
    execute(
        () -> {
          boolean swept = false;
          int ignored = 0;
          for (InetSocketAddress a : copy) {
            if (a.getPort() > 0 && !known.containsKey(a) && !client.isOwnListenAddress(a)) {
              if (known.size() >= MAX_KNOWN_PEERS && !swept) {
                swept = true;
                known.values().removeIf(e -> e.dropped && !e.banned && !e.busy);
              }
              if (known.size() >= MAX_KNOWN_PEERS) {
                ignored++;
                continue;
              }
              known.put(a, new PeerEntry(a));
            }
          }
          if (ignored > 0) {
            log.debug("{}: {} addresses ignored: {} known already", infoHash(), ignored,
                known.size());
          }
          connectMore();
        });
  }

  @Override
  public void setPiecePriority(int piece, int priority) {
    checkElementIndex(piece, pieceCount(), "piece");
    checkArgument(
        priority >= 0 && priority <= 7, "priority: %s (expected: 0..7)", priority);
    execute(() -> {
      picker.setPriority(piece, priority);
      piecesWanted();
    });
  }

  @Override
  public void setFilePriorities(List<Integer> filePriorities) {
    int[] priorities = FilePriorities.toPiecePriorities(metaInfo, filePriorities);
    // One task, so that no half-applied set of priorities is ever seen as complete.
    execute(() -> {
      for (int i = 0; i < priorities.length; i++) {
        picker.setPriority(i, priorities[i]);
      }
      piecesWanted();
    });
  }

  @Override
  public void setPieceDeadline(int piece, Duration deadline) {
    checkElementIndex(piece, pieceCount(), "piece");
    checkNotNull(deadline, "deadline");
    execute(() -> {
      picker.setDeadline(piece, client.nanoTime() + saturatedNanos(deadline));
      requestFromAll();
    });
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
    }
  }

  @Override
  public void clearPieceDeadline(int piece) {
    checkElementIndex(piece, pieceCount(), "piece");
    execute(() -> picker.clearDeadline(piece));
  }

  @Override
  public void setSequential(boolean sequential) {
    execute(() -> picker.setSequential(sequential));
  }

  private void piecesWanted() {
    if (picker.isComplete()) {
      if (!completion.isDone()) {
        completed();
      }
    }
    for (PeerConnection c : new ArrayList<>(connections)) {
      c.updateInterest();
    }
    connectMore();
  }

  @Override
  public CompletableFuture<Void> completion() {
    return completion.copy();
  }

  @Override
  public CompletableFuture<SwarmStats> stats() {
    return fromLoop(
        () ->
            new SwarmStats(
                connections.size(),
                picker.verifiedCount(),
                pieceCount(),
                downloaded,
                uploaded,
                wasted,
                failedPieces,
                blame.bannedCount() - carriedBans,
                timedOutBlocks,
                nonReadingPeers));
  }

  /** {@code value} computed on the loop; failed if the loop is shut down. */
  private <T> CompletableFuture<T> fromLoop(Supplier<T> value) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      loop.execute(() -> f.complete(value.get()));
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public CompletableFuture<Set<PeerId>> bannedPeers() {
    return fromLoop(blame::banned);
  }

  @Override
  public void ban(Collection<PeerId> peers) {
    List<PeerId> copy = List.copyOf(peers);
    execute(
        () -> {
          for (PeerId id : copy) {
            if (blame.ban(id)) {
              carriedBans++;
              ban(id);
            }
          }
        });
  }

  @Override
  public CompletableFuture<Void> closeAsync() {
    client.remove(this);
    try {
      loop.execute(this::closeOnLoop);
    } catch (RejectedExecutionException e) {
      closeFuture.complete(null);
    }
    return closeFuture.copy();
  }

  private void closeOnLoop() {
    if (closed) {
      return;
    }
    closed = true;
    if (ticker != null) {
      ticker.cancel(false);
    }
    dialer.closeAll(closeFuture);
  }

  @Override
  public void close() {
    try {
      closeAsync().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException | ExecutionException e) {
      log.warn("{}: close did not finish: {}", infoHash(), e.toString());
    }
  }

  private void execute(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("event loop shut down; dropped a task");
    }
  }

  /** Runs {@code then} on the loop with the outcome; {@code orElse} if the loop is gone. */
  private <T> void onLoop(CompletionStage<T> stage, Consumer<T> then, Runnable orElse) {
    stage.whenComplete(
        (value, error) -> {
          if (error != null) {
            log.debug("storage failed: {}", error.toString());
          }
          try {
            loop.execute(() -> then.accept(error == null ? value : null));
          } catch (RejectedExecutionException e) {
            orElse.run();
          }
        });
  }

  private void notifyListener(Consumer<SwarmListener> event) {
    try {
      client.callbacks()
          .execute(
              () -> {
                try {
                  event.accept(listener);
                } catch (RuntimeException e) {
                  log.warn("listener failed", e);
                }
              });
    } catch (RejectedExecutionException e) {
      log.debug("callback executor shut down");
    }
  }

  // ---------------------------------------------------------------- connections

  private void connectMore() {
    if (closed) {
      return;
    }
    long now = client.nanoTime();
    for (PeerEntry e : known.values()) {
      if (channels.size() >= options.maxPeersPerTorrent() || !client.mayConnect()) {
        return;
      }
      if (e.seed && picker.isComplete()) {
        continue;
      }
      if (!e.busy && !e.dropped && now - e.nextAttemptNanos >= 0) {
        connect(e);
      }
    }
  }

  private void connect(PeerEntry entry) {
    entry.busy = true;
    ChannelFuture f =
        dialer.dial(
            entry.address,
            () -> new PeerConnection(this, true),
            (handler, dialedNanos) -> {
              entry.busy = false;
              boolean wasUseful = handler != null && handler.downloaded + handler.uploaded > 0;
              if (handler != null && handler.closedAsSeed) {
                entry.seed = true; // nothing to exchange, unless more pieces become wanted
              } else if (wasUseful) {
                entry.failures = 0;
              } else {
                entry.failures++;
              }
              if (entry.failures >= options.maxConnectFailures()) {
                entry.dropped = true;
              }
              entry.nextAttemptNanos =
                  dialer.nextAttemptNanos(dialedNanos, entry.failures, MAX_BACKOFF_NANOS);
              if (!closed) {
                try {
                  loop.schedule(this::connectMore, 1, TimeUnit.SECONDS);
                } catch (RejectedExecutionException e) {
                  log.debug("event loop shut down");
                }
              }
            });
    f.addListener(
        (ChannelFutureListener)
            r -> {
              if (!r.isSuccess()) {
                log.debug("connect to {} failed: {}", entry.address, r.cause().toString());
              }
            });
  }

  /** Adds an incoming connection's channel (already on this loop) to this swarm's channels. */
  void adopt(Channel ch) {
    channels.add(ch);
    ch.closeFuture().addListener(x -> channels.remove(ch));
  }

  /** The handshakes are done; false refuses the connection. */
  boolean attach(PeerConnection c) {
    if (closed || blame.isBanned(c.peerId())) {
      return false;
    }
    if (!c.isOutgoing()) {
      if (connections.size() >= options.maxPeersPerTorrent() || !client.mayConnect()) {
        return false;
      }
      adopt(c.channel());
    }
    for (PeerConnection other : connections) {
      if (other.peerId().equals(c.peerId())) {
        log.debug("duplicate connection to {}", c.peerId());
        return false;
      }
    }
    connections.add(c);
    client.connectionOpened();
    SocketAddress address = c.remoteAddress();
    PeerId id = c.peerId();
    notifyListener(l -> l.peerConnected(address, id));
    return true;
  }

  void detach(PeerConnection c) {
    if (!connections.remove(c)) {
      return;
    }
    client.connectionClosed();
    for (ExtensionHandler h : extensions.values()) {
      h.connectionClosed(c);
    }
    SocketAddress address = c.remoteAddress();
    String reason = closed ? "torrent stopped" : c.closeReason();
    notifyListener(l -> l.peerDisconnected(address, reason));
    picker.peerGone(c.peerHas());
    if (!c.amChoking) {
      rechoke(false);
    }
    requestFromAll();
  }

  /**
   * The peer said it is interested or not. We answer at once (an unchoke while a slot is free, a
   * choke once it is not interested) at most once per {@link #INTEREST_ANSWER_NANOS} per peer;
   * changes within that time are answered at the next tick, from the state then. A peer that
   * toggles its interest without pause thus gets a choke or an unchoke a second, not one per
   * toggle (which it need not even read).
   */
  void interestChanged(PeerConnection c) {
    long now = client.nanoTime();
    if (c.interestAnswered && now - c.interestAnsweredNanos < INTEREST_ANSWER_NANOS) {
      c.interestAnswerDue = true;
      return;
    }
    answerInterest(c, now);
  }

  private void answerInterest(PeerConnection c, long now) {
    c.interestAnswerDue = false;
    if (c.peerInterested && c.amChoking) {
      int unchoked = 0;
      for (PeerConnection p : connections) {
        if (!p.amChoking) {
          unchoked++;
        }
      }
      if (unchoked < options.uploadSlots()) {
        c.interestAnswered(now);
        c.setChoking(false);
      }
    } else if (!c.peerInterested && !c.amChoking) {
      c.interestAnswered(now);
      c.setChoking(true);
      rechoke(false);
    }
  }

  void requestFromAll() {
    for (PeerConnection c : new ArrayList<>(connections)) {
      c.requestMore();
    }
  }

  private void tick() {
    if (closed) {
      return;
    }
    ticks++;
    long now = client.nanoTime();
    for (PeerConnection c : new ArrayList<>(connections)) {
      c.tick(now);
      if (c.interestAnswerDue && connections.contains(c)) {
        answerInterest(c, now);
      }
    }
    for (ExtensionHandler h : extensions.values()) {
      h.tick(now);
    }
    long roundTicks = Math.max(1, options.chokeInterval().toMillis() / TICK_MILLIS);
    if (ticks % roundTicks == 0) {
      rechoke(ticks % (3 * roundTicks) == 0);
    }
    connectMore();
  }

  private void rechoke(boolean rotateOptimistic) {
    List<Choker.Candidate<PeerConnection>> candidates = new ArrayList<>();
    for (PeerConnection c : connections) {
      candidates.add(new Choker.Candidate<>(c, c.peerInterested, c.downloadRate, c.uploadRate,
          c.snubbed));
    }
    Set<PeerConnection> unchoke = choker.round(candidates, picker.isComplete(), rotateOptimistic);
    for (PeerConnection c : new ArrayList<>(connections)) {
      c.setChoking(!unchoke.contains(c));
    }
  }

  // ---------------------------------------------------------------- blocks and pieces

  void wasted(int bytes) {
    wasted += bytes;
  }

  void uploaded(int bytes) {
    uploaded += bytes;
  }

  ClientCore client() {
    return client;
  }

  /** The connections that joined the swarm, now (a copy). */
  List<PeerConnection> connectionsNow() {
    return new ArrayList<>(connections);
  }

  /** The number of addresses this swarm knows (dialled, to dial, or dropped). */
  int knownCount() {
    return known.size();
  }

  /** Whether the swarm knows {@code address} (for tests). */
  boolean knows(InetSocketAddress address) {
    return known.containsKey(address);
  }

  /** A connection closed because its peer left too much of what we sent it unread. */
  void nonReadingPeerClosed() {
    nonReadingPeers++;
  }

  /** Requests that a peer passed over for too long were taken back. */
  void blocksTimedOut(int count) {
    timedOutBlocks += count;
  }

  /** A block that {@code from} had outstanding; this method owns (and releases) the message. */
  void blockReceived(PeerConnection from, Piece piece) {
    Block block = piece.block();
    Received r = picker.blockReceived(block, from.peerId());
    if (r != Received.ACCEPTED) {
      wasted += block.length();
      piece.release();
      from.writeFinished();
      return;
    }
    downloaded += block.length();
    if (picker.requestsOutstanding(block) > 0) {
      for (PeerConnection other : new ArrayList<>(connections)) {
        if (other != from && other.hasOutstanding(block)) {
          other.cancel(block);
        }
      }
    }
    burst.add(new Accepted(from, piece, block));
    if (burst.size() == 1) {
      // After this pass of the loop has read all its sockets: one write for all their blocks.
      try {
        loop.execute(this::writeBurst);
      } catch (RejectedExecutionException e) {
        writeBurst();
      }
    }
  }

  /**
   * Hands the blocks accepted in this pass of the loop to the store in one call, and comes back to
   * the loop once for all of them: a socket read of 1 MiB holds 64 blocks, and a task, a future
   * and a wake-up of the loop per block cost more than writing them.
   */
  private void writeBurst() {
    if (burst.isEmpty()) {
      return;
    }
    Accepted[] accepted = burst.toArray(new Accepted[0]);
    burst.clear();
    List<ReceivedBlock> blocks = new ArrayList<>(accepted.length);
    for (Accepted a : accepted) {
      blocks.add(new ReceivedBlock(a.block().piece(), a.block().offset(), a.piece().content()));
    }
    CompletableFuture<Map<Integer, Throwable>> write;
    try {
      write = store.writeBlocks(blocks);
    } catch (RuntimeException e) {
      write = CompletableFuture.failedFuture(e);
    }
    write.whenComplete(
        (failures, error) -> {
          try {
            loop.execute(() -> burstStored(accepted, failures, error));
          } catch (RejectedExecutionException e) {
            for (Accepted a : accepted) {
              a.piece().release();
            }
          }
        });
  }

  /** Back on the loop: the store wrote a burst, or failed some of its blocks (or all). */
  private void burstStored(Accepted[] accepted, Map<Integer, Throwable> failures, Throwable error) {
    for (int i = 0; i < accepted.length; i++) {
      Accepted a = accepted[i];
      blockStored(a.from(), a.piece(), a.block(), error != null ? error : failures.get(i));
    }
  }

  /** A block {@code from} sent that the picker accepted, on its way to the store. */
  private record Accepted(PeerConnection from, Piece piece, Block block) {}

  /** Back on the loop: the store took the block, or failed with {@code error}. */
  private void blockStored(PeerConnection from, Piece piece, Block block, Throwable error) {
    piece.release();
    from.writeFinished();
    if (error == null) {
      if (picker.blockWritten(block)) {
        verify(block.piece());
      }
    } else {
      log.debug("storage failed: {}", error.toString());
      picker.blockWriteFailed(block);
      storageFailed(error);
      requestFromAll();
    }
  }

  private void verify(int piece) {
    CompletableFuture<Boolean> f;
    try {
      f = store.verifyPiece(piece);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    Throwable[] error = new Throwable[1];
    onLoop(
        f.whenComplete((ok, e) -> error[0] = e),
        ok -> {
          if (error[0] == null) {
            pieceChecked(piece, Boolean.TRUE.equals(ok));
          } else if (!closed) {
            picker.pieceFailed(piece); // downloaded again; nobody is blamed for a disk error
            storageFailed(error[0]);
            requestFromAll();
          }
        },
        () -> {});
  }

  /** The store failed: the owner hears of it (unwrapped from completion wrappers). */
  private void storageFailed(Throwable error) {
    Throwable cause = Completions.cause(error);
    if (!closed) {
      notifyListener(l -> l.storageFailed(cause));
    }
  }

  private void pieceChecked(int piece, boolean ok) {
    if (closed) {
      return;
    }
    if (ok) {
      picker.pieceVerified(piece);
      for (PeerConnection c : connections) {
        c.sendHave(piece);
      }
      notifyListener(l -> l.pieceVerified(piece));
      if (blame.isSuspect(piece)) {
        // It failed before with blocks of several peers: whose blocks differ from these?
        hashBlocks(piece, hashes -> blame.piecePassed(piece, hashes).forEach(this::ban), () -> {});
      }
      if (picker.isComplete()) {
        completed();
      }
      return;
    }
    failedPieces++;
    List<PeerId> senders = picker.blockSenders(piece);
    log.debug("piece {} failed its hash check; senders {}", piece, new HashSet<>(senders));
    notifyListener(l -> l.pieceFailed(piece));
    switch (blame.pieceFailed(senders)) {
      case BAN -> blame.toBan().forEach(this::ban);
      case HASH_BLOCKS -> {
        // Kept out of the picker (complete, so nothing is asked for) until its blocks are
        // hashed as they are on disk; downloaded again after that.
        hashBlocks(
            piece,
            hashes -> {
              blame.suspect(piece, senders, hashes);
              downloadAgain(piece);
            },
            () -> downloadAgain(piece));
        return;
      }
      case NONE -> {}
    }
    downloadAgain(piece);
  }

  private void downloadAgain(int piece) {
    if (!closed) {
      picker.pieceFailed(piece);
      requestFromAll();
    }
  }

  /**
   * Reads every block of {@code piece} and hashes it on the storage thread that read it; then,
   * on the loop, {@code then} gets the hashes by block (null where a read failed), or {@code
   * orElse} runs if the swarm closed.
   */
  private void hashBlocks(int piece, Consumer<List<byte[]>> then, Runnable orElse) {
    long size = metaInfo.pieceSize(piece);
    int count = (int) ((size + Block.SIZE - 1) / Block.SIZE);
    List<CompletableFuture<byte[]>> hashes = new ArrayList<>(count);
    for (int b = 0; b < count; b++) {
      int offset = b * Block.SIZE;
      int length = (int) Math.min(Block.SIZE, size - offset);
      CompletableFuture<ByteBuf> read;
      try {
        read = store.readBlock(piece, offset, length);
      } catch (RuntimeException e) {
        read = CompletableFuture.failedFuture(e);
      }
      // A block that cannot be read or hashed judges nobody: null, never a failed future, so
      // that the piece always leaves quarantine.
      hashes.add(
          read.handle((buf, error) -> error == null ? sha1(buf) : null).exceptionally(e -> null));
    }
    onLoop(
        CompletableFuture.allOf(hashes.toArray(CompletableFuture[]::new)),
        ignored -> {
          if (closed) {
            orElse.run();
            return;
          }
          List<byte[]> byBlock = new ArrayList<>(count);
          hashes.forEach(h -> byBlock.add(h.join()));
          then.accept(byBlock);
        },
        orElse);
  }

  /** The SHA-1 of a block's bytes; releases the buffer. */
  private static byte[] sha1(ByteBuf block) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-1");
      digest.update(block.nioBuffer());
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-1", e);
    } finally {
      block.release();
    }
  }

  private void ban(PeerId id) {
    // What it left in pieces not yet complete is fetched again rather than hashed to fail.
    picker.discardBlocksFrom(id);
    for (PeerConnection c : new ArrayList<>(connections)) {
      if (c.peerId().equals(id)) {
        SocketAddress address = c.remoteAddress();
        log.info("banned {} at {} for bad data", id, address);
        PeerEntry entry = known.get(c.remoteAddress());
        if (entry != null) {
          entry.dropped = true;
          entry.banned = true;
        }
        notifyListener(l -> l.peerBanned(address));
        c.close("banned for sending bad data");
      }
    }
  }

  private void completed() {
    log.debug("{}: complete", infoHash());
    // The listener's event is queued before the future completes, so that whoever waits for
    // the future and then drains the callback executor has seen the event.
    notifyListener(SwarmListener::completed);
    completion.complete(null);
    for (PeerConnection c : new ArrayList<>(connections)) {
      if (c.isSeed()) {
        c.closeAsSeed();
      } else {
        c.updateInterest();
      }
    }
    rechoke(false);
  }

  /**
   * Reads {@code block} for {@code to}, with room for the piece message's header before it (see
   * {@link PeerConnection#blockRead}); {@code to} gets null if the read fails.
   */
  void readBlock(Block block, PeerConnection to) {
    CompletableFuture<ByteBuf> f;
    try {
      f = store.readBlock(
          block.piece(), block.offset(), block.length(), MessageCodec.PIECE_HEADER_LENGTH);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (buf, error) -> {
          try {
            loop.execute(() -> to.blockRead(block, error == null ? buf : null));
          } catch (RejectedExecutionException e) {
            if (buf != null) {
              buf.release();
            }
          }
        });
  }

  void extensionMessage(PeerConnection from, Extended message) {
    ExtensionHandler h = extensionsById.get(message.id());
    if (h != null) {
      try {
        h.messageReceived(from, message.content());
      } catch (PeerProtocolException e) {
        log.debug("{}: {}", from, e.getMessage());
        from.close(e.getMessage());
      }
    }
  }

  /** The peer's extended handshake arrived: extensions may start talking to it. */
  void extendedHandshakeReceived(PeerConnection from) {
    for (ExtensionHandler h : extensions.values()) {
      h.handshakeReceived(from);
    }
  }

  @Override
  public String toString() {
    return "Swarm[" + infoHash() + "]";
  }
}
