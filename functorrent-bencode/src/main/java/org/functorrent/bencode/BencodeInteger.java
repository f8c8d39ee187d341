package org.functorrent.bencode;

/** A bencoded integer: any signed 64-bit value. */
public record BencodeInteger(long value) implements BencodeValue {

  public static BencodeInteger of(long value) {
    return new BencodeInteger(value);
  }

  @Override
  public long encodedLength() {
    return 2 + Encoder.decimalLength(value);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
