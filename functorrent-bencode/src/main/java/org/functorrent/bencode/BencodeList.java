package org.functorrent.bencode;

import com.google.common.collect.ImmutableList;
import java.util.List;

/** A bencoded list. */
public record BencodeList(ImmutableList<BencodeValue> values) implements BencodeValue {

  public BencodeList {
    values = ImmutableList.copyOf(values);
  }

  public static BencodeList of(BencodeValue... values) {
    return new BencodeList(ImmutableList.copyOf(values));
  }

  public static BencodeList of(List<? extends BencodeValue> values) {
    return new BencodeList(ImmutableList.copyOf(values));
  }

  public int size() {
    return values.size();
  }

  public BencodeValue get(int index) {
    return values.get(index);
  }

  @Override
  public long encodedLength() {
    long length = 2;
    for (BencodeValue value : values) {
      length += value.encodedLength();
    }
    return length;
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
