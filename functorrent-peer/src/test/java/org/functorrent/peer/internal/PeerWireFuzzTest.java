package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.functorrent.interop.NettyLeaks;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.PeerOptions;
import org.functorrent.peer.PieceStore;
import org.functorrent.peer.SwarmListener;
import org.functorrent.peer.TestTorrents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the peer wire protocol through the real pipeline: the handshake
 * decoder and encoder and the connection handler, which installs the frame decoder and message
 * codec after the handshake, exactly as {@code ClientCore} and {@code SwarmEngine} set them up, on
 * an {@link EmbeddedChannel} of a torrent of 4 pieces of 32 KiB (the last one short).
 *
 * <p>Whatever the peer sends, no exception may reach the end of the pipeline: bad input closes the
 * connection, and the reason is a protocol error, never an unexpected exception of the JDK. The
 * piece store must only be asked for blocks inside the torrent. Seeds and past findings are in
 * {@code src/test/resources/org/functorrent/peer/internal/PeerWireFuzzTestInputs/}; see
 * docs/FUZZING.md.
 */
class PeerWireFuzzTest {
  static {
    // Paranoid leak tracking makes each input 15 times slower: it checks the seeds and past
    // findings on every build, not the millions of inputs of a fuzzing run.
    if (System.getenv("JAZZER_FUZZ") == null) {
      NettyLeaks.install();
    }
  }

  private static final int PIECE = 32 * 1024;
  private static final byte[] DATA = TestTorrents.randomData(9, 4 * PIECE - 5000);
  private static final MetaInfo META;
  private static final PeerId OUR_ID = PeerId.random("-FT0001-");
  private static final PeerId THEIR_ID = PeerId.random("-XX0001-");
  private static final PeerOptions OPTIONS =
      PeerOptions.defaults().withBlockTimeout(Duration.ofSeconds(5)).withMaxPendingWrites(4);

  /**
   * A close reason that is an exception's {@code toString()} names its class; only these may, as
   * the decoders' way of saying that a frame is malformed or too long.
   */
  private static final Pattern EXCEPTION = Pattern.compile("[\\w$.]+(Exception|Error)\\b");

  private static final List<String> EXPECTED_EXCEPTIONS =
      List.of(
          "io.netty.handler.codec.CorruptedFrameException",
          "io.netty.handler.codec.TooLongFrameException");

  static {
    try {
      META = TestTorrents.torrent(DATA, PIECE);
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @AfterAll
  static void noLeaks() {
    NettyLeaks.assertNoLeaks();
  }

  /**
   * The first byte says how the connection is set up: bit 0, the harness first sends a valid
   * handshake for our torrent (bit 1: with the fast extension, bit 2: with the extension
   * protocol); bit 3, we dialled (and sent our handshake first); bit 4, we have every piece, else
   * none; bits 5-6 cut the rest into reads of all, 1, 7 or 100 bytes; bit 7, time then jumps past
   * every timeout. The rest is what the peer sends.
   */
  @FuzzTest
  void peerWire(byte[] input) {
    run(input, h -> {});
  }

  /**
   * The fuzz target's premise: the seeds reach what they are named for, so fuzzing starts deep in
   * the protocol rather than at a closed connection.
   */
  @Test
  void seedsReachTheProtocolTheyAreNamedFor() throws IOException {
    run(seed("leecher-bitfield-unchoke-piece-0"), h -> {
      assertThat(h.ch.isOpen()).isTrue();
      assertThat(Arrays.equals(h.stored, 0, PIECE, DATA, 0, PIECE)).as("piece 0 stored").isTrue();
    });
    run(seed("raw-handshake-extended-handshake-have-all"), h -> assertThat(h.ch.isOpen()).isTrue());
    run(seed("length-prefix-2-31-minus-1"), h -> {
      assertThat(h.ch.isOpen()).isFalse();
      assertThat(h.connection.closeReason()).contains("TooLongFrameException");
    });
  }

  private static byte[] seed(String name) throws IOException {
    String path = "PeerWireFuzzTestInputs/peerWire/" + name;
    try (InputStream in = PeerWireFuzzTest.class.getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return in.readAllBytes();
    }
  }

  /** Runs one input, then lets {@code inspect} look at the connection before it is torn down. */
  private static void run(byte[] input, Consumer<Harness> inspect) {
    if (input.length == 0) {
      return;
    }
    int flags = input[0] & 0xff;
    Harness h = new Harness((flags & 8) != 0, (flags & 16) != 0);
    try {
      if ((flags & 1) != 0) {
        long reserved =
            ((flags & 2) != 0 ? Handshake.FAST_EXTENSION : 0)
                | ((flags & 4) != 0 ? Handshake.EXTENSION_PROTOCOL : 0);
        ByteBuf hs = Unpooled.buffer(Handshake.LENGTH);
        HandshakeCodec.write(new Handshake(reserved, META.infoHash(), THEIR_ID), hs);
        h.receive(hs);
      }
      int chunk = new int[] {Integer.MAX_VALUE, 1, 7, 100}[(flags >> 5) & 3];
      for (int i = 1; i < input.length && h.ch.isOpen(); ) {
        int n = Math.min(chunk, input.length - i);
        h.receive(Unpooled.wrappedBuffer(Arrays.copyOfRange(input, i, i + n)));
        i += n;
      }
      if ((flags & 128) != 0) {
        h.clock.addAndGet(TimeUnit.MINUTES.toNanos(10));
        h.ch.advanceTimeBy(10, TimeUnit.MINUTES);
        h.ch.runScheduledPendingTasks();
        h.ch.checkException();
      }
      h.check();
      inspect.accept(h);
    } finally {
      h.ch.finishAndReleaseAll();
    }
  }

  /** One connection of a fresh client on an embedded channel, the store checking every call. */
  private static final class Harness {
    final AtomicLong clock = new AtomicLong();
    final EmbeddedChannel ch = new EmbeddedChannel();
    final byte[] stored = new byte[DATA.length];
    final PeerConnection connection;
    String storeMisuse;

    Harness(boolean outgoing, boolean seeding) {
      ClientCore core = new ClientCore(ch.eventLoop(), OUR_ID, Runnable::run, OPTIONS, clock::get);
      BitSet have = new BitSet();
      if (seeding) {
        have.set(0, META.pieceCount());
      }
      SwarmEngine swarm = core.addTorrent(META, store(), have, new SwarmListener() {}, List.of());
      connection = new PeerConnection(swarm, outgoing);
      ch.pipeline()
          .addLast("hs-decoder", new HandshakeCodec.Decoder())
          .addLast("peer", connection);
      if (outgoing) {
        // On a real channel the handlers are in place before it becomes active.
        ch.pipeline().fireChannelActive();
      }
      ch.runPendingTasks();
      ch.releaseOutbound();
    }

    /** Delivers bytes from the peer; throws whatever reached the end of the pipeline. */
    void receive(ByteBuf bytes) {
      ch.writeInbound(bytes);
      ch.runPendingTasks();
      ch.checkException();
      ch.releaseOutbound();
      ch.releaseInbound();
    }

    void check() {
      assertThat(storeMisuse).as("piece store misuse").isNull();
      if (!ch.isOpen()) {
        String reason = connection.closeReason();
        var m = EXCEPTION.matcher(reason);
        while (m.find()) {
          assertThat(m.group()).as("closed because of: %s", reason).isIn(EXPECTED_EXCEPTIONS);
        }
      }
    }

    private boolean inRange(String what, int piece, int offset, int length) {
      long end = (long) piece * PIECE + offset + length;
      if (piece < 0
          || piece >= META.pieceCount()
          || offset < 0
          || length <= 0
          || offset + (long) length > META.pieceSize(piece)
          || end > DATA.length) {
        storeMisuse =
            what + " of piece " + piece + " offset " + offset + " length " + length
                + " (outside the torrent)";
        return false;
      }
      return true;
    }

    private PieceStore store() {
      return new PieceStore() {
        @Override
        public CompletableFuture<ByteBuf> readBlock(int piece, int offset, int length) {
          if (!inRange("read", piece, offset, length)) {
            return CompletableFuture.failedFuture(new IllegalStateException(storeMisuse));
          }
          return CompletableFuture.completedFuture(
              Unpooled.wrappedBuffer(DATA, piece * PIECE + offset, length));
        }

        @Override
        public CompletableFuture<Void> writeBlock(int piece, int offset, ByteBuf buf) {
          if (inRange("write", piece, offset, buf.readableBytes())) {
            buf.getBytes(buf.readerIndex(), stored, piece * PIECE + offset, buf.readableBytes());
          }
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> verifyPiece(int piece) {
          if (piece < 0 || piece >= META.pieceCount()) {
            storeMisuse = "verify of piece " + piece + " (outside the torrent)";
            return CompletableFuture.completedFuture(false);
          }
          int from = piece * PIECE;
          int to = from + (int) META.pieceSize(piece);
          return CompletableFuture.completedFuture(
              Arrays.equals(stored, from, to, DATA, from, to));
        }
      };
    }
  }
}
