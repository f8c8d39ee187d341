package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Whole swarms of our own on loopback: one JVM, several clients, in-memory stores. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SwarmTest {
  static {
    NettyLeaks.install();
  }

  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
  private static final PeerOptions OPTIONS =
      PeerOptions.defaults()
          .withBlockTimeout(java.time.Duration.ofSeconds(2))
          .withChokeInterval(java.time.Duration.ofSeconds(2));

  private EventLoopGroup group;
  private ExecutorService disk;
  private ExecutorService callbacks;
  private final List<PeerClient> clients = new ArrayList<>();
  private final List<ExecutorService> executors = new ArrayList<>();

  @BeforeEach
  void setUp() {
    group = new MultiThreadIoEventLoopGroup(4, NioIoHandler.newFactory());
    disk = Executors.newFixedThreadPool(2);
    callbacks = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (PeerClient c : clients) {
      c.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    for (ExecutorService e : executors) {
      e.shutdown();
      assertThat(e.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
    disk.shutdown();
    callbacks.shutdown();
    assertThat(disk.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(callbacks.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    NettyLeaks.assertNoLeaks();
  }

  static byte[] randomData(long seed, int length) {
    return TestTorrents.randomData(seed, length);
  }

  static MetaInfo torrent(byte[] data, int pieceLength) throws Exception {
    return TestTorrents.torrent(data, pieceLength);
  }

  private PeerClient client(String prefix) {
    PeerClient c = PeerClient.create(group, PeerId.random(prefix), callbacks, OPTIONS);
    clients.add(c);
    return c;
  }

  /** A disk executor of one thread: its store reads, writes and verifies in order. */
  private ExecutorService singleThreadDisk() {
    ExecutorService e = Executors.newSingleThreadExecutor();
    executors.add(e);
    return e;
  }

  private InetSocketAddress listen(PeerClient c) throws Exception {
    return c.listen(LOOPBACK).get(10, TimeUnit.SECONDS);
  }

  /** A client of its own seeding {@code store} (which has every piece); returns its address. */
  private InetSocketAddress seeder(String prefix, MemoryStore store) throws Exception {
    PeerClient c = client(prefix);
    InetSocketAddress address = listen(c);
    c.addTorrent(store.metaInfo, store, store.all(), new SwarmListener() {});
    return address;
  }

  /** A leecher of ours, its empty store and what its listener heard. */
  private record Leecher(Swarm swarm, MemoryStore store, Events events) {}

  private Leecher leecher(MetaInfo meta) {
    MemoryStore store = new MemoryStore(meta, null, disk);
    Events events = new Events();
    Swarm swarm = client("-FL0001-").addTorrent(meta, store, new BitSet(), events);
    return new Leecher(swarm, store, events);
  }

  /** Records listener events. */
  static final class Events implements SwarmListener {
    final Set<Integer> verified = ConcurrentHashMap.newKeySet();
    final Set<Integer> failed = ConcurrentHashMap.newKeySet();
    final CompletableFuture<Void> firstFailure = new CompletableFuture<>();
    final List<Object> banned = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<Object> connected = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> disconnected = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile boolean completed;
    volatile Thread callbackThread;

    @Override
    public void pieceVerified(int piece) {
      callbackThread = Thread.currentThread();
      verified.add(piece);
    }

    @Override
    public void pieceFailed(int piece) {
      failed.add(piece);
      firstFailure.complete(null);
    }

    @Override
    public void peerBanned(java.net.SocketAddress peer) {
      banned.add(peer);
    }

    @Override
    public void peerConnected(java.net.SocketAddress peer, PeerId peerId) {
      connected.add(peer);
    }

    @Override
    public void peerDisconnected(java.net.SocketAddress peer, String reason) {
      disconnected.add(peer + ": " + reason);
    }

    @Override
    public void completed() {
      completed = true;
    }
  }

  @Test
  void oneSeederThreeLeechersCompleteWithTheRightBytes() throws Exception {
    byte[] data = randomData(1, 3 * 1024 * 1024 + 12_345);
    MetaInfo meta = torrent(data, 64 * 1024);
    PeerClient seeder = client("-FS0001-");
    InetSocketAddress seederAddress = listen(seeder);
    MemoryStore seedStore = new MemoryStore(meta, data, disk);
    Swarm seed = seeder.addTorrent(meta, seedStore, seedStore.all(), new SwarmListener() {});
    assertThat(seed.completion()).isCompleted();

    List<MemoryStore> stores = new ArrayList<>();
    List<Swarm> swarms = new ArrayList<>();
    List<Events> events = new ArrayList<>();
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      PeerClient leecher = client("-FL000" + i + "-");
      addresses.add(listen(leecher));
      MemoryStore store = new MemoryStore(meta, null, disk);
      Events e = new Events();
      stores.add(store);
      events.add(e);
      swarms.add(leecher.addTorrent(meta, store, new BitSet(), e));
    }
    for (int i = 0; i < 3; i++) {
      List<InetSocketAddress> peers = new ArrayList<>(addresses);
      peers.remove(i);
      peers.add(seederAddress);
      swarms.get(i).addPeers(peers);
    }
    for (int i = 0; i < 3; i++) {
      swarms.get(i).completion().get(60, TimeUnit.SECONDS);
      assertThat(stores.get(i).data).as("leecher %s bytes", i).isEqualTo(data);
      SwarmStats stats = swarms.get(i).stats().get(5, TimeUnit.SECONDS);
      assertThat(stats.isComplete()).isTrue();
      assertThat(stats.downloadedBytes()).isGreaterThanOrEqualTo(data.length);
      assertThat(stats.failedPieces()).isZero();
    }
    callbacks.submit(() -> {}).get(5, TimeUnit.SECONDS);
    for (Events e : events) {
      assertThat(e.verified).hasSize(meta.pieceCount());
      assertThat(e.completed).isTrue();
      assertThat(e.callbackThread.getName()).doesNotContain("nioEventLoop");
    }
    assertThat(seed.stats().get(5, TimeUnit.SECONDS).uploadedBytes()).isPositive();
  }

  /** A seeder whose store serves corrupt blocks of piece data. */
  static final class CorruptStore extends MemoryStore {
    CorruptStore(MetaInfo meta, byte[] data, ExecutorService executor) {
      super(meta, data, executor);
    }

    @Override
    byte[] transform(int piece, int offset, byte[] block) {
      byte[] bad = block.clone();
      bad[0] ^= 0x5A;
      return bad;
    }
  }

  @Test
  void aPeerThatSendsCorruptBlocksIsBannedAndTheDownloadCompletes() throws Exception {
    byte[] data = randomData(2, 1024 * 1024);
    MetaInfo meta = torrent(data, 32 * 1024);
    InetSocketAddress liarAddress = seeder("-FX0001-", new CorruptStore(meta, data, disk));
    InetSocketAddress honestAddress = seeder("-FS0001-", new MemoryStore(meta, data, disk));
    Leecher leecher = leecher(meta);
    Swarm swarm = leecher.swarm();
    MemoryStore store = leecher.store();
    Events events = leecher.events();
    // Only the liar at first, so that it certainly fills a piece; the honest seeder after that.
    swarm.addPeers(List.of(liarAddress));
    events.firstFailure.get(30, TimeUnit.SECONDS);
    swarm.addPeers(List.of(honestAddress));
    swarm.completion().get(60, TimeUnit.SECONDS);
    assertThat(store.data).isEqualTo(data);
    SwarmStats stats = swarm.stats().get(5, TimeUnit.SECONDS);
    assertThat(stats.failedPieces()).isPositive();
    assertThat(stats.bannedPeers()).isEqualTo(1);
    callbacks.submit(() -> {}).get(5, TimeUnit.SECONDS);
    assertThat(events.banned).hasSize(1);
    assertThat(events.connected).hasSizeGreaterThanOrEqualTo(2);
    assertThat(events.disconnected)
        .anySatisfy(d -> assertThat(d).endsWith(": banned for sending bad data"));
  }

  /**
   * A liar that never sends the first block of a piece (its read never completes, so the request
   * times out and goes to another peer) and corrupts every other block: each piece it takes part
   * in fails with an honest peer among its senders, and none fails with the liar alone.
   */
  static final class HalfLiarStore extends MemoryStore {
    HalfLiarStore(MetaInfo meta, byte[] data, ExecutorService executor) {
      super(meta, data, executor);
    }

    @Override
    public CompletableFuture<io.netty.buffer.ByteBuf> readBlock(int piece, int offset, int len) {
      return offset == 0 ? new CompletableFuture<>() : super.readBlock(piece, offset, len);
    }

    @Override
    byte[] transform(int piece, int offset, byte[] block) {
      byte[] bad = block.clone();
      bad[bad.length - 1] ^= 0x33;
      return bad;
    }
  }

  @Test
  void aLiarThatOnlySharesPiecesIsBannedByItsBlocksAndTheHonestSeederIsNot() throws Exception {
    byte[] data = randomData(5, 2 * 1024 * 1024);
    MetaInfo meta = torrent(data, 64 * 1024);
    InetSocketAddress liarAddress = seeder("-FX0001-", new HalfLiarStore(meta, data, disk));
    InetSocketAddress honestAddress = seeder("-FS0001-", new MemoryStore(meta, data, disk));
    Leecher leecher = leecher(meta);
    Swarm swarm = leecher.swarm();
    MemoryStore store = leecher.store();
    Events events = leecher.events();
    // The liar first, until it delivered blocks (its pieces then wait for their first blocks,
    // which only the honest seeder will send): with both at once, a fast honest seeder could be
    // asked for every piece before the liar is unchoked, and the liar would take part in none.
    swarm.addPeers(List.of(liarAddress));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (swarm.stats().get(5, TimeUnit.SECONDS).downloadedBytes() == 0) {
      assertThat(System.nanoTime() - deadline).as("the liar delivered nothing in 30 s")
          .isNegative();
      Thread.sleep(10);
    }
    swarm.addPeers(List.of(honestAddress));
    swarm.completion().get(60, TimeUnit.SECONDS);
    assertThat(store.data).isEqualTo(data);
    SwarmStats stats = swarm.stats().get(5, TimeUnit.SECONDS);
    assertThat(stats.failedPieces()).as("pieces of both peers' blocks failed").isPositive();
    callbacks.submit(() -> {}).get(5, TimeUnit.SECONDS);
    assertThat(events.banned).containsExactly(liarAddress);
    assertThat(stats.bannedPeers()).isEqualTo(1);
  }

  /** A seeder that unchokes and announces every piece but never answers a request. */
  static final class StallingStore extends MemoryStore {
    final CompletableFuture<Void> firstRequest = new CompletableFuture<>();

    StallingStore(MetaInfo meta, byte[] data, ExecutorService executor) {
      super(meta, data, executor);
    }

    @Override
    public CompletableFuture<io.netty.buffer.ByteBuf> readBlock(int piece, int offset, int len) {
      firstRequest.complete(null);
      return new CompletableFuture<>();
    }
  }

  @Test
  void aStallingPeerDoesNotStopTheDownload() throws Exception {
    byte[] data = randomData(3, 512 * 1024 + 7);
    MetaInfo meta = torrent(data, 16 * 1024);
    StallingStore stallerStore = new StallingStore(meta, data, disk);
    InetSocketAddress stallerAddress = seeder("-FZ0001-", stallerStore);
    InetSocketAddress honestAddress = seeder("-FS0001-", new MemoryStore(meta, data, disk));
    Leecher leecher = leecher(meta);
    Swarm swarm = leecher.swarm();
    MemoryStore store = leecher.store();
    swarm.addPeers(List.of(stallerAddress));
    stallerStore.firstRequest.get(30, TimeUnit.SECONDS);
    swarm.addPeers(List.of(honestAddress));
    swarm.completion().get(60, TimeUnit.SECONDS);
    assertThat(store.data).isEqualTo(data);
  }

  @Test
  void aSeederThatGoesAwayMidDownloadIsReplaced() throws Exception {
    byte[] data = randomData(7, 2 * 1024 * 1024);
    MetaInfo meta = torrent(data, 32 * 1024);
    PeerClient first = client("-FS0001-");
    InetSocketAddress firstAddress = listen(first);
    MemoryStore firstStore = new MemoryStore(meta, data, disk);
    first.addTorrent(meta, firstStore, firstStore.all(), new SwarmListener() {});
    PeerClient second = client("-FS0002-");
    InetSocketAddress secondAddress = listen(second);
    MemoryStore secondStore = new MemoryStore(meta, data, disk);
    second.addTorrent(meta, secondStore, secondStore.all(), new SwarmListener() {});

    PeerClient leecher = client("-FL0001-");
    MemoryStore store = new MemoryStore(meta, null, disk);
    CompletableFuture<Void> firstPiece = new CompletableFuture<>();
    Swarm swarm = leecher.addTorrent(meta, store, new BitSet(), new SwarmListener() {
      @Override
      public void pieceVerified(int piece) {
        firstPiece.complete(null);
      }
    });
    swarm.addPeers(List.of(firstAddress));
    firstPiece.get(30, TimeUnit.SECONDS);
    first.close(); // with requests outstanding, most likely; they must go to the next seeder
    swarm.addPeers(List.of(secondAddress));
    swarm.completion().get(60, TimeUnit.SECONDS);
    assertThat(store.data).isEqualTo(data);
  }

  @Test
  void aSeederDialsALeecherThatOnlyListens() throws Exception {
    byte[] data = randomData(8, 300_000);
    MetaInfo meta = torrent(data, 16 * 1024);
    PeerClient leecher = client("-FL0001-");
    InetSocketAddress leecherAddress = listen(leecher);
    MemoryStore store = new MemoryStore(meta, null, disk);
    Swarm leeching = leecher.addTorrent(meta, store, new BitSet(), new Events());
    PeerClient seeder = client("-FS0001-");
    MemoryStore seedStore = new MemoryStore(meta, data, disk);
    Swarm seeding = seeder.addTorrent(meta, seedStore, seedStore.all(), new SwarmListener() {});
    seeding.addPeers(List.of(leecherAddress));
    leeching.completion().get(30, TimeUnit.SECONDS);
    assertThat(store.data).isEqualTo(data);
  }

  @Test
  void twoTorrentsShareOneClientEachWayAndCloseSeparately() throws Exception {
    byte[] dataA = randomData(10, 700_000);
    byte[] dataB = randomData(11, 900_000);
    MetaInfo a = torrent(dataA, 32 * 1024);
    MetaInfo b = torrent(dataB, 64 * 1024);
    PeerClient seeder = client("-FS0001-");
    InetSocketAddress seederAddress = listen(seeder);
    MemoryStore seedA = new MemoryStore(a, dataA, disk);
    MemoryStore seedB = new MemoryStore(b, dataB, disk);
    Swarm seedingA = seeder.addTorrent(a, seedA, seedA.all(), new SwarmListener() {});
    seeder.addTorrent(b, seedB, seedB.all(), new SwarmListener() {});
    PeerClient leecher = client("-FL0001-");
    MemoryStore storeA = new MemoryStore(a, null, disk);
    MemoryStore storeB = new MemoryStore(b, null, disk);
    Swarm leechA = leecher.addTorrent(a, storeA, new BitSet(), new Events());
    Swarm leechB = leecher.addTorrent(b, storeB, new BitSet(), new Events());
    leechA.addPeers(List.of(seederAddress));
    leechB.addPeers(List.of(seederAddress));
    CompletableFuture.allOf(leechA.completion(), leechB.completion()).get(60, TimeUnit.SECONDS);
    assertThat(storeA.data).isEqualTo(dataA);
    assertThat(storeB.data).isEqualTo(dataB);
    byte[] stranger = PeerId.random("-XX0001-").toByteArray();
    assertThat(answersHandshake(seederAddress, a.infoHash().toByteArray(), stranger)).isTrue();
    seedingA.close();
    seedingA.close();
    assertThat(answersHandshake(seederAddress, a.infoHash().toByteArray(), stranger))
        .as("closed torrent no longer routed").isFalse();
    assertThat(answersHandshake(seederAddress, b.infoHash().toByteArray(), stranger)).isTrue();
  }

  @Test
  void closeLeavesNoChannelsAndIsIdempotent() throws Exception {
    byte[] data = randomData(4, 100_000);
    MetaInfo meta = torrent(data, 16 * 1024);
    PeerClient seeder = client("-FS0001-");
    InetSocketAddress address = listen(seeder);
    MemoryStore seedStore = new MemoryStore(meta, data, disk);
    seeder.addTorrent(meta, seedStore, seedStore.all(), new SwarmListener() {});
    PeerClient leecher = client("-FL0001-");
    MemoryStore store = new MemoryStore(meta, null, disk);
    Swarm swarm = leecher.addTorrent(meta, store, new BitSet(), new Events());
    swarm.addPeers(List.of(address));
    swarm.completion().get(30, TimeUnit.SECONDS);
    assertThat(ownSocketsOnPort(address.getPort())).as("the listener, seen").isPositive();
    leecher.close();
    leecher.close();
    seeder.close();
    assertThat(ownSocketsOnPort(address.getPort())).as("our sockets on the seeder's port").isZero();
    assertThat(swarm.stats().get(5, TimeUnit.SECONDS).connectedPeers()).isZero();
  }

  /**
   * Sockets of this process (listening or connected) with {@code port} as their local or remote
   * port, from Linux's /proc; another process that reuses the port does not count.
   */
  private static long ownSocketsOnPort(int port) throws Exception {
    Set<String> ours = new java.util.HashSet<>();
    try (java.nio.file.DirectoryStream<java.nio.file.Path> fds =
        java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/self/fd"))) {
      for (java.nio.file.Path fd : fds) {
        try {
          String target = java.nio.file.Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            ours.add(target.substring(8, target.length() - 1));
          }
        } catch (java.io.IOException e) {
          // closed meanwhile
        }
      }
    }
    String hexPort = String.format(":%04X", port);
    long count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) { // Java uses IPv6 sockets
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && (f[1].endsWith(hexPort) || f[2].endsWith(hexPort))
            && ours.contains(f[9])) {
          count++;
        }
      }
    }
    return count;
  }

  /** Sends a BEP 3 handshake on a raw socket; true when the client answers with its own. */
  private static boolean answersHandshake(InetSocketAddress to, byte[] infoHash, byte[] peerId)
      throws Exception {
    try (java.net.Socket s = new java.net.Socket()) {
      try {
        s.connect(to, 5000);
      } catch (java.net.ConnectException e) {
        return false;
      }
      s.setSoTimeout(10_000);
      java.io.ByteArrayOutputStream hs = new java.io.ByteArrayOutputStream();
      hs.write(19);
      hs.write("BitTorrent protocol".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      hs.write(new byte[8]);
      hs.write(infoHash);
      hs.write(peerId);
      s.getOutputStream().write(hs.toByteArray());
      byte[] reply = s.getInputStream().readNBytes(68);
      if (reply.length < 68) {
        return false;
      }
      assertThat(java.util.Arrays.copyOfRange(reply, 28, 48)).isEqualTo(infoHash);
      return true;
    }
  }

  @Test
  void oneListenPortRoutesByInfoHashAndClosesUnknownOnesAndOurOwnPeerId() throws Exception {
    MetaInfo a = torrent(randomData(5, 40_000), 16 * 1024);
    MetaInfo b = torrent(randomData(6, 50_000), 16 * 1024);
    PeerClient client =
        PeerClient.create(group, io.netty.channel.socket.nio.NioSocketChannel.class,
            io.netty.channel.socket.nio.NioServerSocketChannel.class, PeerId.random("-FS0001-"),
            callbacks, OPTIONS);
    clients.add(client);
    InetSocketAddress address = listen(client);
    client.addTorrent(a, new MemoryStore(a, null, disk), new BitSet(), new SwarmListener() {});
    client.addTorrent(b, new MemoryStore(b, null, disk), new BitSet(), new SwarmListener() {});
    byte[] stranger = PeerId.random("-XX0001-").toByteArray();
    assertThat(answersHandshake(address, a.infoHash().toByteArray(), stranger)).isTrue();
    assertThat(answersHandshake(address, b.infoHash().toByteArray(), stranger)).isTrue();
    byte[] unknown = new byte[20];
    assertThat(answersHandshake(address, unknown, stranger)).isFalse();
    assertThat(answersHandshake(address, a.infoHash().toByteArray(),
        client.peerId().toByteArray())).isFalse();
  }

  /** Records the order in which pieces are verified. */
  static final class VerifiedOrder implements SwarmListener {
    final List<Integer> order = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void pieceVerified(int piece) {
      order.add(piece);
    }
  }

  @Test
  void aDeadlinePieceNearTheEndIsVerifiedBeforeTheBulk() throws Exception {
    byte[] data = randomData(12, 64 * 32 * 1024);
    MetaInfo meta = torrent(data, 32 * 1024);
    PeerClient seeder = client("-FS0001-");
    InetSocketAddress seederAddress = listen(seeder);
    // One disk thread each: blocks are served, written and verified in the order requested, so
    // that the order of the callbacks is the order of the requests.
    MemoryStore seedStore = new MemoryStore(meta, data, singleThreadDisk());
    seeder.addTorrent(meta, seedStore, seedStore.all(), new SwarmListener() {});

    PeerClient leecher = client("-FL0001-");
    MemoryStore store = new MemoryStore(meta, null, singleThreadDisk());
    VerifiedOrder events = new VerifiedOrder();
    Swarm swarm = leecher.addTorrent(meta, store, new BitSet(), events);
    // Sequential order alone would fetch piece 60 sixty-first.
    swarm.setSequential(true);
    swarm.setPieceDeadline(60, java.time.Duration.ofSeconds(30));
    swarm.addPeers(List.of(seederAddress));
    swarm.completion().get(60, TimeUnit.SECONDS);
    assertThat(store.data).isEqualTo(data);
    callbacks.submit(() -> {}).get(5, TimeUnit.SECONDS);
    assertThat(events.order).hasSize(64);
    assertThat(events.order.indexOf(60)).as("place of piece 60 in %s", events.order)
        .isLessThan(2);
  }

  @Test
  void skippedFilesAreNeverRequestedAndTheRestCompletes() throws Exception {
    // Files: f0 (pieces 0-3), f1 padding (piece 4 whole, end of 3), f2 (pieces 5-11),
    // f3 (pieces 11-12).
    long[] lengths = {100_000, 63_840, 200_000, 50_000};
    byte[] data = randomData(13, 413_840);
    for (int i = 100_000; i < 163_840; i++) {
      data[i] = 0; // padding files hold zeros
    }
    MetaInfo meta = TestTorrents.multiFile(data, 32 * 1024, lengths, 1);
    PeerClient seeder = client("-FS0001-");
    InetSocketAddress seederAddress = listen(seeder);
    MemoryStore seedStore = new MemoryStore(meta, data, disk);
    seeder.addTorrent(meta, seedStore, seedStore.all(), new SwarmListener() {});

    PeerClient leecher = client("-FL0001-");
    MemoryStore store = new MemoryStore(meta, null, disk);
    Events events = new Events();
    Swarm swarm = leecher.addTorrent(meta, store, new BitSet(), events);
    swarm.setFilePriorities(List.of(1, 7, 0, 1));
    swarm.addPeers(List.of(seederAddress));
    swarm.completion().get(60, TimeUnit.SECONDS);
    callbacks.submit(() -> {}).get(5, TimeUnit.SECONDS);
    assertThat(events.verified).containsExactlyInAnyOrder(0, 1, 2, 3, 11, 12);
    assertThat(events.completed).isTrue();
    for (int piece = 4; piece <= 10; piece++) {
      assertThat(seedStore.readsOf(piece)).as("reads of skipped piece %s", piece).isZero();
    }
    byte[] got = store.bytes();
    assertThat(java.util.Arrays.copyOfRange(got, 0, 100_000))
        .isEqualTo(java.util.Arrays.copyOfRange(data, 0, 100_000));
    assertThat(java.util.Arrays.copyOfRange(got, 363_840, 413_840))
        .isEqualTo(java.util.Arrays.copyOfRange(data, 363_840, 413_840));
    SwarmStats stats = swarm.stats().get(5, TimeUnit.SECONDS);
    assertThat(stats.verifiedPieces()).isEqualTo(6);
    assertThat(stats.isComplete()).as("all pieces, not the wanted ones").isFalse();

    // Wanting the skipped file after all: the seeder, closed when nothing was left to exchange,
    // is dialled again. Piece 4 holds nothing but padding and stays unwanted.
    swarm.setFilePriorities(List.of(1, 1, 1, 1));
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (swarm.stats().get(5, TimeUnit.SECONDS).verifiedPieces() < 12) {
      assertThat(System.nanoTime() - waitUntil).as("the rest of the pieces").isNegative();
      Thread.sleep(20);
    }
    assertThat(store.bytes()).isEqualTo(data);
    assertThat(seedStore.readsOf(4)).isZero();
  }

  /** A store whose writes wait for a gate; counts the writes asked for. */
  static final class GatedStore extends MemoryStore {
    final CompletableFuture<Void> gate = new CompletableFuture<>();
    final java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();

    GatedStore(MetaInfo meta, ExecutorService executor) {
      super(meta, null, executor);
    }

    @Override
    public CompletableFuture<Void> writeBlock(int piece, int offset, io.netty.buffer.ByteBuf buf) {
      asked.incrementAndGet();
      return gate.thenCompose(v -> super.writeBlock(piece, offset, buf));
    }
  }

  @Test
  void pendingWritesAreBoundedAcrossEveryConnectionOfAClient() throws Exception {
    byte[] dataA = randomData(14, 4 * 1024 * 1024);
    byte[] dataB = randomData(15, 4 * 1024 * 1024);
    MetaInfo a = torrent(dataA, 64 * 1024);
    MetaInfo b = torrent(dataB, 64 * 1024);
    PeerClient seeder = client("-FS0001-");
    InetSocketAddress seederAddress = listen(seeder);
    MemoryStore seedA = new MemoryStore(a, dataA, disk);
    MemoryStore seedB = new MemoryStore(b, dataB, disk);
    seeder.addTorrent(a, seedA, seedA.all(), new SwarmListener() {});
    seeder.addTorrent(b, seedB, seedB.all(), new SwarmListener() {});

    // 256 pending writes per connection would take each torrent whole (256 blocks); the client
    // allows 16 for both together.
    int limit = 16;
    PeerClient leecher = PeerClient.create(group, PeerId.random("-FL0001-"), callbacks,
        OPTIONS.withMaxPendingWrites(256).withMaxPendingWritesPerClient(limit));
    clients.add(leecher);
    GatedStore storeA = new GatedStore(a, disk);
    GatedStore storeB = new GatedStore(b, disk);
    Swarm leechA = leecher.addTorrent(a, storeA, new BitSet(), new Events());
    Swarm leechB = leecher.addTorrent(b, storeB, new BitSet(), new Events());
    leechA.addPeers(List.of(seederAddress));
    leechB.addPeers(List.of(seederAddress));
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (storeA.asked.get() == 0 || storeB.asked.get() == 0) {
      assertThat(System.nanoTime() - waitUntil).as("both connections receive blocks").isNegative();
      Thread.sleep(10);
    }
    // Watch the writes held for a second: the seeder keeps sending what was requested, but
    // the leecher has stopped reading. A few blocks more than the limit may be decoded from
    // what each connection had read already.
    int most = 0;
    try {
      for (int i = 0; i < 50; i++) {
        most = Math.max(most, storeA.asked.get() + storeB.asked.get());
        Thread.sleep(20);
      }
    } finally {
      storeA.gate.complete(null);
      storeB.gate.complete(null);
    }
    assertThat(most).as("writes held at once").isGreaterThanOrEqualTo(limit)
        .isLessThanOrEqualTo(3 * limit);
    CompletableFuture.allOf(leechA.completion(), leechB.completion()).get(60, TimeUnit.SECONDS);
    assertThat(storeA.data).isEqualTo(dataA);
    assertThat(storeB.data).isEqualTo(dataB);
  }
}
