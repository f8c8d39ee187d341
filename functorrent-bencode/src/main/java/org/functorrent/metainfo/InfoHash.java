package org.functorrent.metainfo;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.io.BaseEncoding;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;

/**
 * A torrent's v1 info-hash: the 20-byte SHA-1 of its bencoded {@code info} dictionary, exactly as
 * it appears in the {@code .torrent} file.
 */
public final class InfoHash {
  /** The number of bytes of an info-hash. */
  public static final int LENGTH = 20;

  private static final BaseEncoding HEX = BaseEncoding.base16().lowerCase();
  // Without padding: a "=" would otherwise be accepted and decode to fewer than 20 bytes.
  private static final BaseEncoding BASE32 = BaseEncoding.base32().omitPadding();

  private final byte[] bytes;

  private InfoHash(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of {@code bytes}, which must be 20 bytes long. */
  public static InfoHash of(byte[] bytes) {
    checkArgument(
        bytes.length == LENGTH, "info-hash: %s bytes (expected: %s)", bytes.length, LENGTH);
    return new InfoHash(bytes.clone());
  }

  /** The SHA-1 of {@code data}: the info-hash of an info dictionary encoded as {@code data}. */
  public static InfoHash sha1Of(byte[] data) {
    try {
      return new InfoHash(MessageDigest.getInstance("SHA-1").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
  }

  /** Parses 40 hexadecimal digits, in either case. */
  public static InfoHash fromHex(String hex) {
    checkArgument(
        hex.length() == 2 * LENGTH && isHex(hex),
        "info-hash \"%s\" (expected: 40 hexadecimal digits)",
        hex);
    return new InfoHash(HEX.decode(hex.toLowerCase(Locale.ROOT)));
  }

  /** Parses 32 base32 characters (RFC 4648, no padding), in either case. */
  public static InfoHash fromBase32(String base32) {
    String upper = base32.toUpperCase(Locale.ROOT);
    checkArgument(
        upper.length() == 32 && BASE32.canDecode(upper),
        "info-hash \"%s\" (expected: 32 base32 characters)",
        base32);
    return new InfoHash(BASE32.decode(upper));
  }

  /** Parses 40 hexadecimal digits or 32 base32 characters, the two forms of magnet links. */
  public static InfoHash parse(String text) {
    checkArgument(
        text.length() == 40 || text.length() == 32,
        "info-hash \"%s\" (expected: 40 hexadecimal digits or 32 base32 characters)",
        text);
    return text.length() == 40 ? fromHex(text) : fromBase32(text);
  }

  /** 40 lowercase hexadecimal digits. */
  public String toHex() {
    return HEX.encode(bytes);
  }

  /** 32 uppercase base32 characters. */
  public String toBase32() {
    return BASE32.encode(bytes);
  }

  /** A copy of the 20 bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /**
   * The bytes percent-encoded for a tracker's query string: every byte that is not unreserved
   * ({@code A-Z a-z 0-9 - . _ ~}) as {@code %XX}.
   */
  public String urlEncoded() {
    return UrlCodec.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InfoHash other && Arrays.equals(bytes, other.bytes);
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

  static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (UrlCodec.hexValue(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }
}
