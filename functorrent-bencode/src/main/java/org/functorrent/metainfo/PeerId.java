package org.functorrent.metainfo;

import static com.google.common.base.Preconditions.checkArgument;
import static java.nio.charset.StandardCharsets.US_ASCII;

import com.google.common.io.BaseEncoding;
import java.security.SecureRandom;
import java.util.Arrays;

/** The 20-byte id a peer announces to trackers and other peers (BEP 3). */
public final class PeerId {
  /** The number of bytes of a peer id. */
  public static final int LENGTH = 20;

  private static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] bytes;

  private PeerId(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of {@code bytes}, which must be 20 bytes long. */
  public static PeerId of(byte[] bytes) {
    checkArgument(bytes.length == LENGTH, "peer id: %s bytes (expected: %s)", bytes.length, LENGTH);
    return new PeerId(bytes.clone());
  }

  /**
   * A new peer id that starts with {@code prefix}, such as the Azureus-style {@code "-FJ0100-"},
   * followed by random letters and digits from a {@link SecureRandom}.
   *
   * @param prefix 1 to 12 printable ASCII characters, so that at least 8 characters are random
   */
  public static PeerId random(String prefix) {
    checkArgument(
        !prefix.isEmpty() && prefix.length() <= 12,
        "peer id prefix \"%s\": %s characters (expected: 1 to 12)",
        prefix,
        prefix.length());
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      checkArgument(
          c >= 0x20 && c < 0x7f,
          "peer id prefix \"%s\" (expected: printable ASCII characters)",
          prefix);
    }
    byte[] bytes = new byte[LENGTH];
    byte[] head = prefix.getBytes(US_ASCII);
    System.arraycopy(head, 0, bytes, 0, head.length);
    for (int i = head.length; i < LENGTH; i++) {
      bytes[i] = (byte) ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length()));
    }
    return new PeerId(bytes);
  }

  /** A copy of the 20 bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** 40 lowercase hexadecimal digits. */
  public String toHex() {
    return BaseEncoding.base16().lowerCase().encode(bytes);
  }

  /** The bytes percent-encoded for a tracker's query string, as {@link InfoHash#urlEncoded()}. */
  public String urlEncoded() {
    return UrlCodec.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerId other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The hexadecimal form, as {@link #toHex()}. */
  @Override
  public String toString() {
    return toHex();
  }
}
