package org.functorrent.peer.internal;

import com.google.common.collect.ImmutableMap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDecoder;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeException;
import org.functorrent.bencode.BencodeInteger;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.functorrent.peer.internal.PeerMessage.AllowedFast;
import org.functorrent.peer.internal.PeerMessage.Bitfield;
import org.functorrent.peer.internal.PeerMessage.BlockMessage;
import org.functorrent.peer.internal.PeerMessage.BlockMessageKind;
import org.functorrent.peer.internal.PeerMessage.BlockMessages;
import org.functorrent.peer.internal.PeerMessage.Extended;
import org.functorrent.peer.internal.PeerMessage.ExtendedHandshake;
import org.functorrent.peer.internal.PeerMessage.Have;
import org.functorrent.peer.internal.PeerMessage.Ids;
import org.functorrent.peer.internal.PeerMessage.KeepAlive;
import org.functorrent.peer.internal.PeerMessage.Piece;
import org.functorrent.peer.internal.PeerMessage.Port;
import org.functorrent.peer.internal.PeerMessage.Simple;
import org.functorrent.peer.internal.PeerMessage.Suggest;

/**
 * Encodes {@link PeerMessage}s, length prefix included, and decodes frames for {@link
 * MessageDecoder} (which splits the stream). Stateless and sharable. A {@code Piece} message's
 * payload is written after a separate header buffer, never copied; the blocks we serve skip that
 * and go out as one buffer with the header in front ({@link #pieceFrame}). Decoded payloads are
 * retained slices of what was received. A frame that does not parse fails with a {@link
 * CorruptedFrameException}; messages with an unknown id are dropped.
 */
@Sharable
public final class MessageCodec extends MessageToMessageEncoder<PeerMessage> {
  public static final MessageCodec INSTANCE = new MessageCodec();

  /** Room for a BEP 9 metadata block and its dictionary in an extended message. */
  static final int EXTENDED_ALLOWANCE = 2 + Block.SIZE + 1024;
  /** A {@code request}, {@code cancel} or {@code reject}, length prefix included. */
  private static final int BLOCK_MESSAGE_LENGTH = 4 + 13;
  /** A {@code piece} message before its block: length prefix, id, index and offset. */
  static final int PIECE_HEADER_LENGTH = 4 + 9;
  /** Where messages without a payload start; the rare larger ones (bitfields) grow it. */
  private static final int SMALL_MESSAGE_CAPACITY = 32;

  private static final BencodeDecoder BENCODE = Bencode.decoder().lenient().withMaxDepth(8);

  private MessageCodec() {
    super(PeerMessage.class);
  }

  /**
   * The largest frame a peer may send for a torrent of {@code pieceCount} pieces: the larger of a
   * bitfield, a 16 KiB block message and an extended message carrying a 16 KiB metadata block.
   */
  public static int maxFrameLength(int pieceCount) {
    int bitfield = 1 + (pieceCount + 7) / 8;
    int block = 9 + Block.SIZE;
    return Math.max(bitfield, Math.max(block, EXTENDED_ALLOWANCE));
  }

  /** Decodes one whole frame (the bytes after its length prefix); null for an unknown id. */
  static PeerMessage decode(ByteBuf frame) {
    return decode(frame, frame.readableBytes());
  }

  /**
   * Decodes the frame of {@code length} bytes (length prefix excluded) that starts at {@code
   * in}'s reader index, reading at most those bytes; {@code null} for an unknown message id.
   * Payloads are retained slices of {@code in}.
   */
  static PeerMessage decode(ByteBuf in, int length) {
    if (length == 0) {
      return KeepAlive.INSTANCE;
    }
    int id = in.readUnsignedByte();
    int size = length - 1;
    switch (id) {
      case Ids.CHOKE:
        return simple(Simple.CHOKE, size);
      case Ids.UNCHOKE:
        return simple(Simple.UNCHOKE, size);
      case Ids.INTERESTED:
        return simple(Simple.INTERESTED, size);
      case Ids.NOT_INTERESTED:
        return simple(Simple.NOT_INTERESTED, size);
      case Ids.HAVE_ALL:
        return simple(Simple.HAVE_ALL, size);
      case Ids.HAVE_NONE:
        return simple(Simple.HAVE_NONE, size);
      case Ids.HAVE:
        return new Have(pieceIndex(in, id, size));
      case Ids.SUGGEST:
        return new Suggest(pieceIndex(in, id, size));
      case Ids.ALLOWED_FAST:
        return new AllowedFast(pieceIndex(in, id, size));
      case Ids.BITFIELD:
        return new Bitfield(bytes(in, size));
      case Ids.REQUEST:
        return blockMessage(BlockMessageKind.REQUEST, in, size);
      case Ids.CANCEL:
        return blockMessage(BlockMessageKind.CANCEL, in, size);
      case Ids.REJECT:
        return blockMessage(BlockMessageKind.REJECT, in, size);
      case Ids.PIECE:
        {
          if (size < 8) {
            throw malformed(id, size);
          }
          int piece = nonNegative(in.readInt(), id);
          int offset = nonNegative(in.readInt(), id);
          return new Piece(piece, offset, in.readRetainedSlice(size - 8));
        }
      case Ids.PORT:
        if (size != 2) {
          throw malformed(id, size);
        }
        return new Port(in.readUnsignedShort());
      case Ids.EXTENDED:
        {
          if (size < 1) {
            throw malformed(id, size);
          }
          int extendedId = in.readUnsignedByte();
          if (extendedId == 0) {
            return decodeExtendedHandshake(bytes(in, size - 1));
          }
          return new Extended(extendedId, in.readRetainedSlice(size - 1));
        }
      default:
        in.skipBytes(size);
        return null;
    }
  }

  private static byte[] bytes(ByteBuf in, int size) {
    byte[] bytes = new byte[size];
    in.readBytes(bytes);
    return bytes;
  }

  private static Simple simple(Simple message, int size) {
    if (size != 0) {
      throw malformed(message.id(), size);
    }
    return message;
  }

  private static int pieceIndex(ByteBuf in, int id, int size) {
    if (size != 4) {
      throw malformed(id, size);
    }
    return nonNegative(in.readInt(), id);
  }

  private static BlockMessage blockMessage(BlockMessageKind kind, ByteBuf in, int size) {
    if (size != 12) {
      throw malformed(kind.id(), size);
    }
    int piece = nonNegative(in.readInt(), kind.id());
    int offset = nonNegative(in.readInt(), kind.id());
    int length = nonNegative(in.readInt(), kind.id());
    return new BlockMessage(kind, new Block(piece, offset, length));
  }

  private static int nonNegative(int value, int id) {
    if (value < 0) {
      throw new CorruptedFrameException("message " + id + ": field out of range: " + value);
    }
    return value;
  }

  private static CorruptedFrameException malformed(int id, int payload) {
    return new CorruptedFrameException("message " + id + ": wrong payload length " + payload);
  }

  private static ExtendedHandshake decodeExtendedHandshake(byte[] bytes) {
    BencodeValue value;
    try {
      value = BENCODE.decode(bytes);
    } catch (BencodeException e) {
      throw new CorruptedFrameException("extended handshake: " + e.getMessage(), e);
    }
    if (!(value instanceof BencodeDictionary dict)) {
      throw new CorruptedFrameException("extended handshake: not a dictionary");
    }
    ImmutableMap.Builder<String, Integer> m = ImmutableMap.builder();
    if (dict.get("m").orElse(null) instanceof BencodeDictionary extensions) {
      for (Map.Entry<BencodeString, BencodeValue> e : extensions.asMap().entrySet()) {
        if (e.getValue() instanceof BencodeInteger i && i.value() >= 0 && i.value() <= 0xFF) {
          m.put(e.getKey().asUtf8(), (int) i.value());
        }
      }
    }
    Optional<String> client =
        dict.get("v").orElse(null) instanceof BencodeString s
            ? Optional.of(s.asUtf8())
            : Optional.empty();
    OptionalInt port = intIn(dict, "p", 1, 0xFFFF);
    OptionalInt reqq = intIn(dict, "reqq", 1, Integer.MAX_VALUE);
    Optional<InetAddress> yourIp = Optional.empty();
    if (dict.get("yourip").orElse(null) instanceof BencodeString s
        && (s.length() == 4 || s.length() == 16)) {
      try {
        yourIp = Optional.of(InetAddress.getByAddress(s.toByteArray()));
      } catch (UnknownHostException e) {
        throw new AssertionError(e);
      }
    }
    OptionalLong metadataSize = OptionalLong.empty();
    if (dict.get("metadata_size").orElse(null) instanceof BencodeInteger i && i.value() > 0) {
      metadataSize = OptionalLong.of(i.value());
    }
    return new ExtendedHandshake(m.buildKeepingLast(), client, port, reqq, yourIp, metadataSize);
  }

  private static OptionalInt intIn(BencodeDictionary dict, String key, long min, long max) {
    if (dict.get(key).orElse(null) instanceof BencodeInteger i
        && i.value() >= min
        && i.value() <= max) {
      return OptionalInt.of((int) i.value());
    }
    return OptionalInt.empty();
  }

  static byte[] encodeExtendedHandshake(ExtendedHandshake h) {
    BencodeDictionary.Builder m = BencodeDictionary.builder();
    h.extensions().forEach((name, id) -> m.put(name, id.longValue()));
    BencodeDictionary.Builder dict = BencodeDictionary.builder().put("m", m.build());
    h.client().ifPresent(v -> dict.put("v", v));
    h.listenPort().ifPresent(p -> dict.put("p", p));
    h.requestQueue().ifPresent(q -> dict.put("reqq", q));
    h.yourIp().ifPresent(ip -> dict.put("yourip", BencodeString.of(ip.getAddress())));
    h.metadataSize().ifPresent(s -> dict.put("metadata_size", s));
    return Bencode.encode(dict.build());
  }

  /**
   * The whole {@code piece} message for a block read with {@link #PIECE_HEADER_LENGTH} bytes of
   * headroom (see {@code PieceStore.readBlock(int, int, int, int)}): the header is written in
   * place before the block, and the returned buffer (the same one, its reader index moved back)
   * goes to the socket as it is, past this codec. The block's buffer is the caller's to release
   * if this throws.
   */
  static ByteBuf pieceFrame(int piece, int offset, ByteBuf block) {
    int length = block.readableBytes();
    int at = block.readerIndex() - PIECE_HEADER_LENGTH;
    if (at < 0) {
      throw new IllegalArgumentException(
          "block without headroom: reader index " + block.readerIndex() + " (expected: >= "
              + PIECE_HEADER_LENGTH + ")");
    }
    block.setInt(at, 9 + length);
    block.setByte(at + 4, Ids.PIECE);
    block.setInt(at + 5, piece);
    block.setInt(at + 9, offset);
    return block.readerIndex(at);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, PeerMessage msg, List<Object> out) {
    if (msg instanceof Piece piece) {
      ByteBuf header = ctx.alloc().buffer(13);
      header.writeInt(9 + piece.content().readableBytes());
      header.writeByte(Ids.PIECE);
      header.writeInt(piece.piece());
      header.writeInt(piece.offset());
      out.add(header);
      out.add(piece.content().retain());
    } else if (msg instanceof Extended extended) {
      ByteBuf header = ctx.alloc().buffer(6);
      header.writeInt(2 + extended.content().readableBytes());
      header.writeByte(Ids.EXTENDED);
      header.writeByte(extended.id());
      out.add(header);
      out.add(extended.content().retain());
    } else {
      ByteBuf buf =
          ctx.alloc()
              .buffer(
                  msg instanceof BlockMessages batch
                      ? BLOCK_MESSAGE_LENGTH * batch.blocks().size()
                      : SMALL_MESSAGE_CAPACITY);
      write(msg, buf);
      out.add(buf);
    }
  }

  private static void writeBlockMessage(BlockMessageKind kind, Block block, ByteBuf out) {
    out.writeInt(13).writeByte(kind.id());
    out.writeInt(block.piece()).writeInt(block.offset()).writeInt(block.length());
  }

  /** Writes a message without a reference-counted payload, length prefix included. */
  static void write(PeerMessage msg, ByteBuf out) {
    if (msg instanceof KeepAlive) {
      out.writeInt(0);
    } else if (msg instanceof Simple simple) {
      out.writeInt(1).writeByte(simple.id());
    } else if (msg instanceof Have have) {
      out.writeInt(5).writeByte(Ids.HAVE).writeInt(have.piece());
    } else if (msg instanceof Suggest suggest) {
      out.writeInt(5).writeByte(Ids.SUGGEST).writeInt(suggest.piece());
    } else if (msg instanceof AllowedFast fast) {
      out.writeInt(5).writeByte(Ids.ALLOWED_FAST).writeInt(fast.piece());
    } else if (msg instanceof Bitfield bitfield) {
      out.writeInt(1 + bitfield.byteLength()).writeByte(Ids.BITFIELD);
      out.writeBytes(bitfield.toByteArray());
    } else if (msg instanceof BlockMessage m) {
      writeBlockMessage(m.kind(), m.block(), out);
    } else if (msg instanceof BlockMessages batch) {
      for (Block block : batch.blocks()) {
        writeBlockMessage(batch.kind(), block, out);
      }
    } else if (msg instanceof Port port) {
      out.writeInt(3).writeByte(Ids.PORT).writeShort(port.port());
    } else if (msg instanceof ExtendedHandshake h) {
      byte[] dict = encodeExtendedHandshake(h);
      out.writeInt(2 + dict.length).writeByte(Ids.EXTENDED).writeByte(0).writeBytes(dict);
    } else {
      throw new IllegalArgumentException("not encodable here: " + msg);
    }
  }
}
