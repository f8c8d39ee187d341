package org.functorrent.bencode;

import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Bencode (BEP 3) in one place: {@code Bencode.decode(bytes)} and {@code Bencode.encode(value)}.
 * Decoding is strict by default; {@link #decoder()} gives the configurable decoder.
 */
public final class Bencode {
  private Bencode() {}

  /** The default, strict decoder. */
  public static BencodeDecoder decoder() {
    return BencodeDecoder.DEFAULT;
  }

  public static BencodeValue decode(byte[] input) {
    return BencodeDecoder.DEFAULT.decode(input);
  }

  public static BencodeValue decode(ByteBuffer input) {
    return BencodeDecoder.DEFAULT.decode(input);
  }

  public static BencodeValue decode(InputStream input) {
    return BencodeDecoder.DEFAULT.decode(input);
  }

  /** The canonical encoding of {@code value}: dictionary keys in unsigned byte order. */
  public static byte[] encode(BencodeValue value) {
    return Encoder.encode(value);
  }
}
