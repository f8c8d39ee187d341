package org.functorrent.tracker;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our client against our server over loopback, HTTP and UDP. */
class ClientServerLoopbackTest {
  private static EventLoopGroup group;
  private static TrackerServer server;
  private static TrackerClient client;

  @BeforeAll
  static void start() {
    group = Groups.newGroup();
    server = TrackerServer.start(group, InetAddress.getLoopbackAddress(), 0);
    client =
        TrackerClient.builder(group)
            .udpLocalAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .build();
  }

  @AfterAll
  static void stop() {
    client.closeAsync().join();
    server.closeAsync().join();
    Groups.shutdown(group);
  }

  private URI uri(String scheme) {
    return scheme.equals("http") ? server.httpAnnounceUri() : server.udpAnnounceUri();
  }

  private static InfoHash hash(String scheme) {
    byte[] b = new byte[20];
    b[0] = (byte) scheme.length();
    b[1] = '%';
    b[2] = '+';
    b[3] = (byte) 0xff;
    b[4] = ' ';
    return InfoHash.of(b);
  }

  private static AnnounceResponse announce(
      URI tracker, InfoHash h, PeerId id, int port, long left, AnnounceEvent e) throws Exception {
    AnnounceRequest r = AnnounceRequest.of(h, id, port, TransferStats.of(0, 0, left)).withEvent(e);
    return client.announce(tracker, r).get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "udp"})
  void twoPeersSeeEachOtherScrapeAndStopped(String scheme) throws Exception {
    URI tracker = uri(scheme);
    InfoHash h = hash(scheme);
    PeerId a = PeerId.random("-FJ0100-");
    PeerId b = PeerId.random("-FJ0100-");

    AnnounceResponse first = announce(tracker, h, a, 7001, 100, AnnounceEvent.STARTED);
    assertThat(first.peers()).isEmpty();
    assertThat(first.interval()).isPositive();

    AnnounceResponse second = announce(tracker, h, b, 7002, 0, AnnounceEvent.STARTED);
    assertThat(second.peers()).containsExactly(new InetSocketAddress("127.0.0.1", 7001));
    assertThat(second.seeders()).hasValue(1);
    assertThat(second.leechers()).hasValue(1);

    AnnounceResponse again = announce(tracker, h, a, 7001, 0, AnnounceEvent.COMPLETED);
    assertThat(again.peers()).containsExactly(new InetSocketAddress("127.0.0.1", 7002));

    assertThat(client.scrape(tracker, List.of(h)).get(10, TimeUnit.SECONDS))
        .containsEntry(h, new ScrapeStats(2, 1, 0));

    announce(tracker, h, a, 7001, 0, AnnounceEvent.STOPPED);
    AnnounceResponse afterStop = announce(tracker, h, b, 7002, 0, AnnounceEvent.NONE);
    assertThat(afterStop.peers()).isEmpty();
    assertThat(client.scrape(tracker, List.of(h)).get(10, TimeUnit.SECONDS))
        .containsEntry(h, new ScrapeStats(1, 1, 0));
  }

  private static byte[] get(String url) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var response =
        http.send(
            java.net.http.HttpRequest.newBuilder(URI.create(url)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    return response.body();
  }

  @Test
  void serverAnswersDictionaryPeersWhenCompactIsOff() throws Exception {
    InfoHash h = InfoHash.fromHex("1111111111111111111111111111111111111111");
    PeerId a = PeerId.of("AAAAAAAAAAAAAAAAAAAA".getBytes(ISO_8859_1));
    announce(server.httpAnnounceUri(), h, a, 7003, 1, AnnounceEvent.STARTED);
    byte[] body =
        get(
            server.httpAnnounceUri()
                + "?compact=0&info_hash="
                + h.urlEncoded()
                + "&peer_id=BBBBBBBBBBBBBBBBBBBB&port=7004&left=1");
    assertThat(new String(body, ISO_8859_1))
        .contains("5:peersld2:ip9:127.0.0.17:peer id20:AAAAAAAAAAAAAAAAAAAA4:porti7003eee");
    AnnounceResponse parsed = org.functorrent.tracker.internal.HttpTrackerCodec.parseAnnounce(body);
    assertThat(parsed.peers()).containsExactly(new InetSocketAddress("127.0.0.1", 7003));
  }

  @Test
  void serverAnswersAFailureReasonToABadAnnounce() throws Exception {
    assertThat(new String(get(server.httpAnnounceUri() + "?peer_id=x&port=1"), ISO_8859_1))
        .startsWith("d14:failure reason")
        .contains("info_hash");
    InfoHash h = InfoHash.fromHex("2222222222222222222222222222222222222222");
    assertThat(
            new String(
                get(
                    server.httpAnnounceUri()
                        + "?info_hash="
                        + h.urlEncoded()
                        + "&peer_id=BBBBBBBBBBBBBBBBBBBB&port=0"),
                ISO_8859_1))
        .contains("port");
  }

  @Test
  void aTakenPortIsATrackerException() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TrackerServer.start(group, InetAddress.getLoopbackAddress(), server.port()))
        .isInstanceOf(TrackerException.class)
        .hasMessageContaining("cannot bind");
  }

  @Test
  void scrapeWithoutInfoHashListsEveryTorrent() throws Exception {
    InfoHash h = InfoHash.fromHex("3333333333333333333333333333333333333333");
    announce(server.udpAnnounceUri(), h, PeerId.random("-T-"), 7010, 5, AnnounceEvent.STARTED);
    String body =
        new String(
            get(server.httpAnnounceUri().toString().replace("announce", "scrape")), ISO_8859_1);
    assertThat(body).startsWith("d5:filesd").contains(new String(h.toByteArray(), ISO_8859_1));
  }

  /** A malformed escape in the path gets a 400 with a failure reason, not a silent close. */
  @Test
  void malformedPathEscapeIsABadRequest() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(server.address(), 10_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream()
          .write("GET /ann%zzounce?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(ISO_8859_1));
      String answer = new String(socket.getInputStream().readAllBytes(), ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.1 400").contains("failure reason").contains("malformed");
    }
  }
}
