package org.functorrent.peer.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableMap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.PeerOptions;
import org.functorrent.peer.PieceStore;
import org.functorrent.peer.SwarmListener;
import org.functorrent.peer.TestTorrents;
import org.functorrent.peer.internal.PeerMessage.ExtendedHandshake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Randomized mutations of valid {@code ut_metadata} and {@code ut_pex} messages (bit flips,
 * truncations, insertions, splices, random bytes): the decoders either decode or throw a {@link
 * PeerProtocolException}, nothing else; and in a swarm's pipeline a mutated message either leaves
 * the connection open or closes it cleanly, never an exception out of the pipeline. The seed is
 * printed, so a failure can be replayed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExtensionMessageMutationTest {
  static {
    NettyLeaks.install();
  }

  private static final int ROUNDS = 20_000;

  private static final byte[][] METADATA_SEEDS = {
    "d8:msg_typei0e5:piecei0ee".getBytes(ISO_8859_1),
    "d8:msg_typei2e5:piecei7ee".getBytes(ISO_8859_1),
    "d8:msg_typei1e5:piecei1e10:total_sizei34256eexxxxxxxxxxxxxxxxxxxx".getBytes(ISO_8859_1),
    "d5:piecei2e8:msg_typei0ee".getBytes(ISO_8859_1),
  };

  private static final byte[][] PEX_SEEDS = {
    ("d5:added12:\u007f\0\0\u0001\u001a\u00e1\n\0\0\u0002\0P7:added.f2:\u0012\0"
            + "7:dropped6:\u00c0\u00a8\u0001\u0002\0\u0001e")
        .getBytes(ISO_8859_1),
    ("d6:added618:" + "\0".repeat(15) + "\u0001\u001a\u00e1" + "8:added6.f1:\u0002e")
        .getBytes(ISO_8859_1),
    "de".getBytes(ISO_8859_1),
  };

  private EmbeddedChannel ch;

  @AfterEach
  void tearDown() {
    if (ch != null) {
      ch.finishAndReleaseAll();
    }
    NettyLeaks.assertNoLeaks();
  }

  static byte[] mutate(byte[] seed, Random random) {
    byte[] b = seed.clone();
    int operations = 1 + random.nextInt(4);
    for (int op = 0; op < operations; op++) {
      switch (random.nextInt(6)) {
        case 0 -> {
          if (b.length > 0) {
            b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
          }
        }
        case 1 -> b = Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length));
        case 2 -> {
          int at = random.nextInt(b.length + 1);
          byte[] longer = new byte[b.length + 1];
          System.arraycopy(b, 0, longer, 0, at);
          longer[at] = (byte) "dile0123456789:-x".charAt(random.nextInt(17));
          System.arraycopy(b, at, longer, at + 1, b.length - at);
          b = longer;
        }
        case 3 -> {
          if (b.length > 0) {
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
          }
        }
        case 4 -> {
          if (b.length > 1) {
            int from = random.nextInt(b.length);
            int to = random.nextInt(b.length);
            byte[] spliced = new byte[b.length + Math.abs(to - from)];
            System.arraycopy(b, 0, spliced, 0, b.length);
            System.arraycopy(b, Math.min(from, to), spliced, b.length, Math.abs(to - from));
            b = spliced;
          }
        }
        default -> {
          byte[] noise = new byte[random.nextInt(40)];
          random.nextBytes(noise);
          b = noise;
        }
      }
    }
    return b;
  }

  private static void fuzzDecoder(byte[][] seeds, Consumer<ByteBuf> decoder) {
    long seed = new Random().nextLong();
    System.out.println("mutation seed " + seed);
    Random random = new Random(seed);
    int decoded = 0;
    int refused = 0;
    for (int i = 0; i < ROUNDS; i++) {
      byte[] input = mutate(seeds[random.nextInt(seeds.length)], random);
      ByteBuf buf = Unpooled.wrappedBuffer(input);
      try {
        decoder.accept(buf);
        decoded++;
      } catch (PeerProtocolException e) {
        refused++;
      } catch (RuntimeException e) {
        throw new AssertionError(
            "seed " + seed + ": " + e + " for " + new String(input, ISO_8859_1), e);
      } finally {
        buf.release();
      }
    }
    // Both outcomes occur: the mutations neither all break nor all keep the messages.
    assertThat(decoded).as("seed %s: decoded", seed).isPositive();
    assertThat(refused).as("seed %s: refused", seed).isPositive();
  }

  @Test
  void mutatedMetadataMessagesDecodeOrFailTyped() {
    fuzzDecoder(METADATA_SEEDS, MetadataMessage::decode);
  }

  @Test
  void mutatedPexMessagesDecodeOrFailTyped() {
    fuzzDecoder(PEX_SEEDS, buf -> PexMessage.decode(buf, 50));
  }

  private static final PieceStore NO_STORE =
      new PieceStore() {
        @Override
        public CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length) {
          return CompletableFuture.failedFuture(new IllegalStateException());
        }

        @Override
        public CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuf data) {
          return CompletableFuture.failedFuture(new IllegalStateException());
        }

        @Override
        public CompletableFuture<Boolean> verifyPiece(int piece) {
          return CompletableFuture.completedFuture(false);
        }
      };

  @Test
  void mutatedExtensionMessagesInASwarmCloseTheConnectionCleanlyOrNot() throws Exception {
    MetaInfo meta = TestTorrents.torrent(TestTorrents.randomData(1, 64 * 1024), 16384);
    long seed = new Random().nextLong();
    System.out.println("pipeline mutation seed " + seed);
    Random random = new Random(seed);
    int closed = 0;
    for (int round = 0; round < 300; round++) {
      ch = new EmbeddedChannel();
      ClientCore core =
          new ClientCore(ch.eventLoop(), PeerId.random("-FT0001-"), Runnable::run,
              PeerOptions.defaults(), () -> 0L);
      SwarmEngine swarm =
          core.addTorrent(meta, NO_STORE, new BitSet(), new SwarmListener() {}, List.of());
      ch.pipeline()
          .addLast("hs-decoder", new HandshakeCodec.Decoder())
          .addLast("peer", new PeerConnection(swarm, false));
      ch.runPendingTasks();
      ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer();
      HandshakeCodec.write(
          new Handshake(Handshake.EXTENSION_PROTOCOL, meta.infoHash(), PeerId.random("-XX-")),
          buf);
      MessageCodec.write(
          ExtendedHandshake.of(ImmutableMap.of("ut_metadata", 3, "ut_pex", 4)), buf);
      // Our ids: ut_metadata 1, ut_pex 2 (in name order).
      for (int m = 0; m < 5; m++) {
        boolean pex = random.nextBoolean();
        byte[] payload =
            mutate(pex ? PEX_SEEDS[random.nextInt(PEX_SEEDS.length)]
                : METADATA_SEEDS[random.nextInt(METADATA_SEEDS.length)], random);
        buf.writeInt(2 + payload.length).writeByte(PeerMessage.Ids.EXTENDED)
            .writeByte(pex ? 2 : 1).writeBytes(payload);
      }
      ch.writeInbound(buf);
      ch.runPendingTasks();
      ch.checkException(); // nothing escaped the pipeline
      if (!ch.isActive()) {
        closed++;
      }
      // The swarm lives on this channel's loop and goes with it (it may hold channels of dials to
      // PEX addresses that cannot register on an embedded loop, so it is not closed itself).
      ch.finishAndReleaseAll();
      ch = null;
    }
    assertThat(closed).as("seed %s: some mutations close the connection", seed).isPositive();
  }
}
