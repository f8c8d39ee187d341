package org.functorrent.bencode;

import static com.google.common.base.Preconditions.checkArgument;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A bencoded dictionary: byte-string keys in canonical (unsigned byte) order, each once.
 *
 * <p>A dictionary that came from {@link Bencode#decode} also remembers the exact bytes it was
 * decoded from ({@link #originalEncoding()}), so that a hash over it, such as a torrent's
 * info-hash, is always taken over what the author wrote, even when the author's keys were not
 * sorted. It keeps a reference to the decoded input for that purpose.
 */
public final class BencodeDictionary implements BencodeValue {
  private static final BencodeString[] NO_KEYS = new BencodeString[0];
  private static final BencodeValue[] NO_VALUES = new BencodeValue[0];

  private final BencodeString[] keys;
  private final BencodeValue[] values;
  private final byte[] source;
  private final int sourceStart;
  private final int sourceEnd;

  private BencodeDictionary(
      BencodeString[] keys, BencodeValue[] values, byte[] source, int sourceStart, int sourceEnd) {
    this.keys = keys;
    this.values = values;
    this.source = source;
    this.sourceStart = sourceStart;
    this.sourceEnd = sourceEnd;
  }

  /** Keys and values already sorted and free of duplicates; the arrays are owned afterwards. */
  static BencodeDictionary ofSorted(
      BencodeString[] keys, BencodeValue[] values, byte[] source, int start, int end) {
    return new BencodeDictionary(keys, values, source, start, end);
  }

  public static BencodeDictionary of() {
    return new BencodeDictionary(NO_KEYS, NO_VALUES, null, 0, 0);
  }

  public static BencodeDictionary of(Map<String, ? extends BencodeValue> entries) {
    Builder builder = builder();
    entries.forEach(builder::put);
    return builder.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public int size() {
    return keys.length;
  }

  public boolean isEmpty() {
    return keys.length == 0;
  }

  /** The value of {@code key} (its UTF-8 bytes), if present. */
  public Optional<BencodeValue> get(String key) {
    return get(BencodeString.of(key));
  }

  /** The value of {@code key}, if present. */
  public Optional<BencodeValue> get(BencodeString key) {
    int index = Arrays.binarySearch(keys, key);
    return index >= 0 ? Optional.of(values[index]) : Optional.empty();
  }

  public boolean containsKey(String key) {
    return Arrays.binarySearch(keys, BencodeString.of(key)) >= 0;
  }

  /** The keys in canonical order. */
  public ImmutableList<BencodeString> keys() {
    return ImmutableList.copyOf(keys);
  }

  /** The entries, in canonical key order. */
  public ImmutableSortedMap<BencodeString, BencodeValue> asMap() {
    ImmutableSortedMap.Builder<BencodeString, BencodeValue> map =
        ImmutableSortedMap.naturalOrder();
    for (int i = 0; i < keys.length; i++) {
      map.put(keys[i], values[i]);
    }
    return map.buildOrThrow();
  }

  /**
   * The exact bytes this dictionary was decoded from, or empty if it was built in code. They equal
   * {@link Bencode#encode} of this dictionary only when the input was canonical.
   */
  public Optional<byte[]> originalEncoding() {
    return source == null
        ? Optional.empty()
        : Optional.of(Arrays.copyOfRange(source, sourceStart, sourceEnd));
  }

  /** A builder with the same entries, to derive a changed dictionary. */
  public Builder toBuilder() {
    Builder builder = builder();
    for (int i = 0; i < keys.length; i++) {
      builder.put(keys[i], values[i]);
    }
    return builder;
  }

  BencodeString keyAt(int index) {
    return keys[index];
  }

  BencodeValue valueAt(int index) {
    return values[index];
  }

  @Override
  public long encodedLength() {
    long length = 2;
    for (int i = 0; i < keys.length; i++) {
      length += keys[i].encodedLength() + values[i].encodedLength();
    }
    return length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BencodeDictionary other
        && Arrays.equals(keys, other.keys)
        && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(keys) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("{");
    for (int i = 0; i < keys.length; i++) {
      if (i > 0) {
        s.append(", ");
      }
      s.append(keys[i]).append('=').append(values[i]);
    }
    return s.append('}').toString();
  }

  /** Builds a dictionary; a later {@code put} of the same key replaces the earlier value. */
  public static final class Builder {
    private final TreeMap<BencodeString, BencodeValue> entries = new TreeMap<>();

    private Builder() {}

    public Builder put(String key, BencodeValue value) {
      return put(BencodeString.of(key), value);
    }

    public Builder put(BencodeString key, BencodeValue value) {
      checkArgument(value != null, "value of %s: null (expected: a value)", key);
      entries.put(key, value);
      return this;
    }

    public Builder put(String key, String utf8) {
      return put(key, BencodeString.of(utf8.getBytes(UTF_8)));
    }

    public Builder put(String key, long value) {
      return put(key, BencodeInteger.of(value));
    }

    public Builder remove(String key) {
      entries.remove(BencodeString.of(key));
      return this;
    }

    public BencodeDictionary build() {
      return new BencodeDictionary(
          entries.keySet().toArray(NO_KEYS), entries.values().toArray(NO_VALUES), null, 0, 0);
    }
  }
}
