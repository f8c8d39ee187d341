package org.functorrent.tracker;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Trackers that answer badly, time out or cannot be reached: every case is a {@link
 * TrackerException} with a reason that says what was wrong, never another exception.
 */
class MalformedResponseTest {
  private static final InfoHash HASH = InfoHash.fromHex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  private static final AnnounceRequest REQUEST =
      AnnounceRequest.of(HASH, PeerId.random("-FJ0100-"), 6881, TransferStats.of(0, 0, 10));

  private static EventLoopGroup group;
  private static TrackerClient client;

  @BeforeAll
  static void start() {
    group = Groups.newGroup();
    client =
        TrackerClient.builder(group)
            .httpTimeout(Duration.ofSeconds(2))
            .maxResponseBytes(64 * 1024)
            .maxRedirects(2)
            .udpLocalAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .udpRetransmitBase(Duration.ofMillis(100))
            .udpMaxRetransmits(2)
            .build();
  }

  @AfterAll
  static void stop() {
    client.closeAsync().join();
    Groups.shutdown(group);
  }

  private static String reason(CompletableFuture<?> f) throws Exception {
    try {
      Object value = f.get(20, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(TrackerException.class);
      return ((TrackerException) e.getCause()).reason();
    }
  }

  private static String httpReason(String body) throws Exception {
    try (FakeHttpTracker t = FakeHttpTracker.answering(body.getBytes(ISO_8859_1))) {
      return reason(client.announce(t.announce(), REQUEST));
    }
  }

  @Test
  void truncatedBencode() throws Exception {
    assertThat(httpReason("d8:intervali1800e5:peers6:abc"))
        .startsWith("malformed response: malformed bencode");
  }

  @Test
  void missingPeers() throws Exception {
    assertThat(httpReason("d8:intervali1800ee")).isEqualTo("malformed response: missing \"peers\"");
  }

  @Test
  void compactPeersNotAMultipleOfSix() throws Exception {
    assertThat(httpReason("d8:intervali1800e5:peers7:1234567e"))
        .isEqualTo("malformed response: compact \"peers\" of 7 bytes (expected: a multiple of 6)");
  }

  @Test
  void failureReason() throws Exception {
    assertThat(httpReason("d14:failure reason14:not authorizede"))
        .isEqualTo("failure reason: not authorized");
  }

  @Test
  void notBencodeAtAll() throws Exception {
    assertThat(httpReason("<html>hello</html>")).startsWith("malformed response:");
  }

  @Test
  void httpErrorStatus() throws Exception {
    try (FakeHttpTracker t =
        new FakeHttpTracker(x -> FakeHttpTracker.send(x, 500, "oops".getBytes(ISO_8859_1)))) {
      assertThat(reason(client.announce(t.announce(), REQUEST))).startsWith("HTTP 500");
    }
  }

  @Test
  void failureReasonWithAnErrorStatus() throws Exception {
    byte[] body = "d14:failure reason4:nopee".getBytes(ISO_8859_1);
    try (FakeHttpTracker t = new FakeHttpTracker(x -> FakeHttpTracker.send(x, 400, body))) {
      assertThat(reason(client.announce(t.announce(), REQUEST)))
          .isEqualTo("failure reason: nope (HTTP 400)");
    }
  }

  @Test
  void responseTooLarge() throws Exception {
    byte[] big = new byte[200 * 1024];
    try (FakeHttpTracker t = FakeHttpTracker.answering(big)) {
      assertThat(reason(client.announce(t.announce(), REQUEST)))
          .isEqualTo("response larger than 65536 bytes");
    }
  }

  @Test
  void gzipBombIsBoundedToo() throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(new byte[1 << 20]);
    }
    byte[] body = zipped.toByteArray();
    try (FakeHttpTracker t =
        new FakeHttpTracker(
            x -> {
              x.getResponseHeaders().set("Content-Encoding", "gzip");
              FakeHttpTracker.send(x, 200, body);
            })) {
      assertThat(reason(client.announce(t.announce(), REQUEST)))
          .isEqualTo("response larger than 65536 bytes");
    }
  }

  @Test
  void gzipIsAccepted() throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(
          "d8:intervali900e5:peers6:\u007f\u0000\u0000\u0001\u001a\u00e1e".getBytes(ISO_8859_1));
    }
    byte[] body = zipped.toByteArray();
    try (FakeHttpTracker t =
        new FakeHttpTracker(
            x -> {
              assertThat(x.getRequestHeaders().getFirst("Accept-Encoding")).contains("gzip");
              x.getResponseHeaders().set("Content-Encoding", "gzip");
              FakeHttpTracker.send(x, 200, body);
            })) {
      AnnounceResponse r = client.announce(t.announce(), REQUEST).get(10, TimeUnit.SECONDS);
      assertThat(r.peers()).containsExactly(new InetSocketAddress("127.0.0.1", 6881));
      assertThat(r.interval()).isEqualTo(Duration.ofSeconds(900));
    }
  }

  @Test
  void redirectsAreFollowedAndBounded() throws Exception {
    byte[] ok = "d8:intervali60e5:peers0:e".getBytes(ISO_8859_1);
    try (FakeHttpTracker t =
        new FakeHttpTracker(
            x -> {
              String path = x.getRequestURI().getPath();
              String query = x.getRequestURI().getRawQuery();
              if (path.equals("/loop")) {
                x.getResponseHeaders().set("Location", "/loop?" + query);
                FakeHttpTracker.send(x, 302, new byte[0]);
              } else if (path.equals("/announce")) {
                x.getResponseHeaders().set("Location", "/real/announce?" + query);
                FakeHttpTracker.send(x, 307, new byte[0]);
              } else if (query != null && query.contains("info_hash=" + HASH.urlEncoded())) {
                FakeHttpTracker.send(x, 200, ok);
              } else {
                FakeHttpTracker.send(x, 404, new byte[0]);
              }
            })) {
      assertThat(client.announce(t.announce(), REQUEST).get(10, TimeUnit.SECONDS).interval())
          .isEqualTo(Duration.ofSeconds(60));
      assertThat(reason(client.announce(t.uri("/loop"), REQUEST)))
          .isEqualTo("too many redirects (expected: at most 2)");
    }
  }

  @Test
  void httpTimeout() throws Exception {
    try (FakeHttpTracker t = new FakeHttpTracker(x -> {})) {
      assertThat(reason(client.announce(t.announce(), REQUEST))).startsWith("timeout after");
    }
  }

  @Test
  void unreachableHttpTracker() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertThat(
            reason(client.announce(URI.create("http://127.0.0.1:" + port + "/announce"), REQUEST)))
        .startsWith("unreachable");
  }

  @Test
  void unsupportedScheme() throws Exception {
    assertThat(reason(client.announce(URI.create("wss://127.0.0.1/announce"), REQUEST)))
        .contains("unsupported");
  }

  // UDP

  private static byte[] connectAnswer(byte[] request) {
    return ByteBuffer.allocate(16)
        .putInt(0)
        .putInt(ByteBuffer.wrap(request).getInt(12))
        .putLong(0x1234L)
        .array();
  }

  private static String udpReason(FakeUdpTracker.Responder announceAnswer) throws Exception {
    try (FakeUdpTracker t =
        new FakeUdpTracker(
            (request, index) -> {
              if (ByteBuffer.wrap(request).getInt(8) == 0) {
                return connectAnswer(request);
              }
              return announceAnswer.answer(request, index);
            })) {
      return reason(client.announce(t.uri(), REQUEST));
    }
  }

  private static int transactionId(byte[] request) {
    return ByteBuffer.wrap(request).getInt(12);
  }

  @Test
  void udpAnnounceResponseOfTheWrongSize() throws Exception {
    assertThat(
            udpReason(
                (request, index) ->
                    ByteBuffer.allocate(23)
                        .putInt(1)
                        .putInt(transactionId(request))
                        .putInt(60)
                        .array()))
        .isEqualTo(
            "malformed response: announce response of 23 bytes (expected: 20 + a multiple of 6)");
  }

  @Test
  void udpWrongTransactionId() throws Exception {
    assertThat(
            udpReason(
                (request, index) ->
                    ByteBuffer.allocate(20)
                        .putInt(1)
                        .putInt(transactionId(request) + 1)
                        .putInt(60)
                        .array()))
        .startsWith("transaction id ")
        .contains("(expected: ");
  }

  @Test
  void udpDuplicateAnswersDoNotFailOtherTransactions() throws Exception {
    // Every answer comes twice, as after a retransmission; two announces run at once, so the
    // duplicate of one's answer arrives while the other waits. It must be ignored.
    try (FakeUdpTracker t =
        new FakeUdpTracker(
            (request, index) ->
                ByteBuffer.wrap(request).getInt(8) == 0
                    ? connectAnswer(request)
                    : ByteBuffer.allocate(20).putInt(1).putInt(transactionId(request)).array(),
            2)) {
      for (int round = 0; round < 20; round++) {
        var first = client.announce(t.uri(), REQUEST);
        var second = client.announce(t.uri(), REQUEST);
        assertThat(first.get(10, TimeUnit.SECONDS).peers()).isEmpty();
        assertThat(second.get(10, TimeUnit.SECONDS).peers()).isEmpty();
      }
    }
  }

  @Test
  void udpEmptyAnnounceResponseIsARefusal() throws Exception {
    assertThat(
            udpReason(
                (request, index) ->
                    ByteBuffer.allocate(8).putInt(1).putInt(transactionId(request)).array()))
        .isEqualTo("announce refused: empty response (the tracker does not serve this info-hash)");
  }

  @Test
  void udpPacketTooShortForAHeader() throws Exception {
    assertThat(udpReason((request, index) -> new byte[5]))
        .isEqualTo("packet of 5 bytes (expected: at least 8)");
  }

  @Test
  void udpWrongAction() throws Exception {
    assertThat(
            udpReason(
                (request, index) ->
                    ByteBuffer.allocate(20).putInt(2).putInt(transactionId(request)).array()))
        .isEqualTo("response action 2 (expected: 1)");
  }

  @Test
  void udpErrorAction() throws Exception {
    assertThat(
            udpReason(
                (request, index) -> {
                  byte[] m = "go away".getBytes(ISO_8859_1);
                  return ByteBuffer.allocate(8 + m.length)
                      .putInt(3)
                      .putInt(transactionId(request))
                      .put(m)
                      .array();
                }))
        .isEqualTo("tracker error: go away");
  }

  @Test
  void udpTimeoutAfterTheConfiguredRetransmissions() throws Exception {
    try (FakeUdpTracker silent = new FakeUdpTracker((request, index) -> null)) {
      assertThat(reason(client.announce(silent.uri(), REQUEST)))
          .startsWith("timeout: no response after 3 attempts");
      // the first packet and two retransmissions (udpMaxRetransmits(2)), then nothing more
      assertThat(silent.packetsReceived()).isEqualTo(3);
    }
  }

  @Test
  void udpScrapeOfTooManyHashes() throws Exception {
    List<InfoHash> many = java.util.Collections.nCopies(75, HASH);
    assertThat(reason(client.scrape(URI.create("udp://127.0.0.1:1"), many)))
        .contains("expected: 1 to 74");
  }
}
