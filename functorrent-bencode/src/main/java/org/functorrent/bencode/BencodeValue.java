package org.functorrent.bencode;

/**
 * A bencoded value: a byte string, an integer, a list or a dictionary (BEP 3). Values are
 * immutable; {@link Bencode#encode} writes their canonical encoding.
 */
public sealed interface BencodeValue
    permits BencodeString, BencodeInteger, BencodeList, BencodeDictionary {

  /** The number of bytes of this value's canonical encoding. */
  long encodedLength();
}
