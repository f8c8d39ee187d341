package org.functorrent.metainfo;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;

/** Percent-encoding (RFC 3986) of bytes and of UTF-8 text. */
final class UrlCodec {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private UrlCodec() {}

  /** Every byte that is not unreserved ({@code A-Z a-z 0-9 - . _ ~}) as {@code %XX}. */
  static String encode(byte[] bytes) {
    StringBuilder s = new StringBuilder(bytes.length * 3);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (isUnreserved(c)) {
        s.append((char) c);
      } else {
        s.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return s.toString();
  }

  static String encode(String text) {
    return encode(text.getBytes(UTF_8));
  }

  /**
   * Decodes {@code %XX} escapes and {@code +} (as a space) to bytes.
   *
   * @throws IllegalArgumentException on a {@code %} not followed by two hex digits
   */
  static byte[] decode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        int hi = i + 1 < text.length() ? hexValue(text.charAt(i + 1)) : -1;
        int lo = i + 2 < text.length() ? hexValue(text.charAt(i + 2)) : -1;
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException(
              "bad percent-escape at index " + i + " (expected: % and two hex digits)");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c == '+') {
        out.write(' ');
      } else if (c < 0x80) {
        out.write(c);
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
          utf8 = text.substring(i, i + 2).getBytes(UTF_8);
          i++;
        }
        out.write(utf8, 0, utf8.length);
      }
    }
    return out.toByteArray();
  }

  static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    } else if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }
}
