package org.functorrent.dht;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A raw UDP socket on 127.0.0.1 plays a hostile or broken node against one of ours: everything is
 * dropped and counted, broken queries get the BEP's error codes, and the node goes on answering.
 */
@Timeout(60)
class HostileInputTest {
  private EventLoopGroup group;
  private DhtNode node;
  private InetSocketAddress address;
  private DatagramSocket socket;

  @BeforeEach
  void setUp() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    node = DhtNode.create(LoopbackDht.options(), group);
    address = node.start().join();
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    socket.setSoTimeout(5000);
  }

  @AfterEach
  void tearDown() throws Exception {
    socket.close();
    node.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private void send(DatagramSocket from, byte[] bytes) throws Exception {
    from.send(new DatagramPacket(bytes, bytes.length, address));
  }

  private void send(String s) throws Exception {
    send(socket, s.getBytes(ISO_8859_1));
  }

  private BencodeDictionary receive(DatagramSocket on) throws Exception {
    byte[] buf = new byte[4096];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    on.receive(p);
    return (BencodeDictionary) Bencode.decode(Arrays.copyOf(buf, p.getLength()));
  }

  private BencodeDictionary receive() throws Exception {
    return receive(socket);
  }

  private static long errorCode(BencodeDictionary reply) {
    BencodeList e = (BencodeList) reply.get("e").orElseThrow();
    return ((org.functorrent.bencode.BencodeInteger) e.get(0)).value();
  }

  private static final String ID = "abcdefghij0123456789";

  /** Waits (safety net only) until {@code counter} reaches {@code value}. */
  private static void await(LongSupplier counter, long value) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (counter.getAsLong() < value && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  private void pingStillAnswered() throws Exception {
    send("d1:ad2:id20:" + ID + "e1:q4:ping1:t2:zz1:y1:qe");
    BencodeDictionary reply = receive();
    assertThat(reply.get("t")).contains(BencodeString.of("zz"));
    assertThat(reply.get("y")).contains(BencodeString.of("r"));
    // BEP 42: the reply says where it saw us.
    assertThat(reply.get("ip")).isPresent();
  }

  @Test
  void garbageAndOversizedDatagramsAreDroppedAndCounted() throws Exception {
    send("");
    send("hello");
    send("i42e");
    send("d1:t2:aa1:y1:xe");
    send("l" + "l".repeat(3000));
    send(socket, new byte[5000]); // oversized
    byte[] big = ("d1:ad2:id20:" + ID + "e1:q4:ping1:t2:aa1:y1:q" + "4:xxxx5000:" + "x".repeat(5000)
        + "e").getBytes(ISO_8859_1);
    send(socket, big); // a valid ping, but over the limit
    await(() -> node.stats().droppedMalformed() + node.stats().droppedOversized(), 7);
    pingStillAnswered();
    DhtStats s = node.stats();
    assertThat(s.droppedMalformed()).isEqualTo(5);
    assertThat(s.droppedOversized()).isEqualTo(2);
    assertThat(s.queriesReceived()).isEqualTo(1); // the last ping only
  }

  @Test
  void manyIdsFromOneAddressDoNotFloodTheRoutingTable() throws Exception {
    DhtNode guarded = DhtNode.create(LoopbackDht.options().withMaxNodesPerIp(2), group);
    InetSocketAddress target = guarded.start().join();
    try {
      java.util.Random random = new java.util.Random();
      List<DatagramSocket> sockets = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 40; i++) {
          DatagramSocket s = new DatagramSocket(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
          s.setSoTimeout(5000);
          sockets.add(s);
          // Each socket pings with two different ids: a new one per query.
          for (int j = 0; j < 2; j++) {
            byte[] id = new byte[20];
            random.nextBytes(id);
            byte[] ping = Bencode.encode(BencodeDictionary.builder()
                .put("t", "p" + j)
                .put("y", "q")
                .put("q", "ping")
                .put("a", BencodeDictionary.builder().put("id", BencodeString.of(id)).build())
                .build());
            s.send(new DatagramPacket(ping, ping.length, target));
            receive(s); // answered all the same
          }
        }
      } finally {
        for (DatagramSocket s : sockets) {
          s.close();
        }
      }
      await(() -> guarded.stats().rejectedPerIp(), 76); // published after the last reply
      assertThat(guarded.stats().queriesReceived()).isEqualTo(80);
      assertThat(guarded.routingTableSize()).isEqualTo(2);
      // Every query of the 38 other sockets was refused (the counter counts refusals); the second
      // id of the two admitted sockets was ignored, one node per IP:port.
      assertThat(guarded.stats().rejectedPerIp()).isEqualTo(76);
    } finally {
      guarded.close();
    }
  }

  @Test
  void brokenQueriesGetErrorCodes() throws Exception {
    send("d1:ad2:id5:shorte1:q4:ping1:t2:q11:y1:qe");
    BencodeDictionary reply = receive();
    assertThat(reply.get("t")).contains(BencodeString.of("q1"));
    assertThat(errorCode(reply)).isEqualTo(203);

    send("d1:ad2:id20:" + ID + "e1:q10:sample_xyz1:t2:q21:y1:qe");
    reply = receive();
    assertThat(reply.get("t")).contains(BencodeString.of("q2"));
    assertThat(errorCode(reply)).isEqualTo(204);

    send("d1:ad2:id20:" + ID + "9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:forgeryye"
        + "1:q13:announce_peer1:t2:q31:y1:qe");
    reply = receive();
    assertThat(reply.get("t")).contains(BencodeString.of("q3"));
    assertThat(errorCode(reply)).isEqualTo(203);
    assertThat(node.stats().storedPeers()).isZero();
    pingStillAnswered();
  }

  @Test
  void aTokenFromGetPeersAllowsAnAnnounceFromThatAddressOnly() throws Exception {
    send("d1:ad2:id20:" + ID + "9:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:g11:y1:qe");
    BencodeDictionary reply = receive();
    BencodeDictionary r = (BencodeDictionary) reply.get("r").orElseThrow();
    BencodeString token = (BencodeString) r.get("token").orElseThrow();
    String t = new String(token.toByteArray(), ISO_8859_1);
    String announce = "d1:ad2:id20:" + ID + "9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token"
        + t.length() + ":" + t + "e1:q13:announce_peer1:t2:a11:y1:qe";
    // From another address (another port: tokens are per IP, so use 127.0.0.2).
    try (DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
      other.setSoTimeout(5000);
      send(other, announce.getBytes(ISO_8859_1));
      assertThat(errorCode(receive(other))).isEqualTo(203);
    }
    send(announce);
    reply = receive();
    assertThat(reply.get("y")).contains(BencodeString.of("r"));
    await(() -> node.stats().storedPeers(), 1); // the counters are published after the reply
    assertThat(node.stats().storedPeers()).isEqualTo(1);
  }

  @Test
  void answersWeDidNotAskForAreDropped() throws Exception {
    send("d1:rd2:id20:" + ID + "e1:t2:??1:y1:re");
    send("d1:eli201e4:nopee1:t2:??1:y1:ee");
    await(() -> node.stats().droppedUnknownTransaction(), 2);
    assertThat(node.stats().droppedUnknownTransaction()).isEqualTo(2);
    pingStillAnswered();
  }

  @Test
  void anAnswerFromAnotherAddressThanTheOneQueriedIsDropped() throws Exception {
    InetSocketAddress ours = (InetSocketAddress) socket.getLocalSocketAddress();
    node.addNode(ours); // the node pings our socket
    BencodeDictionary ping = receive();
    assertThat(ping.get("q")).contains(BencodeString.of("ping"));
    BencodeString tid = (BencodeString) ping.get("t").orElseThrow();
    byte[] answer = Bencode.encode(BencodeDictionary.builder()
        .put("t", tid)
        .put("y", "r")
        .put("r", BencodeDictionary.builder().put("id", BencodeString.of(ID)).build())
        .build());
    try (DatagramSocket impostor = new DatagramSocket(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      send(impostor, answer);
    }
    await(() -> node.stats().droppedWrongAddress(), 1);
    assertThat(node.stats().droppedWrongAddress()).isEqualTo(1);
    assertThat(node.routingTableSize()).isZero();
    // The real node answers: it is taken.
    send(socket, answer);
    await(node::routingTableSize, 1);
    assertThat(node.routingTableSize()).isEqualTo(1);
    assertThat(node.stats().responsesReceived()).isEqualTo(1);
  }

  @Test
  void anErrorAnswerFailsTheQueryAndTheNodeStaysOut() throws Exception {
    node.addNode((InetSocketAddress) socket.getLocalSocketAddress());
    BencodeDictionary ping = receive();
    BencodeString tid = (BencodeString) ping.get("t").orElseThrow();
    send(socket, Bencode.encode(BencodeDictionary.builder()
        .put("t", tid)
        .put("y", "e")
        .put("e", BencodeList.of(org.functorrent.bencode.BencodeInteger.of(202),
            BencodeString.of("server error")))
        .build()));
    await(() -> node.stats().errorsReceived(), 1);
    assertThat(node.stats().errorsReceived()).isEqualTo(1);
    assertThat(node.stats().dropped()).isZero();
    assertThat(node.routingTableSize()).isZero();
    pingStillAnswered();
  }

  @Test
  void aBogusCompactLengthInAnAnswerFailsThatQueryOnly() throws Exception {
    InetSocketAddress ours = (InetSocketAddress) socket.getLocalSocketAddress();
    node.addNode(ours);
    BencodeDictionary ping = receive();
    BencodeString tid = (BencodeString) ping.get("t").orElseThrow();
    send(socket, Bencode.encode(BencodeDictionary.builder()
        .put("t", tid)
        .put("y", "r")
        .put("r", BencodeDictionary.builder().put("id", BencodeString.of(ID))
            .put("nodes", BencodeString.of("x".repeat(27))).build())
        .build()));
    await(() -> node.stats().droppedMalformed(), 1);
    assertThat(node.stats().droppedMalformed()).isEqualTo(1);
    assertThat(node.routingTableSize()).isZero();
    pingStillAnswered();
  }
}
