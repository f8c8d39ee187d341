package org.functorrent.dht.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.functorrent.dht.DhtOptions;
import org.functorrent.dht.DhtStats;
import org.functorrent.dht.NodeId;
import org.junit.jupiter.api.Test;

/**
 * Seeded random damage (byte flips, truncation, insertion, deletion, repetition) to valid KRPC
 * messages: the decoder returns a message or throws {@link KrpcException}, nothing else, and what
 * it returns encodes and decodes to itself; the node's handler, fed the same datagrams, never
 * fails, counts what it drops, and sends only valid KRPC back. The base seed is random and in
 * every failure message.
 */
class KrpcMutationTest {
  private static final int CASES = 20_000;

  private static final String ID = "abcdefghij0123456789";
  private static final String NODE = "0123456789abcdefghij\u007f\u0000\u0000\u0001\u001a\u00e1";

  static final List<String> CORPUS = List.of(
      "d1:ad2:id20:" + ID + "e1:q4:ping1:t2:aa1:y1:qe",
      "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re",
      "d1:ad2:id20:" + ID + "6:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe",
      "d1:rd2:id20:0123456789abcdefghij5:nodes52:" + NODE + NODE + "e1:t2:aa1:y1:re",
      "d1:ad2:id20:" + ID + "9:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe",
      "d1:rd2:id20:" + ID + "5:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re",
      "d1:rd2:id20:" + ID + "5:nodes26:" + NODE + "5:token8:aoeusnthe1:t2:aa1:y1:re",
      "d1:ad2:id20:" + ID + "12:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e"
          + "5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe",
      "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee",
      "d2:ip6:\u007f\u0000\u0000\u0001\u001a\u00e11:rd2:id20:" + ID + "e1:t2:aa1:v4:LT\u0001\u0002"
          + "1:y1:re");

  static byte[] mutate(byte[] original, Random random) {
    byte[] b = original.clone();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      if (b.length == 0) {
        b = new byte[] {(byte) random.nextInt(256)};
        continue;
      }
      int at = random.nextInt(b.length);
      switch (random.nextInt(6)) {
        case 0 -> b[at] = (byte) random.nextInt(256);
        case 1 -> b[at] = (byte) "0123456789:deil".charAt(random.nextInt(15));
        case 2 -> b = Arrays.copyOf(b, at);
        case 3 -> {
          byte[] c = new byte[b.length + 1];
          System.arraycopy(b, 0, c, 0, at);
          c[at] = (byte) random.nextInt(256);
          System.arraycopy(b, at, c, at + 1, b.length - at);
          b = c;
        }
        case 4 -> {
          byte[] c = new byte[b.length - 1];
          System.arraycopy(b, 0, c, 0, at);
          System.arraycopy(b, at + 1, c, at, b.length - at - 1);
          b = c;
        }
        default -> {
          int len = Math.min(b.length - at, 1 + random.nextInt(30));
          byte[] c = new byte[b.length + len];
          System.arraycopy(b, 0, c, 0, at + len);
          System.arraycopy(b, at, c, at + len, b.length - at);
          b = c;
        }
      }
    }
    return b;
  }

  @Test
  void mutatedMessagesDecodeOrFailWithKrpcException() {
    long baseSeed = new Random().nextLong();
    int decoded = 0;
    for (int i = 0; i < CASES; i++) {
      long seed = baseSeed + i;
      Random random = new Random(seed);
      byte[] original = CORPUS.get(random.nextInt(CORPUS.size())).getBytes(ISO_8859_1);
      byte[] mutated = mutate(original, random);
      KrpcMessage message;
      try {
        message = Krpc.decode(mutated);
      } catch (KrpcException expected) {
        assertThat(expected.getMessage()).as("seed %s", seed).isNotBlank();
        continue;
      } catch (RuntimeException | StackOverflowError e) {
        fail("seed %s: %s threw %s", seed, new String(mutated, ISO_8859_1), e, e);
        return;
      }
      decoded++;
      assertThat(Krpc.decode(Krpc.encode(message, null))).as("seed %s", seed).isEqualTo(message);
    }
    // Some mutations (inside an id, a token, a message text) leave a valid message.
    assertThat(decoded).as("base seed %s", baseSeed).isPositive();
  }

  @Test
  void theHandlerSurvivesMutatedDatagramsAndAnswersOnlyWithValidKrpc() {
    long baseSeed = new Random().nextLong();
    DhtEngine engine = new DhtEngine(DhtOptions.defaults(), NodeId.random(new Random(baseSeed)),
        new ManualTicker(), List.of(), List.of());
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.pipeline().addLast(engine);
    engine.attach(channel);
    InetSocketAddress us = new InetSocketAddress("127.0.0.1", 6881);
    int answered = 0;
    for (int i = 0; i < CASES / 4; i++) {
      long seed = baseSeed + i;
      Random random = new Random(seed);
      byte[] mutated =
          mutate(CORPUS.get(random.nextInt(CORPUS.size())).getBytes(ISO_8859_1), random);
      InetSocketAddress sender = new InetSocketAddress("127.0.0.1", 1 + random.nextInt(65535));
      channel.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(mutated), us, sender));
      assertThat(engine.internalErrors()).as("seed %s", seed).isZero();
      DatagramPacket out;
      while ((out = channel.readOutbound()) != null) {
        try {
          ByteBuf content = out.content();
          byte[] bytes = new byte[content.readableBytes()];
          content.getBytes(content.readerIndex(), bytes);
          assertThat(out.recipient()).as("seed %s", seed).isEqualTo(sender);
          KrpcMessage reply = Krpc.decode(bytes);
          assertThat(reply).as("seed %s", seed)
              .isInstanceOfAny(KrpcMessage.Response.class, KrpcMessage.Error.class);
          answered++;
        } finally {
          out.release();
        }
      }
    }
    DhtStats s = engine.stats();
    assertThat(s.queriesReceived() + s.droppedMalformed() + s.droppedUnknownTransaction())
        .as("base seed %s", baseSeed)
        .isEqualTo(CASES / 4);
    assertThat(answered).as("base seed %s", baseSeed).isPositive();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }
}
