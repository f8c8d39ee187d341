package org.functorrent.storage;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;

import java.util.Arrays;
import java.util.BitSet;
import java.util.stream.IntStream;

/**
 * An immutable set of piece indexes out of a torrent's {@code size} pieces: the pieces verified on
 * disk, for instance. {@link #toBitfield()} gives the BEP 3 {@code bitfield} message payload.
 */
public final class PieceSet {
  private final int size;
  private final BitSet bits;

  private PieceSet(int size, BitSet bits) {
    this.size = size;
    this.bits = bits;
  }

  /** No piece out of {@code size}. */
  public static PieceSet empty(int size) {
    checkArgument(size >= 0, "size: %s (expected: >= 0)", size);
    return new PieceSet(size, new BitSet());
  }

  /** Every piece out of {@code size}. */
  public static PieceSet all(int size) {
    checkArgument(size >= 0, "size: %s (expected: >= 0)", size);
    BitSet bits = new BitSet(size);
    bits.set(0, size);
    return new PieceSet(size, bits);
  }

  /** The given pieces out of {@code size}. */
  public static PieceSet of(int size, int... pieces) {
    checkArgument(size >= 0, "size: %s (expected: >= 0)", size);
    BitSet bits = new BitSet(size);
    for (int piece : pieces) {
      checkElementIndex(piece, size, "piece");
      bits.set(piece);
    }
    return new PieceSet(size, bits);
  }

  /** A copy of {@code bits}, which must have no bit at {@code size} or above. */
  public static PieceSet copyOf(BitSet bits, int size) {
    checkArgument(size >= 0, "size: %s (expected: >= 0)", size);
    checkArgument(
        bits.length() <= size, "bits: highest %s (expected: < %s)", bits.length() - 1, size);
    return new PieceSet(size, (BitSet) bits.clone());
  }

  /**
   * Reads a BEP 3 bitfield: the high bit of the first byte is piece 0; spare bits at the end must
   * be clear.
   */
  public static PieceSet fromBitfield(byte[] bitfield, int size) {
    checkArgument(size >= 0, "size: %s (expected: >= 0)", size);
    checkArgument(
        bitfield.length == (size + 7) / 8,
        "bitfield: %s bytes (expected: %s for %s pieces)",
        bitfield.length,
        (size + 7) / 8,
        size);
    BitSet bits = new BitSet(size);
    for (int i = 0; i < bitfield.length * 8; i++) {
      if ((bitfield[i >>> 3] & (0x80 >>> (i & 7))) != 0) {
        checkArgument(i < size, "bitfield: spare bit %s set (expected: clear)", i);
        bits.set(i);
      }
    }
    return new PieceSet(size, bits);
  }

  /** The number of pieces of the torrent: members are {@code 0 <= piece < size}. */
  public int size() {
    return size;
  }

  /** The number of pieces in the set. */
  public int count() {
    return bits.cardinality();
  }

  public boolean contains(int piece) {
    checkElementIndex(piece, size, "piece");
    return bits.get(piece);
  }

  public boolean isEmpty() {
    return bits.isEmpty();
  }

  /** Whether every piece is in the set. */
  public boolean isComplete() {
    return bits.cardinality() == size;
  }

  /** The pieces in the set, in increasing order. */
  public IntStream stream() {
    return bits.stream();
  }

  /** A copy as a mutable {@link BitSet}. */
  public BitSet toBitSet() {
    return (BitSet) bits.clone();
  }

  /** This set with {@code piece} added. */
  public PieceSet with(int piece) {
    checkElementIndex(piece, size, "piece");
    BitSet copy = (BitSet) bits.clone();
    copy.set(piece);
    return new PieceSet(size, copy);
  }

  /** The pieces in this set or in {@code other}, which must have the same size. */
  public PieceSet union(PieceSet other) {
    checkArgument(other.size == size, "other: size %s (expected: %s)", other.size, size);
    BitSet copy = (BitSet) bits.clone();
    copy.or(other.bits);
    return new PieceSet(size, copy);
  }

  /** The BEP 3 bitfield: {@code ceil(size / 8)} bytes, piece 0 in the high bit of byte 0. */
  public byte[] toBitfield() {
    byte[] out = new byte[(size + 7) / 8];
    for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
      out[i >>> 3] |= (byte) (0x80 >>> (i & 7));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PieceSet other && other.size == size && other.bits.equals(bits);
  }

  @Override
  public int hashCode() {
    return 31 * size + Arrays.hashCode(bits.toLongArray());
  }

  @Override
  public String toString() {
    return "PieceSet{" + count() + "/" + size + " " + bits + "}";
  }
}
