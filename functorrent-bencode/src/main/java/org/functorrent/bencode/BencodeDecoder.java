package org.functorrent.bencode;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkPositionIndexes;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Decodes bencode. Immutable and thread-safe; {@link Bencode#decoder()} gives the default one.
 *
 * <p>Strict by default where BEP 3 is strict: no leading zeros, no {@code -0}, no integer beyond 64
 * bits, byte-string keys only, no duplicate key, nothing after the value. Dictionaries whose keys
 * are not sorted are accepted, because real torrents have them; see {@link
 * BencodeDictionary#originalEncoding()}. Against hostile input, nesting depth is bounded and a
 * declared string length is checked against the bytes actually present before anything is
 * allocated. Every error is a {@link BencodeException} with the byte offset.
 */
public final class BencodeDecoder {
  /** The default nesting limit: far deeper than any real torrent, far shallower than the stack. */
  public static final int DEFAULT_MAX_DEPTH = 256;

  /** The default limit of {@link #decode(InputStream)}: larger than any real metainfo file. */
  public static final int DEFAULT_MAX_INPUT_BYTES = 64 * 1024 * 1024;

  static final BencodeDecoder DEFAULT =
      new BencodeDecoder(DEFAULT_MAX_DEPTH, DEFAULT_MAX_INPUT_BYTES, true);

  private final int maxDepth;
  private final int maxInputBytes;
  private final boolean strict;

  private BencodeDecoder(int maxDepth, int maxInputBytes, boolean strict) {
    this.maxDepth = maxDepth;
    this.maxInputBytes = maxInputBytes;
    this.strict = strict;
  }

  /** A decoder that allows at most {@code maxDepth} nested lists and dictionaries. */
  public BencodeDecoder withMaxDepth(int maxDepth) {
    checkArgument(maxDepth > 0, "maxDepth: %s (expected: > 0)", maxDepth);
    return new BencodeDecoder(maxDepth, maxInputBytes, strict);
  }

  /** A decoder that reads at most {@code maxInputBytes} from an {@link InputStream}. */
  public BencodeDecoder withMaxInputBytes(int maxInputBytes) {
    checkArgument(maxInputBytes > 0, "maxInputBytes: %s (expected: > 0)", maxInputBytes);
    return new BencodeDecoder(maxDepth, maxInputBytes, strict);
  }

  /**
   * A decoder that also accepts what some encoders write although BEP 3 forbids it: leading zeros
   * in integers and lengths, {@code i-0e}, and bytes after the value (ignored). Duplicate keys and
   * everything structurally broken are still rejected.
   */
  public BencodeDecoder lenient() {
    return new BencodeDecoder(maxDepth, maxInputBytes, false);
  }

  public boolean isStrict() {
    return strict;
  }

  /**
   * Decodes {@code input}. Decoded dictionaries refer to {@code input} for their {@link
   * BencodeDictionary#originalEncoding()}: the caller must not change it afterwards.
   */
  public BencodeValue decode(byte[] input) {
    return decode(input, 0, input.length);
  }

  /**
   * Decodes {@code length} bytes of {@code input} from {@code offset}; error offsets count from it.
   */
  public BencodeValue decode(byte[] input, int offset, int length) {
    checkPositionIndexes(offset, offset + length, input.length);
    Parser parser = new Parser(input, offset, offset + length);
    BencodeValue value = parser.value(0);
    if (strict && parser.pos != parser.end) {
      throw parser.error(parser.pos, "trailing data after the value (expected: end of input)");
    }
    return value;
  }

  /**
   * Decodes the value that starts at {@code offset} and returns it with its encoded length, leaving
   * whatever follows it (such as the payload of a {@code ut_metadata} message) to the caller.
   */
  public BencodePrefix decodePrefix(byte[] input, int offset, int length) {
    checkPositionIndexes(offset, offset + length, input.length);
    Parser parser = new Parser(input, offset, offset + length);
    BencodeValue value = parser.value(0);
    return new BencodePrefix(value, parser.pos - offset);
  }

  /**
   * Decodes the remaining bytes of {@code input}, without moving its position. The bytes are
   * copied first: buffers are reused, and decoded dictionaries keep their original encoding.
   */
  public BencodeValue decode(ByteBuffer input) {
    byte[] copy = new byte[input.remaining()];
    input.duplicate().get(copy);
    return decode(copy);
  }

  /**
   * Reads {@code input} to its end (at most the configured number of bytes) and decodes it. The
   * stream is not closed.
   *
   * @throws UncheckedIOException if reading fails
   */
  public BencodeValue decode(InputStream input) {
    byte[] bytes;
    try {
      bytes = input.readNBytes(maxInputBytes);
      if (bytes.length == maxInputBytes && input.read() != -1) {
        throw new BencodeException(
            "input longer than " + maxInputBytes + " bytes (expected: at most that)",
            maxInputBytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return decode(bytes);
  }

  /**
   * One decode. Lists and dictionaries collect their elements on scratch stacks shared by all
   * nesting levels, so that each one allocates only its exact-size result; and a dictionary key
   * equal to the key at the same position in the previous dictionary of the same depth (the files
   * of a torrent, the peers of a tracker response) reuses that key instead of a copy.
   */
  private final class Parser {
    private final byte[] data;
    private final int start;
    private final int end;
    private int pos;

    /** Keys of the dictionaries being decoded, innermost last; {@code top} entries in use. */
    private BencodeString[] keyStack = new BencodeString[8];

    /** Values of the lists and dictionaries being decoded, innermost last. */
    private BencodeValue[] valueStack = new BencodeValue[8];

    private int top;

    /** By depth, the keys of the last dictionary completed at that depth; null until one is. */
    private BencodeString[][] previousKeys;

    Parser(byte[] data, int start, int end) {
      this.data = data;
      this.start = start;
      this.end = end;
      this.pos = start;
    }

    BencodeValue value(int depth) {
      if (pos >= end) {
        throw error(pos, "unexpected end of input (expected: a value)");
      }
      byte b = data[pos];
      if (b >= '0' && b <= '9') {
        return string();
      }
      switch (b) {
        case 'i':
          return BencodeInteger.of(integer());
        case 'l':
          return list(depth + 1);
        case 'd':
          return dictionary(depth + 1);
        default:
          throw error(
              pos, "unexpected " + describe(b) + " (expected: a value: digit, 'i', 'l' or 'd')");
      }
    }

    private BencodeString string() {
      int length = stringLength();
      BencodeString s = BencodeString.copyOf(data, pos, length);
      pos += length;
      return s;
    }

    /** A key: {@code candidate} itself when it has the same bytes, else a new string. */
    private BencodeString key(BencodeString candidate) {
      int length = stringLength();
      BencodeString s;
      if (candidate != null
          && candidate.length() == length
          && Arrays.equals(candidate.bytes(), 0, length, data, pos, pos + length)) {
        s = candidate;
      } else {
        s = BencodeString.copyOf(data, pos, length);
      }
      pos += length;
      return s;
    }

    /**
     * Reads and checks the length prefix of a string, leaving {@code pos} at its first byte; the
     * length is known to fit in the input.
     */
    private int stringLength() {
      int lengthStart = pos;
      long length = 0;
      int available = end - pos;
      while (pos < end && data[pos] >= '0' && data[pos] <= '9') {
        // Saturate rather than overflow: any length beyond the input is an error anyway.
        if (length <= available) {
          length = length * 10 + (data[pos] - '0');
        }
        pos++;
      }
      if (pos >= end) {
        throw error(pos, "unexpected end of input (expected: ':' after a string length)");
      }
      if (data[pos] != ':') {
        throw error(
            pos, "unexpected " + describe(data[pos]) + " (expected: ':' after a string length)");
      }
      if (strict && data[lengthStart] == '0' && pos - lengthStart > 1) {
        throw error(lengthStart, "string length with a leading zero");
      }
      pos++;
      long left = end - pos;
      if (length > left) {
        throw error(
            lengthStart,
            "string length "
                + (length > available ? "of more than " + available : Long.toString(length))
                + " bytes declared, only "
                + left
                + " left (expected: at most that)");
      }
      return (int) length;
    }

    private long integer() {
      int begin = pos;
      pos++;
      boolean negative = false;
      if (pos < end && data[pos] == '-') {
        negative = true;
        pos++;
      }
      int digits = pos;
      // Accumulate negatively, so that Long.MIN_VALUE fits.
      long result = 0;
      while (pos < end) {
        int d = data[pos] - '0';
        if (d < 0 || d > 9) {
          break;
        }
        if (result < Long.MIN_VALUE / 10 || result * 10 < Long.MIN_VALUE + d) {
          throw error(begin, "integer does not fit in 64 bits");
        }
        result = result * 10 - d;
        pos++;
      }
      if (pos >= end) {
        throw error(pos, "unexpected end of input (expected: a digit or 'e' to end the integer)");
      }
      if (pos == digits) {
        throw error(pos, "unexpected " + describe(data[pos]) + " (expected: a digit)");
      }
      if (data[pos] != 'e') {
        throw error(pos, "unexpected " + describe(data[pos]) + " (expected: a digit or 'e')");
      }
      if (strict && data[digits] == '0' && pos - digits > 1) {
        throw error(digits, "integer with a leading zero");
      }
      if (strict && negative && result == 0) {
        throw error(begin, "negative zero");
      }
      if (!negative) {
        if (result == Long.MIN_VALUE) {
          throw error(begin, "integer does not fit in 64 bits");
        }
        result = -result;
      }
      pos++;
      return result;
    }

    private BencodeList list(int depth) {
      checkDepth(depth);
      pos++;
      int base = top;
      while (true) {
        if (pos >= end) {
          throw error(pos, "unexpected end of input (expected: a value or 'e' to end the list)");
        }
        if (data[pos] == 'e') {
          pos++;
          break;
        }
        int slot = push();
        // Not valueStack[slot] = value(depth): the stack may be replaced while decoding the value.
        BencodeValue value = value(depth);
        valueStack[slot] = value;
      }
      int size = top - base;
      ImmutableList.Builder<BencodeValue> values = ImmutableList.builderWithExpectedSize(size);
      for (int i = base; i < top; i++) {
        values.add(valueStack[i]);
      }
      pop(base);
      return new BencodeList(values.build());
    }

    private BencodeDictionary dictionary(int depth) {
      checkDepth(depth);
      int begin = pos;
      pos++;
      int base = top;
      BencodeString[] previous =
          previousKeys != null && depth < previousKeys.length ? previousKeys[depth] : null;
      boolean sorted = true;
      while (true) {
        if (pos >= end) {
          throw error(
              pos, "unexpected end of input (expected: a key or 'e' to end the dictionary)");
        }
        byte b = data[pos];
        if (b == 'e') {
          pos++;
          break;
        }
        if (b < '0' || b > '9') {
          throw error(pos, "unexpected " + describe(b) + " (expected: a byte-string key or 'e')");
        }
        int keyOffset = pos;
        int index = top - base;
        BencodeString key =
            key(previous != null && index < previous.length ? previous[index] : null);
        if (index > 0 && sorted) {
          int order = key.compareTo(keyStack[top - 1]);
          if (order == 0) {
            throw error(keyOffset, "duplicate dictionary key " + key);
          }
          sorted = order > 0;
        }
        int slot = push();
        keyStack[slot] = key;
        // Not valueStack[slot] = value(depth): the stack may be replaced while decoding the value.
        BencodeValue value = value(depth);
        valueStack[slot] = value;
      }
      BencodeString[] keys = Arrays.copyOfRange(keyStack, base, top);
      BencodeValue[] values = Arrays.copyOfRange(valueStack, base, top);
      pop(base);
      if (!sorted) {
        sortEntries(keys, values, begin, depth);
      } else {
        rememberKeys(depth, keys);
      }
      return BencodeDictionary.ofSorted(keys, values, data, begin, pos);
    }

    /** Reserves the next slot of the scratch stacks. */
    private int push() {
      if (top == valueStack.length) {
        keyStack = Arrays.copyOf(keyStack, top * 2);
        valueStack = Arrays.copyOf(valueStack, top * 2);
      }
      return top++;
    }

    /**
     * Releases the slots from {@code base} on. Their stale references are not cleared: the parser
     * lives only as long as one decode, and they belong to the value it returns.
     */
    private void pop(int base) {
      top = base;
    }

    private void rememberKeys(int depth, BencodeString[] keys) {
      if (depth == 1) {
        return; // the outermost dictionary has no sibling
      }
      if (previousKeys == null) {
        previousKeys = new BencodeString[Math.max(depth + 1, 8)][];
      } else if (depth >= previousKeys.length) {
        previousKeys = Arrays.copyOf(previousKeys, Math.max(depth + 1, previousKeys.length * 2));
      }
      previousKeys[depth] = keys;
    }

    /** Sorts the entries of the dictionary at {@code begin} by key, rejecting duplicates. */
    private void sortEntries(BencodeString[] keys, BencodeValue[] values, int begin, int depth) {
      Integer[] order = new Integer[keys.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> keys[a].compareTo(keys[b]));
      BencodeString[] sortedKeys = new BencodeString[keys.length];
      BencodeValue[] sortedValues = new BencodeValue[keys.length];
      for (int i = 0; i < order.length; i++) {
        sortedKeys[i] = keys[order[i]];
        sortedValues[i] = values[order[i]];
        if (i > 0 && sortedKeys[i].equals(sortedKeys[i - 1])) {
          throw error(
              secondKeyOffset(begin, sortedKeys[i], depth),
              "duplicate dictionary key " + sortedKeys[i]);
        }
      }
      System.arraycopy(sortedKeys, 0, keys, 0, keys.length);
      System.arraycopy(sortedValues, 0, values, 0, values.length);
    }

    /** Where {@code key} occurs a second time in the (valid) dictionary at {@code begin}. */
    private int secondKeyOffset(int begin, BencodeString key, int depth) {
      Parser rescan = new Parser(data, start, end);
      rescan.pos = begin + 1;
      boolean seen = false;
      while (true) {
        int keyOffset = rescan.pos;
        if (rescan.string().equals(key)) {
          if (seen) {
            return keyOffset;
          }
          seen = true;
        }
        rescan.value(depth);
      }
    }

    private void checkDepth(int depth) {
      if (depth > maxDepth) {
        throw error(pos, "nesting deeper than " + maxDepth + " lists and dictionaries");
      }
    }

    BencodeException error(int at, String problem) {
      return new BencodeException(problem, at - start);
    }
  }

  private static String describe(byte b) {
    return b >= 0x20 && b < 0x7f ? "'" + (char) b + "'" : String.format("byte 0x%02x", b & 0xff);
  }
}
