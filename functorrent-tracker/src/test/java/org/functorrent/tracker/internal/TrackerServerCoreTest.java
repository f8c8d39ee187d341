package org.functorrent.tracker.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.junit.jupiter.api.Test;

class TrackerServerCoreTest {
  private static final InetSocketAddress SENDER = new InetSocketAddress("127.0.0.1", 5000);

  private final TrackerServerCore core =
      new TrackerServerCore(
          Ticker.systemTicker(), Duration.ofSeconds(120), Duration.ofSeconds(30), 50, 200);

  @Test
  void randomUdpPacketsNeverThrowAndAreAnsweredOnlyWithErrorsOrNothing() {
    long seed = new Random().nextLong();
    System.out.println("TrackerServerCoreTest seed " + seed);
    Random random = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      byte[] packet = new byte[random.nextInt(120)];
      random.nextBytes(packet);
      if (packet.length >= 16 && random.nextBoolean()) {
        ByteBuffer.wrap(packet).putInt(8, random.nextInt(5)); // a plausible action
      }
      byte[] answer = core.udp(packet, SENDER);
      if (answer != null) {
        // without a valid connection id only connect (with the magic) or error can come back
        assertThat(UdpTrackerCodec.action(answer)).as("seed %s", seed).isIn(0, 3);
      }
    }
  }

  @Test
  void udpConnectNeedsTheMagicAndAnnounceNeedsTheConnectionId() {
    byte[] connect = UdpTrackerCodec.connectRequest(1);
    byte[] answer = core.udp(connect, SENDER);
    assertThat(answer).hasSize(16);
    long id = ByteBuffer.wrap(answer).getLong(8);
    byte[] noMagic = connect.clone();
    noMagic[0] ^= 1;
    assertThat(core.udp(noMagic, SENDER)).isNull();
    byte[] announce = new byte[98];
    ByteBuffer.wrap(announce).putLong(id).putInt(1).putInt(2).position(96).putShort((short) 1);
    assertThat(UdpTrackerCodec.action(core.udp(announce, SENDER))).isEqualTo(1);
    // the id belongs to the sender's address and port
    assertThat(UdpTrackerCodec.action(core.udp(announce, new InetSocketAddress("127.0.0.1", 5001))))
        .isEqualTo(3);
  }

  @Test
  void randomHttpQueriesNeverThrowAndAlwaysAnswerBencode() {
    long seed = new Random().nextLong();
    System.out.println("TrackerServerCoreTest seed " + seed);
    Random random = new Random(seed);
    String[] keys = {"info_hash", "peer_id", "port", "left", "event", "numwant", "compact", "x"};
    for (int i = 0; i < 5_000; i++) {
      StringBuilder q = new StringBuilder("/announce?");
      int n = random.nextInt(8);
      for (int k = 0; k < n; k++) {
        q.append(keys[random.nextInt(keys.length)]).append('=');
        int len = random.nextInt(25);
        for (int c = 0; c < len; c++) {
          q.append(
              random.nextBoolean()
                  ? String.format("%%%02X", random.nextInt(256))
                  : String.valueOf((char) ('0' + random.nextInt(10))));
        }
        q.append('&');
      }
      byte[] body = core.httpAnnounce(q.toString(), SENDER);
      assertThat(Bencode.decode(body))
          .as("seed %s: %s", seed, q)
          .isInstanceOf(BencodeDictionary.class);
      body = core.httpScrape(q.toString().replace("/announce", "/scrape"));
      assertThat(new String(body, ISO_8859_1)).as("seed %s", seed).startsWith("d");
    }
  }

  /** Found by fuzzing: a malformed escape made Netty's query decoder throw out of the core. */
  @Test
  void malformedPercentEscapesAreAnsweredWithAFailureReason() throws Exception {
    for (String uri : new String[] {"/announce?info_hash=%0", "/announce?peer_id=%zz&port=1"}) {
      assertThatFailure(core.httpAnnounce(uri, SENDER)).contains("malformed query string");
      assertThatFailure(core.httpScrape(uri.replace("/announce", "/scrape")))
          .contains("malformed query string");
    }
  }

  private static org.assertj.core.api.AbstractStringAssert<?> assertThatFailure(byte[] body) {
    try {
      HttpTrackerCodec.parseAnnounce(body);
    } catch (HttpTrackerCodec.TrackerFailureException e) {
      return assertThat(e.getMessage());
    } catch (HttpTrackerCodec.MalformedResponseException e) {
      throw new AssertionError("not a failure reason: " + e.getMessage(), e);
    }
    throw new AssertionError("not a failure reason: " + new String(body, ISO_8859_1));
  }
}
