package org.functorrent.bencode;

import static com.google.common.base.Preconditions.checkArgument;
import static java.nio.charset.StandardCharsets.US_ASCII;

/** Writes the canonical encoding of a value into an array of exactly its size. */
final class Encoder {
  private final byte[] out;
  private int pos;

  private Encoder(byte[] out) {
    this.out = out;
  }

  static byte[] encode(BencodeValue value) {
    long length = value.encodedLength();
    checkArgument(
        length <= Integer.MAX_VALUE - 8,
        "encoded length: %s bytes (expected: at most %s)",
        length,
        Integer.MAX_VALUE - 8);
    Encoder encoder = new Encoder(new byte[(int) length]);
    encoder.write(value);
    return encoder.out;
  }

  /** The number of characters of {@code value} in decimal, with its sign. */
  static int decimalLength(long value) {
    if (value == Long.MIN_VALUE) {
      return 20;
    }
    int length = 1;
    if (value < 0) {
      length++;
      value = -value;
    }
    while (value >= 10) {
      value /= 10;
      length++;
    }
    return length;
  }

  private void write(BencodeValue value) {
    if (value instanceof BencodeString s) {
      writeString(s);
    } else if (value instanceof BencodeInteger i) {
      out[pos++] = 'i';
      writeDecimal(i.value());
      out[pos++] = 'e';
    } else if (value instanceof BencodeList l) {
      out[pos++] = 'l';
      for (BencodeValue element : l.values()) {
        write(element);
      }
      out[pos++] = 'e';
    } else {
      BencodeDictionary d = (BencodeDictionary) value;
      out[pos++] = 'd';
      for (int i = 0; i < d.size(); i++) {
        writeString(d.keyAt(i));
        write(d.valueAt(i));
      }
      out[pos++] = 'e';
    }
  }

  private void writeString(BencodeString s) {
    writeDecimal(s.length());
    out[pos++] = ':';
    s.copyTo(out, pos);
    pos += s.length();
  }

  private void writeDecimal(long value) {
    int length = decimalLength(value);
    int end = pos + length;
    if (value == Long.MIN_VALUE) {
      byte[] digits = Long.toString(value).getBytes(US_ASCII);
      System.arraycopy(digits, 0, out, pos, digits.length);
      pos = end;
      return;
    }
    if (value < 0) {
      out[pos] = '-';
      value = -value;
    }
    int i = end;
    do {
      out[--i] = (byte) ('0' + (value % 10));
      value /= 10;
    } while (value != 0);
    pos = end;
  }
}
