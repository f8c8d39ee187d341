package org.functorrent.peer.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A message of the peer wire protocol after the handshake: BEP 3, the BEP 6 fast extension and
 * BEP 10 extended messages. The payload-carrying messages ({@link Piece}, {@link Extended}) are
 * reference counted: whoever receives one releases it.
 */
public sealed interface PeerMessage {

  /** Message ids of BEP 3, BEP 5 (port), BEP 6 and BEP 10. */
  final class Ids {
    static final int CHOKE = 0;
    static final int UNCHOKE = 1;
    static final int INTERESTED = 2;
    static final int NOT_INTERESTED = 3;
    static final int HAVE = 4;
    static final int BITFIELD = 5;
    static final int REQUEST = 6;
    static final int PIECE = 7;
    static final int CANCEL = 8;
    static final int PORT = 9;
    static final int SUGGEST = 0x0D;
    static final int HAVE_ALL = 0x0E;
    static final int HAVE_NONE = 0x0F;
    static final int REJECT = 0x10;
    static final int ALLOWED_FAST = 0x11;
    static final int EXTENDED = 20;

    private Ids() {}
  }

  /** A zero-length frame. */
  enum KeepAlive implements PeerMessage {
    INSTANCE
  }

  /** The messages without a payload. */
  enum Simple implements PeerMessage {
    CHOKE(Ids.CHOKE),
    UNCHOKE(Ids.UNCHOKE),
    INTERESTED(Ids.INTERESTED),
    NOT_INTERESTED(Ids.NOT_INTERESTED),
    HAVE_ALL(Ids.HAVE_ALL),
    HAVE_NONE(Ids.HAVE_NONE);

    private final int id;

    Simple(int id) {
      this.id = id;
    }

    int id() {
      return id;
    }
  }

  /** {@code have}: the sender has verified a piece. */
  record Have(int piece) implements PeerMessage {
    public Have {
      checkArgument(piece >= 0, "piece: %s (expected: >= 0)", piece);
    }
  }

  /** BEP 6 {@code suggest piece}. */
  record Suggest(int piece) implements PeerMessage {
    public Suggest {
      checkArgument(piece >= 0, "piece: %s (expected: >= 0)", piece);
    }
  }

  /** BEP 6 {@code allowed fast}. */
  record AllowedFast(int piece) implements PeerMessage {
    public AllowedFast {
      checkArgument(piece >= 0, "piece: %s (expected: >= 0)", piece);
    }
  }

  /** The kinds of message that name a block: request, cancel and the BEP 6 reject. */
  enum BlockMessageKind {
    REQUEST(Ids.REQUEST),
    CANCEL(Ids.CANCEL),
    REJECT(Ids.REJECT);

    private final int id;

    BlockMessageKind(int id) {
      this.id = id;
    }

    int id() {
      return id;
    }
  }

  /** {@code request}, {@code cancel} or {@code reject request} for one block. */
  record BlockMessage(BlockMessageKind kind, Block block) implements PeerMessage {
    public static BlockMessage request(Block block) {
      return new BlockMessage(BlockMessageKind.REQUEST, block);
    }

    public static BlockMessage cancel(Block block) {
      return new BlockMessage(BlockMessageKind.CANCEL, block);
    }

    public static BlockMessage reject(Block block) {
      return new BlockMessage(BlockMessageKind.REJECT, block);
    }
  }

  /**
   * Several messages of one kind ({@code request}s or {@code cancel}s) that we send together:
   * encoded into one buffer rather than one per block. Outgoing only.
   */
  record BlockMessages(BlockMessageKind kind, List<Block> blocks) implements PeerMessage {
    public BlockMessages {
      blocks = List.copyOf(blocks);
    }
  }

  /** BEP 5 {@code port}: the sender's DHT port. */
  record Port(int port) implements PeerMessage {
    public Port {
      checkArgument(port >= 0 && port <= 0xFFFF, "port: %s (expected: 0..65535)", port);
    }
  }

  /** {@code bitfield}: the raw bytes, high bit first; validated against the torrent later. */
  final class Bitfield implements PeerMessage {
    private final byte[] bytes;

    public Bitfield(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    /** A bitfield of {@code pieceCount} pieces with the pieces of {@code have} set. */
    public static Bitfield of(BitSet have, int pieceCount) {
      byte[] bytes = new byte[(pieceCount + 7) / 8];
      for (int i = have.nextSetBit(0); i >= 0 && i < pieceCount; i = have.nextSetBit(i + 1)) {
        bytes[i >>> 3] |= (byte) (0x80 >>> (i & 7));
      }
      return new Bitfield(bytes);
    }

    public int byteLength() {
      return bytes.length;
    }

    public byte[] toByteArray() {
      return bytes.clone();
    }

    /**
     * The pieces as a {@link BitSet}, or {@code null} when the length does not fit
     * {@code pieceCount} or a spare bit at the end is set (BEP 3: the peer must be dropped).
     */
    public BitSet toBitSet(int pieceCount) {
      if (bytes.length != (pieceCount + 7) / 8) {
        return null;
      }
      BitSet set = new BitSet(pieceCount);
      for (int i = 0; i < bytes.length * 8; i++) {
        if ((bytes[i >>> 3] & (0x80 >>> (i & 7))) != 0) {
          if (i >= pieceCount) {
            return null;
          }
          set.set(i);
        }
      }
      return set;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bitfield other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Bitfield[" + bytes.length + " bytes]";
    }
  }

  /** {@code piece}: one block of data, a retained slice of the received frame. */
  final class Piece extends DefaultByteBufHolder implements PeerMessage {
    private final int piece;
    private final int offset;

    public Piece(int piece, int offset, ByteBuf data) {
      super(data);
      checkArgument(piece >= 0, "piece: %s (expected: >= 0)", piece);
      checkArgument(offset >= 0, "offset: %s (expected: >= 0)", offset);
      this.piece = piece;
      this.offset = offset;
    }

    public int piece() {
      return piece;
    }

    public int offset() {
      return offset;
    }

    /** The block this message carries. */
    public Block block() {
      return new Block(piece, offset, content().readableBytes());
    }

    @Override
    public Piece replace(ByteBuf content) {
      return new Piece(piece, offset, content);
    }

    @Override
    public Piece retain() {
      super.retain();
      return this;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Piece other
          && piece == other.piece
          && offset == other.offset
          && content().equals(other.content());
    }

    @Override
    public int hashCode() {
      return 31 * (31 * piece + offset) + content().hashCode();
    }

    @Override
    public String toString() {
      return "Piece[" + piece + ", " + offset + ", " + content().readableBytes() + " bytes]";
    }
  }

  /** A BEP 10 extended message other than the handshake: an id and an opaque payload. */
  final class Extended extends DefaultByteBufHolder implements PeerMessage {
    private final int id;

    public Extended(int id, ByteBuf payload) {
      super(payload);
      checkArgument(id > 0 && id <= 0xFF, "id: %s (expected: 1..255)", id);
      this.id = id;
    }

    public int id() {
      return id;
    }

    @Override
    public Extended replace(ByteBuf content) {
      return new Extended(id, content);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Extended other && id == other.id && content().equals(other.content());
    }

    @Override
    public int hashCode() {
      return 31 * id + content().hashCode();
    }

    @Override
    public String toString() {
      return "Extended[" + id + ", " + content().readableBytes() + " bytes]";
    }
  }

  /** The BEP 10 extended handshake (extended message id 0). */
  record ExtendedHandshake(
      ImmutableMap<String, Integer> extensions,
      Optional<String> client,
      OptionalInt listenPort,
      OptionalInt requestQueue,
      Optional<InetAddress> yourIp,
      OptionalLong metadataSize)
      implements PeerMessage {
    public ExtendedHandshake {
      checkNotNull(extensions, "extensions");
      checkNotNull(client, "client");
      checkNotNull(listenPort, "listenPort");
      checkNotNull(requestQueue, "requestQueue");
      checkNotNull(yourIp, "yourIp");
      checkNotNull(metadataSize, "metadataSize");
    }

    /** A handshake with only the extension map. */
    public static ExtendedHandshake of(Map<String, Integer> extensions) {
      return new ExtendedHandshake(
          ImmutableMap.copyOf(extensions),
          Optional.empty(),
          OptionalInt.empty(),
          OptionalInt.empty(),
          Optional.empty(),
          OptionalLong.empty());
    }
  }
}
