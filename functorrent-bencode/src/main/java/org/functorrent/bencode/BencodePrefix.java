package org.functorrent.bencode;

/** A value decoded from the start of some bytes, and how many bytes its encoding took. */
public record BencodePrefix(BencodeValue value, int encodedLength) {}
