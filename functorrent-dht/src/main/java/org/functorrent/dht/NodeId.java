package org.functorrent.dht;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.io.BaseEncoding;
import java.util.Arrays;
import java.util.Random;
import org.functorrent.metainfo.InfoHash;

/**
 * A 160-bit DHT node id (BEP 5), or any other key of the same space such as an info-hash. Ordered
 * as an unsigned big-endian number; {@link #distance} is Kademlia's XOR metric.
 */
public final class NodeId implements Comparable<NodeId> {
  /** The number of bytes of an id. */
  public static final int LENGTH = 20;

  /** The number of bits of an id. */
  public static final int BITS = LENGTH * 8;

  private static final BaseEncoding HEX = BaseEncoding.base16().lowerCase();

  private final byte[] bytes;

  private NodeId(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of {@code bytes}, which must be 20 bytes long. */
  public static NodeId of(byte[] bytes) {
    checkArgument(bytes.length == LENGTH, "node id: %s bytes (expected: %s)", bytes.length, LENGTH);
    return new NodeId(bytes.clone());
  }

  /** The id of the same bits as {@code infoHash}: the key a torrent's peers are stored under. */
  public static NodeId of(InfoHash infoHash) {
    return new NodeId(infoHash.toByteArray());
  }

  /** Parses 40 hexadecimal digits. */
  public static NodeId fromHex(String hex) {
    checkArgument(hex.length() == 2 * LENGTH, "node id \"%s\" (expected: 40 hex digits)", hex);
    try {
      return new NodeId(HEX.decode(hex.toLowerCase(java.util.Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("node id \"" + hex + "\" (expected: 40 hex digits)", e);
    }
  }

  /** A uniformly random id. */
  public static NodeId random(Random random) {
    byte[] b = new byte[LENGTH];
    random.nextBytes(b);
    return new NodeId(b);
  }

  /** A copy of the 20 bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** The byte at {@code index}, 0 being the most significant. */
  public int byteAt(int index) {
    return bytes[index] & 0xff;
  }

  /** Bit {@code index} (0 = most significant) of this id. */
  public boolean bit(int index) {
    checkArgument(index >= 0 && index < BITS, "bit %s (expected: 0..159)", index);
    return (bytes[index >>> 3] & (0x80 >>> (index & 7))) != 0;
  }

  /** This id with bit {@code index} flipped. */
  public NodeId flipBit(int index) {
    checkArgument(index >= 0 && index < BITS, "bit %s (expected: 0..159)", index);
    byte[] b = bytes.clone();
    b[index >>> 3] ^= (byte) (0x80 >>> (index & 7));
    return new NodeId(b);
  }

  /** XOR of the two ids, itself an id: the Kademlia distance between them. */
  public NodeId distance(NodeId other) {
    byte[] d = new byte[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      d[i] = (byte) (bytes[i] ^ other.bytes[i]);
    }
    return new NodeId(d);
  }

  /**
   * Compares the distances of {@code a} and {@code b} to this id: negative when {@code a} is
   * closer, zero when they are the same id.
   */
  public int compareDistance(NodeId a, NodeId b) {
    for (int i = 0; i < LENGTH; i++) {
      int da = (a.bytes[i] ^ bytes[i]) & 0xff;
      int db = (b.bytes[i] ^ bytes[i]) & 0xff;
      if (da != db) {
        return da < db ? -1 : 1;
      }
    }
    return 0;
  }

  /** The number of leading bits this id shares with {@code other} (160 when equal). */
  public int commonPrefixLength(NodeId other) {
    for (int i = 0; i < LENGTH; i++) {
      int x = (bytes[i] ^ other.bytes[i]) & 0xff;
      if (x != 0) {
        return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
      }
    }
    return BITS;
  }

  /** 40 lowercase hexadecimal digits. */
  public String toHex() {
    return HEX.encode(bytes);
  }

  @Override
  public int compareTo(NodeId other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeId other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
