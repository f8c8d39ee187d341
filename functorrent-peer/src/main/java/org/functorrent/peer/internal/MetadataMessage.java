package org.functorrent.peer.internal;

import static com.google.common.base.Preconditions.checkArgument;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDecoder;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeException;
import org.functorrent.bencode.BencodeInteger;
import org.functorrent.bencode.BencodePrefix;
import org.functorrent.bencode.BencodeValue;

/**
 * A BEP 9 {@code ut_metadata} message: a bencoded dictionary with {@code msg_type} and {@code
 * piece} ({@code total_size} too in a {@code data} message), followed in a {@code data} message
 * by the piece's bytes. The metadata (the info dictionary) is split into pieces of 16 KiB, the
 * last one shorter.
 */
sealed interface MetadataMessage {
  /** The name of the extension in the extended handshake's {@code m} dictionary. */
  String NAME = "ut_metadata";

  /** The size of a metadata piece; the last one may be shorter. */
  int PIECE_SIZE = 16 * 1024;

  int REQUEST = 0;
  int DATA = 1;
  int REJECT = 2;

  int piece();

  /** {@code msg_type} 0: the sender asks for a piece. */
  record Request(int piece) implements MetadataMessage {}

  /** {@code msg_type} 2: the sender will not send the piece (or does not have the metadata). */
  record Reject(int piece) implements MetadataMessage {}

  /** {@code msg_type} 1: a piece of the metadata, whose total size is {@code totalSize}. */
  final class Data implements MetadataMessage {
    private final int piece;
    private final long totalSize;
    private final byte[] bytes;

    Data(int piece, long totalSize, byte[] bytes) {
      checkArgument(bytes.length <= PIECE_SIZE, "piece of %s bytes (expected: <= 16384)",
          bytes.length);
      this.piece = piece;
      this.totalSize = totalSize;
      this.bytes = bytes.clone();
    }

    @Override
    public int piece() {
      return piece;
    }

    long totalSize() {
      return totalSize;
    }

    /** A copy of the piece's bytes. */
    byte[] bytes() {
      return bytes.clone();
    }

    int length() {
      return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Data d
          && d.piece == piece
          && d.totalSize == totalSize
          && Arrays.equals(d.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return piece * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Data[piece=" + piece + ", totalSize=" + totalSize + ", " + bytes.length + " bytes]";
    }
  }

  /** The number of 16 KiB pieces of metadata of {@code size} bytes. */
  static int pieceCount(long size) {
    return (int) ((size + PIECE_SIZE - 1) / PIECE_SIZE);
  }

  /** The length of piece {@code piece} of metadata of {@code size} bytes. */
  static int pieceLength(long size, int piece) {
    return (int) Math.min(PIECE_SIZE, size - (long) piece * PIECE_SIZE);
  }

  /** Encodes a message (the payload of an extended message, after its id byte). */
  static ByteBuf encode(MetadataMessage message) {
    BencodeDictionary.Builder dict = BencodeDictionary.builder().put("piece", message.piece());
    if (message instanceof Request) {
      dict.put("msg_type", REQUEST);
      return Unpooled.wrappedBuffer(Bencode.encode(dict.build()));
    }
    if (message instanceof Reject) {
      dict.put("msg_type", REJECT);
      return Unpooled.wrappedBuffer(Bencode.encode(dict.build()));
    }
    Data data = (Data) message;
    dict.put("msg_type", DATA).put("total_size", data.totalSize);
    return Unpooled.wrappedBuffer(Bencode.encode(dict.build()), data.bytes);
  }

  /** Lenient, as peers' dictionaries need not be canonical; shallow, as none is nested. */
  BencodeDecoder DECODER = Bencode.decoder().lenient().withMaxDepth(4);

  /**
   * Decodes a message; {@code null} for a {@code msg_type} this side does not know (BEP 9: it is
   * ignored). Does not move the buffer's reader index.
   *
   * @throws PeerProtocolException if it is not a dictionary with an integer {@code msg_type} and a
   *     {@code piece} in 0..2^31-1 followed, in a data message, by at most 16 KiB with a
   *     non-negative {@code total_size}, or if a request or reject has bytes after its dictionary
   */
  static MetadataMessage decode(ByteBuf payload) {
    byte[] bytes = ByteBufUtil.getBytes(payload);
    BencodePrefix prefix;
    try {
      prefix = DECODER.decodePrefix(bytes, 0, bytes.length);
    } catch (BencodeException e) {
      throw new PeerProtocolException("ut_metadata: " + e.getMessage(), e);
    }
    if (!(prefix.value() instanceof BencodeDictionary dict)) {
      throw new PeerProtocolException("ut_metadata: not a dictionary");
    }
    long type = integer(dict, "msg_type");
    long piece = integer(dict, "piece");
    if (piece < 0 || piece > Integer.MAX_VALUE) {
      throw new PeerProtocolException("ut_metadata: piece " + piece + " (expected: 0..2^31-1)");
    }
    int rest = bytes.length - prefix.encodedLength();
    switch ((int) Math.max(-1, Math.min(type, 3))) {
      case REQUEST, REJECT -> {
        if (rest != 0) {
          throw new PeerProtocolException(
              "ut_metadata: " + rest + " bytes after a " + (type == REQUEST ? "request" : "reject")
                  + " (expected: none)");
        }
        return type == REQUEST ? new Request((int) piece) : new Reject((int) piece);
      }
      case DATA -> {
        long total = integer(dict, "total_size");
        if (total < 0) {
          throw new PeerProtocolException("ut_metadata: total_size " + total + " (expected: >= 0)");
        }
        if (rest > PIECE_SIZE) {
          throw new PeerProtocolException(
              "ut_metadata: data piece of " + rest + " bytes (expected: <= 16384)");
        }
        return new Data(
            (int) piece, total, Arrays.copyOfRange(bytes, prefix.encodedLength(), bytes.length));
      }
      default -> {
        return null;
      }
    }
  }

  private static long integer(BencodeDictionary dict, String key) {
    BencodeValue v = dict.get(key).orElse(null);
    if (v instanceof BencodeInteger i) {
      return i.value();
    }
    throw new PeerProtocolException(
        "ut_metadata: " + key + (v == null ? " missing" : " not an integer")
            + " (expected: an integer)");
  }
}
