package org.functorrent.tracker.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.base.Ticker;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.tracker.AnnounceResponse;
import org.functorrent.tracker.TrackerException;
import org.functorrent.tracker.internal.HttpTrackerCodec.MalformedResponseException;
import org.functorrent.tracker.internal.HttpTrackerCodec.TrackerFailureException;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzz targets for every tracker message that comes from outside: HTTP responses
 * (raw, through the client's real Netty pipeline, and bodies alone), UDP responses as the client
 * reads them, and the requests our tracker server reads over UDP and HTTP.
 *
 * <p>A client may end only in a value, a {@link TrackerException} (through the pipeline) or the
 * codec's {@link MalformedResponseException} / {@link TrackerFailureException}; the server never
 * throws and answers only with well-formed packets. Seeds and past findings are in {@code
 * src/test/resources/org/functorrent/tracker/internal/TrackerFuzzTestInputs/<target>/}; see
 * docs/FUZZING.md.
 */
class TrackerFuzzTest {
  private static final URI TRACKER = URI.create("http://127.0.0.1:6969/announce");
  private static final int MAX_RESPONSE_BYTES = 64 * 1024;
  private static final InetSocketAddress SENDER_V4 = new InetSocketAddress("127.0.0.1", 6881);
  private static final InetSocketAddress SENDER_V6 = new InetSocketAddress("::1", 6881);

  /** No event loop: with no redirect allowed, reading a response never connects anywhere. */
  private static final HttpTrackerClient CLIENT =
      new HttpTrackerClient(
          null, NioSocketChannel.class, Duration.ofSeconds(5), 0, MAX_RESPONSE_BYTES, "fuzz", null);

  /**
   * The raw bytes a tracker sends back, read by the client's own pipeline (HTTP codec, gzip and
   * deflate, aggregation, the response handler) after it sent its GET; then the body, if the
   * response was a 200, is parsed as an announce and as a scrape. Nothing may escape the pipeline;
   * the exchange ends in a body or a {@link TrackerException}.
   */
  @FuzzTest
  void httpResponse(byte[] response) throws InterruptedException {
    byte[] body;
    try {
      body = exchange(response);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(TrackerException.class);
      return;
    }
    parseBody(body);
  }

  /** The body that the client's pipeline makes of {@code response}, or its failure. */
  private static byte[] exchange(byte[] response)
      throws InterruptedException, ExecutionException {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    EmbeddedChannel ch = new EmbeddedChannel();
    CLIENT.addResponseHandlers(ch.pipeline(), TRACKER, 0, TRACKER.toString(), result);
    ch.writeOutbound(
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/announce?compact=1"));
    ch.writeInbound(Unpooled.wrappedBuffer(response)); // throws what reached the pipeline's end
    ch.finishAndReleaseAll();
    assertThat(result).isDone();
    return result.get();
  }

  /**
   * The targets' premise: the seeds get where they are named for, so that fuzzing starts from
   * responses the client accepts and requests the server serves.
   */
  @Test
  void seedsReachWhatTheyAreNamedFor() throws Exception {
    AnnounceResponse compact =
        HttpTrackerCodec.parseAnnounce(exchange(seed("httpResponse", "200-compact")));
    assertThat(compact.peers()).hasSize(3);
    AnnounceResponse gzip =
        HttpTrackerCodec.parseAnnounce(exchange(seed("httpResponse", "200-gzip-dictionary-peers")));
    assertThat(gzip.peers()).hasSize(2);
    assertThat(HttpTrackerCodec.parseScrape(exchange(seed("httpResponse", "200-deflate-scrape"))))
        .hasSize(1);
    assertThatThrownBy(() -> exchange(seed("httpResponse", "302-redirect")))
        .hasRootCauseInstanceOf(TrackerException.class)
        .hasMessageContaining("too many redirects");
    // The server's connection ids are spliced in: the announces and the scrape are served.
    TrackerServerCore core = newServer();
    ByteBuffer in = ByteBuffer.wrap(seed("udpServer", "announce-leecher-then-seeder-then-scrape"));
    List<Integer> actions = new ArrayList<>();
    while (in.hasRemaining()) {
      int flags = in.get();
      byte[] packet = new byte[in.getShort()];
      in.get(packet);
      assertThat(flags & 1).isEqualTo(1);
      byte[] connect = core.udp(UdpTrackerCodec.connectRequest(7), SENDER_V4);
      System.arraycopy(connect, 8, packet, 0, 8);
      actions.add(UdpTrackerCodec.action(core.udp(packet, SENDER_V4)));
    }
    assertThat(actions).containsExactly(1, 1, 2);
  }

  private static byte[] seed(String target, String name) throws IOException {
    String path = "TrackerFuzzTestInputs/" + target + "/" + name;
    try (InputStream in = TrackerFuzzTest.class.getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return in.readAllBytes();
    }
  }

  /** A response body alone, as an announce and as a scrape response (BEP 3, 23, 7, 48). */
  @FuzzTest
  void httpBody(byte[] body) {
    parseBody(body);
  }

  private static void parseBody(byte[] body) {
    try {
      AnnounceResponse r = HttpTrackerCodec.parseAnnounce(body);
      assertThat(r.interval().isNegative()).isFalse();
      r.peers().forEach(peer -> assertThat(peer.getPort()).isBetween(1, 0xffff));
    } catch (MalformedResponseException | TrackerFailureException expected) {
      // fine: the client reports these as a TrackerException
    }
    try {
      HttpTrackerCodec.parseScrape(body);
    } catch (MalformedResponseException | TrackerFailureException expected) {
      // fine
    }
  }

  /**
   * A UDP packet as the client reads it (BEP 15). The first byte says what the client waits for:
   * bit 0 a connect response, else bit 1 an announce response (bit 2: over IPv6) or a scrape
   * response for 1 + (bits 3..7) info-hashes; the rest is the packet.
   */
  @FuzzTest
  void udpResponse(byte[] input) {
    if (input.length == 0) {
      return;
    }
    int mode = input[0] & 0xff;
    byte[] packet = Arrays.copyOfRange(input, 1, input.length);
    int action = UdpTrackerCodec.action(packet);
    if (action < 0) {
      return; // shorter than 8 bytes: the client fails the request without reading more
    }
    try {
      if (action == UdpTrackerCodec.ACTION_ERROR) {
        assertThat(UdpTrackerCodec.parseError(packet)).isNotNull();
      } else if ((mode & 1) != 0) {
        UdpTrackerCodec.parseConnect(packet);
      } else if ((mode & 2) != 0) {
        int addressLength = (mode & 4) != 0 ? 16 : 4;
        AnnounceResponse r = UdpTrackerCodec.parseAnnounce(packet, addressLength);
        assertThat(r.peers().size())
            .isLessThanOrEqualTo((packet.length - UdpTrackerCodec.ANNOUNCE_RESPONSE_HEADER)
                / (addressLength + 2));
      } else {
        List<InfoHash> hashes = new ArrayList<>();
        for (int i = 0; i <= mode >>> 3; i++) {
          byte[] h = new byte[InfoHash.LENGTH];
          h[0] = (byte) i;
          hashes.add(InfoHash.of(h));
        }
        assertThat(UdpTrackerCodec.parseScrape(packet, hashes)).hasSize(hashes.size());
      }
    } catch (MalformedResponseException expected) {
      // fine: the client fails that request
    }
  }

  /**
   * A sequence of UDP packets to our tracker server, each as {@code [flags] [length: 2 bytes]
   * [packet]}: flag bit 0 replaces the packet's first 8 bytes with a connection id the server
   * handed out to that sender (so that announces and scrapes get past the check), bit 1 sends it
   * from ::1 instead of 127.0.0.1. The server never throws, and answers with nothing or a packet
   * that echoes the transaction id and that our own client reads.
   */
  @FuzzTest
  void udpServer(byte[] input) throws MalformedResponseException {
    TrackerServerCore core = newServer();
    ByteBuffer in = ByteBuffer.wrap(input);
    while (in.remaining() >= 3) {
      int flags = in.get() & 0xff;
      byte[] packet = new byte[Math.min(in.getShort() & 0xffff, in.remaining())];
      in.get(packet);
      InetSocketAddress sender = (flags & 2) != 0 ? SENDER_V6 : SENDER_V4;
      if ((flags & 1) != 0 && packet.length >= 8) {
        byte[] connect = core.udp(UdpTrackerCodec.connectRequest(7), sender);
        System.arraycopy(connect, 8, packet, 0, 8);
      }
      byte[] answer = core.udp(packet, sender);
      if (answer == null) {
        continue;
      }
      assertThat(UdpTrackerCodec.transactionId(answer)).isEqualTo(ByteBuffer.wrap(packet).getInt(12));
      int action = UdpTrackerCodec.action(answer);
      if (action == UdpTrackerCodec.ACTION_CONNECT) {
        UdpTrackerCodec.parseConnect(answer);
      } else if (action == UdpTrackerCodec.ACTION_ANNOUNCE) {
        UdpTrackerCodec.parseAnnounce(answer, sender == SENDER_V6 ? 16 : 4);
      } else if (action != UdpTrackerCodec.ACTION_SCRAPE) {
        assertThat(action).isEqualTo(UdpTrackerCodec.ACTION_ERROR);
      }
    }
  }

  /**
   * The request target of HTTP requests to our tracker server (ISO-8859-1, one per line), each
   * answered as an announce and as a scrape: the server never throws, and every answer is a
   * bencoded response that our own client reads as a response or a failure reason.
   */
  @FuzzTest
  void httpServer(byte[] input) {
    TrackerServerCore core = newServer();
    for (String uri : new String(input, ISO_8859_1).split("\n", -1)) {
      readOwnAnswer(core.httpAnnounce(uri, SENDER_V4), true);
      readOwnAnswer(core.httpScrape(uri), false);
    }
  }

  private static void readOwnAnswer(byte[] answer, boolean announce) {
    try {
      if (announce) {
        HttpTrackerCodec.parseAnnounce(answer);
      } else {
        HttpTrackerCodec.parseScrape(answer);
      }
    } catch (TrackerFailureException expected) {
      // a refusal with a reason is a well-formed answer
    } catch (MalformedResponseException e) {
      throw new AssertionError("our server sent a malformed answer: " + e.getMessage(), e);
    }
  }

  /** A server at a fixed time, so that each input runs the same way. */
  private static TrackerServerCore newServer() {
    Ticker fixed =
        new Ticker() {
          @Override
          public long read() {
            return 1_000_000_000_000L;
          }
        };
    return new TrackerServerCore(fixed, Duration.ofSeconds(120), Duration.ofSeconds(30), 50, 200);
  }
}
