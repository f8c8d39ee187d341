package org.functorrent.dht.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.functorrent.bencode.BencodeString;
import org.functorrent.dht.NodeId;
import org.functorrent.dht.internal.KrpcMessage.AnnouncePeer;
import org.functorrent.dht.internal.KrpcMessage.Error;
import org.functorrent.dht.internal.KrpcMessage.FindNode;
import org.functorrent.dht.internal.KrpcMessage.GetPeers;
import org.functorrent.dht.internal.KrpcMessage.Ping;
import org.functorrent.dht.internal.KrpcMessage.Response;
import org.functorrent.dht.internal.KrpcMessage.UnknownQuery;
import org.functorrent.metainfo.InfoHash;
import org.junit.jupiter.api.Test;

/** The example packets of BEP 5, decoded and encoded, and what the decoder must refuse. */
class KrpcTest {
  private static final BencodeString AA = BencodeString.of("aa");
  private static final NodeId ABC = id("abcdefghij0123456789");
  private static final NodeId MNO = id("mnopqrstuvwxyz123456");

  private static NodeId id(String twenty) {
    return NodeId.of(twenty.getBytes(ISO_8859_1));
  }

  private static byte[] b(String s) {
    return s.getBytes(ISO_8859_1);
  }

  private static KrpcMessage decode(String s) {
    return Krpc.decode(b(s));
  }

  private static String encode(KrpcMessage m) {
    return new String(Krpc.encode(m, null), ISO_8859_1);
  }

  @Test
  void pingQueryAndResponse() {
    String query = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
    assertThat(decode(query)).isEqualTo(new Ping(AA, ABC));
    assertThat(encode(new Ping(AA, ABC))).isEqualTo(query);

    String response = "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re";
    assertThat(decode(response)).isEqualTo(Response.of(AA, MNO));
    assertThat(encode(Response.of(AA, MNO))).isEqualTo(response);
  }

  @Test
  void findNodeQuery() {
    String query =
        "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e"
            + "1:q9:find_node1:t2:aa1:y1:qe";
    assertThat(decode(query)).isEqualTo(new FindNode(AA, ABC, MNO));
    assertThat(encode(new FindNode(AA, ABC, MNO))).isEqualTo(query);
  }

  @Test
  void findNodeResponseWithCompactNodeInfo() {
    // The BEP's "def456..." stands for compact node info: 26 bytes per node.
    // 127.0.0.1:6881 and 10.1.2.3:80
    String node1 = "0123456789abcdefghij" + "\u007f\u0000\u0000\u0001\u001a\u00e1";
    String node2 = "ABCDEFGHIJabcdefghij" + "\n\u0001\u0002\u0003\u0000\u0050";
    String response = "d1:rd2:id20:0123456789abcdefghij5:nodes52:" + node1 + node2
        + "e1:t2:aa1:y1:re";
    Response r = (Response) decode(response);
    assertThat(r.sender()).isEqualTo(id("0123456789abcdefghij"));
    assertThat(r.nodes())
        .containsExactly(
            new NodeContact(id("0123456789abcdefghij"), new InetSocketAddress("127.0.0.1", 6881)),
            new NodeContact(id("ABCDEFGHIJabcdefghij"), new InetSocketAddress("10.1.2.3", 80)));
    assertThat(encode(r)).isEqualTo(response);
  }

  @Test
  void theBepsPlaceholderNodesAreABogusLength() {
    // "def456..." is 9 bytes: not a multiple of 26, so not usable compact node info.
    assertThatThrownBy(() -> decode(
            "d1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:y1:re"))
        .isInstanceOfSatisfying(KrpcException.class, e -> {
          assertThat(e.transactionId()).contains(AA);
          assertThat(e.type()).isEqualTo('r');
          assertThat(e.getMessage()).contains("multiple of 26");
        });
  }

  @Test
  void getPeersQueryAndResponseWithValues() {
    String query =
        "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e"
            + "1:q9:get_peers1:t2:aa1:y1:qe";
    InfoHash hash = InfoHash.of(b("mnopqrstuvwxyz123456"));
    assertThat(decode(query)).isEqualTo(new GetPeers(AA, ABC, hash));
    assertThat(encode(new GetPeers(AA, ABC, hash))).isEqualTo(query);

    String response = "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee"
        + "1:t2:aa1:y1:re";
    Response r = (Response) decode(response);
    assertThat(r.token()).contains(BencodeString.of("aoeusnth"));
    // "axje.u": a=97 x=120 j=106 e=101, port '.'<<8|'u' = 0x2e75; "idhtnm" likewise.
    assertThat(r.values())
        .containsExactly(
            new InetSocketAddress("97.120.106.101", 0x2e75),
            new InetSocketAddress("105.100.104.116", 0x6e6d));
    assertThat(r.nodes()).isEmpty();
    assertThat(encode(r)).isEqualTo(response);
  }

  @Test
  void announcePeerWithImpliedPort() {
    String query = "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:"
        + "mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe";
    AnnouncePeer a = (AnnouncePeer) decode(query);
    assertThat(a.impliedPort()).isTrue();
    assertThat(a.port()).isEqualTo(6881);
    assertThat(a.infoHash()).isEqualTo(InfoHash.of(b("mnopqrstuvwxyz123456")));
    assertThat(a.token()).isEqualTo(BencodeString.of("aoeusnth"));
    assertThat(a.sender()).isEqualTo(ABC);
    assertThat(encode(a)).isEqualTo(query);
  }

  @Test
  void announcePeerWithoutImpliedPort() {
    String query = "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e"
        + "5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe";
    AnnouncePeer a = (AnnouncePeer) decode(query);
    assertThat(a.impliedPort()).isFalse();
    assertThat(a.port()).isEqualTo(6881);
    assertThat(encode(a)).isEqualTo(query);
    // implied_port 0 is the same as absent.
    AnnouncePeer zero = (AnnouncePeer) decode(query.replace("2:id20:abcdefghij0123456789",
        "2:id20:abcdefghij012345678912:implied_porti0e"));
    assertThat(zero.impliedPort()).isFalse();
  }

  @Test
  void genericError() {
    String error = "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee";
    assertThat(decode(error)).isEqualTo(new Error(AA, 201, "A Generic Error Ocurred"));
    assertThat(encode(new Error(AA, 201, "A Generic Error Ocurred"))).isEqualTo(error);
  }

  @Test
  void versionIpUnknownKeysAndTrailingBytesAreTolerated() {
    // ip (BEP 42), v, nodes6 (BEP 32: 38 bytes per IPv6 node, ignored), an unknown key, and two
    // bytes after the dictionary.
    String response = "d2:ip6:\u007f\u0000\u0000\u0001\u001a\u00e1"
        + "1:rd2:id20:mnopqrstuvwxyz1234566:nodes638:" + "x".repeat(38) + "4:zzzzi5ee"
        + "1:t2:aa1:v4:LT\u0001\u00021:y1:re  ";
    Response r = (Response) decode(response);
    assertThat(r.sender()).isEqualTo(MNO);
    assertThat(r.requester()).contains(new InetSocketAddress("127.0.0.1", 6881));
    assertThat(r.nodes()).isEmpty();
    assertThat(r.values()).isEmpty();
    assertThat(r.token()).isEmpty();
  }

  @Test
  void ipKeyIsWrittenOnResponses() {
    Response r = new Response(AA, MNO, ImmutableList.of(), ImmutableList.of(), Optional.empty(),
        Optional.of(new InetSocketAddress("127.0.0.1", 6881)));
    byte[] bytes = Krpc.encode(r, BencodeString.of("FJ01"));
    assertThat(new String(bytes, ISO_8859_1))
        .isEqualTo("d2:ip6:\u007f\u0000\u0000\u0001\u001a\u00e11:rd2:id20:mnopqrstuvwxyz123456e"
            + "1:t2:aa1:v4:FJ011:y1:re");
    assertThat(Krpc.decode(bytes)).isEqualTo(r);
  }

  @Test
  void ipv6ValuesAreSkippedAndPortZeroPeersDropped() {
    String v6 = "x".repeat(18);
    String response = "d1:rd2:id20:abcdefghij01234567895:token1:k6:valuesl18:" + v6
        + "6:\u007f\u0000\u0000\u0001\u0000\u00006:\u007f\u0000\u0000\u0001\u0000\u0001ee"
        + "1:t2:aa1:y1:re";
    Response r = (Response) decode(response);
    assertThat(r.values()).containsExactly(new InetSocketAddress("127.0.0.1", 1));
  }

  @Test
  void unknownMethodIsAQueryToAnswerWith204() {
    KrpcMessage m = decode("d1:ad2:id20:abcdefghij0123456789e1:q9:vote_blue1:t2:aa1:y1:qe");
    assertThat(m).isEqualTo(new UnknownQuery(AA, ABC, "vote_blue"));
  }

  @Test
  void brokenQueriesKeepTheirTransactionIdForAn203() {
    assertThatThrownBy(() -> decode("d1:ad2:id19:abcdefghij012345678e1:q4:ping1:t2:aa1:y1:qe"))
        .isInstanceOfSatisfying(KrpcException.class, e -> {
          assertThat(e.transactionId()).contains(AA);
          assertThat(e.type()).isEqualTo('q');
          assertThat(e.getMessage()).contains("id of 19 bytes");
        });
    assertThatThrownBy(() -> decode("d1:q4:ping1:t2:aa1:y1:qe"))
        .isInstanceOfSatisfying(KrpcException.class, e -> assertThat(e.type()).isEqualTo('q'));
    assertThatThrownBy(() -> decode("d1:ad2:id20:abcdefghij01234567899:info_hash20:"
            + "mnopqrstuvwxyz1234564:porti0e5:token1:xe1:q13:announce_peer1:t2:aa1:y1:qe"))
        .isInstanceOf(KrpcException.class)
        .hasMessageContaining("port 0");
    assertThatThrownBy(() -> decode("d1:ad2:id20:abcdefghij01234567899:info_hash20:"
            + "mnopqrstuvwxyz1234564:porti70000e5:token1:xe1:q13:announce_peer1:t2:aa1:y1:qe"))
        .isInstanceOf(KrpcException.class)
        .hasMessageContaining("port 70000");
  }

  @Test
  void garbageIsRefusedWithoutATransactionId() {
    for (String bad : new String[] {
        "", "i42e", "le", "d1:y1:qe", "d1:t0:1:y1:qe", "d1:t2:aa1:y1:xe", "d1:t2:aa1:y2:qqe",
        "d1:t17:aaaaaaaaaaaaaaaaa1:y1:re", "d1:t2:aa", "d1:ti1e1:y1:qe", "xyz"}) {
      assertThatThrownBy(() -> decode(bad)).as(bad).isInstanceOf(KrpcException.class);
    }
    assertThatThrownBy(() -> decode("d1:t2:aa1:y1:xe"))
        .isInstanceOfSatisfying(KrpcException.class, e -> assertThat(e.type()).isEqualTo('\0'));
  }

  @Test
  void bogusValuesLengthAndErrorShapes() {
    assertThatThrownBy(() -> decode(
            "d1:rd2:id20:abcdefghij01234567896:valuesl7:abcdefgee1:t2:aa1:y1:re"))
        .isInstanceOf(KrpcException.class)
        .hasMessageContaining("7 bytes");
    assertThatThrownBy(() -> decode("d1:e4:oops1:t2:aa1:y1:ee"))
        .isInstanceOfSatisfying(KrpcException.class, e -> assertThat(e.type()).isEqualTo('e'));
    // An error without a message is still an error.
    assertThat(decode("d1:eli203ee1:t2:aa1:y1:ee")).isEqualTo(new Error(AA, 203, ""));
  }

  @Test
  void oversizedDatagramsAreRefused() {
    byte[] big = new byte[Krpc.MAX_PACKET + 1];
    assertThatThrownBy(() -> Krpc.decode(big))
        .isInstanceOf(KrpcException.class)
        .hasMessageContaining("at most " + Krpc.MAX_PACKET);
  }

  @Test
  void deepNestingIsRefused() {
    String deep = "d1:t2:aa1:y1:r1:r" + "l".repeat(100) + "e".repeat(100) + "e";
    assertThatThrownBy(() -> decode(deep)).isInstanceOf(KrpcException.class);
  }
}
