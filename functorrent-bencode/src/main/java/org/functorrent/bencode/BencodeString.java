package org.functorrent.bencode;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.io.BaseEncoding;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;
import java.util.Optional;

/**
 * A bencoded byte string. It holds bytes, not text: a {@code .torrent}'s {@code pieces} is binary.
 * {@link #asUtf8()} and {@link #asUtf8Strict()} read it as text where the key means text.
 * Ordered by unsigned byte values, the order of dictionary keys in canonical bencode.
 */
public final class BencodeString implements BencodeValue, Comparable<BencodeString> {
  private static final BencodeString EMPTY = new BencodeString(new byte[0]);

  private final byte[] bytes;
  private int hash;

  private BencodeString(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of {@code bytes}. */
  public static BencodeString of(byte[] bytes) {
    return bytes.length == 0 ? EMPTY : new BencodeString(bytes.clone());
  }

  /** The UTF-8 encoding of {@code text}. */
  public static BencodeString of(String text) {
    return text.isEmpty() ? EMPTY : new BencodeString(text.getBytes(UTF_8));
  }

  /** Takes ownership of {@code bytes}, which nobody may change afterwards. */
  static BencodeString wrap(byte[] bytes) {
    return bytes.length == 0 ? EMPTY : new BencodeString(bytes);
  }

  /** Copies {@code length} bytes of {@code source} from {@code offset}. */
  static BencodeString copyOf(byte[] source, int offset, int length) {
    return length == 0 ? EMPTY : new BencodeString(Arrays.copyOfRange(source, offset, offset + length));
  }

  /** The number of bytes. */
  public int length() {
    return bytes.length;
  }

  public byte byteAt(int index) {
    return bytes[index];
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** A read-only view of the bytes. */
  public ByteBuffer asByteBuffer() {
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  /** The bytes read as UTF-8, malformed sequences replaced by U+FFFD. */
  public String asUtf8() {
    return new String(bytes, UTF_8);
  }

  /** The bytes read as UTF-8, or empty when they are not valid UTF-8. */
  public Optional<String> asUtf8Strict() {
    try {
      return Optional.of(
          UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** Whether the bytes are exactly the UTF-8 encoding of {@code text}. */
  public boolean contentEquals(String text) {
    if (text.length() > bytes.length) {
      return false;
    }
    // Fast path for ASCII keys, the common case of dictionary lookups.
    if (text.length() == bytes.length) {
      boolean ascii = true;
      for (int i = 0; i < bytes.length; i++) {
        char c = text.charAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        if (bytes[i] != (byte) c) {
          return false;
        }
      }
      if (ascii) {
        return true;
      }
    }
    return Arrays.equals(bytes, text.getBytes(UTF_8));
  }

  void copyTo(byte[] target, int offset) {
    System.arraycopy(bytes, 0, target, offset, bytes.length);
  }

  byte[] bytes() {
    return bytes;
  }

  @Override
  public long encodedLength() {
    return Encoder.decimalLength(bytes.length) + 1L + bytes.length;
  }

  @Override
  public int compareTo(BencodeString other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BencodeString other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = Arrays.hashCode(bytes);
      hash = h;
    }
    return h;
  }

  /** Printable ASCII as a quoted string, anything else as hex; long values are shortened. */
  @Override
  public String toString() {
    boolean printable = true;
    for (byte b : bytes) {
      if (b < 0x20 || b > 0x7e) {
        printable = false;
        break;
      }
    }
    int shown = Math.min(bytes.length, 64);
    String text =
        printable
            ? '"' + new String(bytes, 0, shown, UTF_8) + '"'
            : "0x" + BaseEncoding.base16().lowerCase().encode(bytes, 0, shown);
    return shown < bytes.length ? text + "...(" + bytes.length + " bytes)" : text;
  }
}
