package org.functorrent.peer.internal;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDecoder;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeException;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;

/**
 * A BEP 11 {@code ut_pex} message: peers the sender connected to ({@code added}, {@code added6},
 * with one flag byte each in {@code added.f} / {@code added6.f}) and peers it disconnected from
 * ({@code dropped}, {@code dropped6}), in compact form (4 or 16 address bytes, 2 port bytes).
 *
 * @param added peers connected since the last message, with their flags
 * @param dropped peers disconnected since the last message
 */
record PexMessage(ImmutableList<Contact> added, ImmutableList<InetSocketAddress> dropped) {
  /** The name in the extended handshake's {@code m} dictionary. */
  static final String NAME = "ut_pex";

  /** Flag: prefers encryption. */
  static final int PREFERS_ENCRYPTION = 0x01;

  /** Flag: a seed (or upload only). */
  static final int SEED = 0x02;

  /** Flag: supports uTP. */
  static final int UTP = 0x04;

  /** Flag: supports ut_holepunch. */
  static final int HOLEPUNCH = 0x08;

  /** Flag: the sender connected to it, so it is reachable. */
  static final int REACHABLE = 0x10;

  /** A peer address and its flags. */
  record Contact(InetSocketAddress address, int flags) {}

  PexMessage {
    added = ImmutableList.copyOf(added);
    dropped = ImmutableList.copyOf(dropped);
    for (Contact c : added) {
      checkArgument(!c.address().isUnresolved(), "unresolved address %s", c.address());
    }
  }

  private static final BencodeDecoder DECODER = Bencode.decoder().lenient().withMaxDepth(4);

  /** Encodes the message; fields with no peer are left out. */
  ByteBuf encode() {
    BencodeDictionary.Builder dict = BencodeDictionary.builder();
    putContacts(dict, "added", "added.f", 4);
    putContacts(dict, "added6", "added6.f", 16);
    putDropped(dict, "dropped", 4);
    putDropped(dict, "dropped6", 16);
    return Unpooled.wrappedBuffer(Bencode.encode(dict.build()));
  }

  private void putContacts(BencodeDictionary.Builder dict, String key, String flagKey, int size) {
    List<Contact> family = new ArrayList<>();
    for (Contact c : added) {
      if (c.address().getAddress().getAddress().length == size) {
        family.add(c);
      }
    }
    if (family.isEmpty()) {
      return;
    }
    byte[] compact = new byte[family.size() * (size + 2)];
    byte[] flags = new byte[family.size()];
    for (int i = 0; i < family.size(); i++) {
      write(family.get(i).address(), compact, i * (size + 2));
      flags[i] = (byte) family.get(i).flags();
    }
    dict.put(key, BencodeString.of(compact)).put(flagKey, BencodeString.of(flags));
  }

  private void putDropped(BencodeDictionary.Builder dict, String key, int size) {
    List<InetSocketAddress> family = new ArrayList<>();
    for (InetSocketAddress a : dropped) {
      if (!a.isUnresolved() && a.getAddress().getAddress().length == size) {
        family.add(a);
      }
    }
    if (family.isEmpty()) {
      return;
    }
    byte[] compact = new byte[family.size() * (size + 2)];
    for (int i = 0; i < family.size(); i++) {
      write(family.get(i), compact, i * (size + 2));
    }
    dict.put(key, BencodeString.of(compact));
  }

  private static void write(InetSocketAddress a, byte[] out, int at) {
    byte[] ip = a.getAddress().getAddress();
    System.arraycopy(ip, 0, out, at, ip.length);
    out[at + ip.length] = (byte) (a.getPort() >> 8);
    out[at + ip.length + 1] = (byte) a.getPort();
  }

  /**
   * Decodes a message, taking at most {@code maxPerField} contacts of each field (the rest of a
   * flood is ignored). Does not move the buffer's reader index. Addresses with port 0 are dropped.
   *
   * @throws PeerProtocolException if it is not a dictionary, or a field is not a string of whole
   *     compact contacts, or a flags string does not have one byte per contact
   */
  static PexMessage decode(ByteBuf payload, int maxPerField) {
    byte[] bytes = ByteBufUtil.getBytes(payload);
    BencodeValue value;
    try {
      value = DECODER.decode(bytes);
    } catch (BencodeException e) {
      throw new PeerProtocolException("ut_pex: " + e.getMessage(), e);
    }
    if (!(value instanceof BencodeDictionary dict)) {
      throw new PeerProtocolException("ut_pex: not a dictionary");
    }
    List<Contact> added = new ArrayList<>();
    readContacts(dict, "added", "added.f", 4, maxPerField, added);
    readContacts(dict, "added6", "added6.f", 16, maxPerField, added);
    List<InetSocketAddress> dropped = new ArrayList<>();
    for (InetSocketAddress a : addresses(dict, "dropped", 4, maxPerField)) {
      dropped.add(a);
    }
    for (InetSocketAddress a : addresses(dict, "dropped6", 16, maxPerField)) {
      dropped.add(a);
    }
    return new PexMessage(ImmutableList.copyOf(added), ImmutableList.copyOf(dropped));
  }

  private static void readContacts(
      BencodeDictionary dict, String key, String flagKey, int size, int max, List<Contact> out) {
    byte[] compact = string(dict, key);
    if (compact == null) {
      return;
    }
    checkCompact(key, compact, size);
    byte[] flags = string(dict, flagKey);
    int count = compact.length / (size + 2);
    if (flags != null && flags.length != count) {
      throw new PeerProtocolException(
          "ut_pex: " + flagKey + " of " + flags.length + " bytes (expected: " + count
              + ", one per contact)");
    }
    int taken = 0;
    for (int i = 0; i < count && taken < max; i++) {
      InetSocketAddress a = read(compact, i * (size + 2), size);
      if (a != null) {
        out.add(new Contact(a, flags == null ? 0 : flags[i] & 0xFF));
        taken++;
      }
    }
  }

  private static List<InetSocketAddress> addresses(
      BencodeDictionary dict, String key, int size, int max) {
    byte[] compact = string(dict, key);
    List<InetSocketAddress> out = new ArrayList<>();
    if (compact == null) {
      return out;
    }
    checkCompact(key, compact, size);
    for (int i = 0; i < compact.length / (size + 2) && out.size() < max; i++) {
      InetSocketAddress a = read(compact, i * (size + 2), size);
      if (a != null) {
        out.add(a);
      }
    }
    return out;
  }

  private static void checkCompact(String key, byte[] compact, int size) {
    if (compact.length % (size + 2) != 0) {
      throw new PeerProtocolException(
          "ut_pex: " + key + " of " + compact.length + " bytes (expected: a multiple of "
              + (size + 2) + ")");
    }
  }

  private static byte[] string(BencodeDictionary dict, String key) {
    BencodeValue v = dict.get(key).orElse(null);
    if (v == null) {
      return null;
    }
    if (!(v instanceof BencodeString s)) {
      throw new PeerProtocolException("ut_pex: " + key + " is not a string (expected: compact"
          + " contacts)");
    }
    return s.toByteArray();
  }

  private static InetSocketAddress read(byte[] compact, int at, int size) {
    int port = ((compact[at + size] & 0xFF) << 8) | (compact[at + size + 1] & 0xFF);
    if (port == 0) {
      return null;
    }
    try {
      InetAddress ip = InetAddress.getByAddress(Arrays.copyOfRange(compact, at, at + size));
      if (size == 16 && !(ip instanceof Inet6Address)) {
        return null; // an IPv4-mapped IPv6 address: such a peer comes in "added"
      }
      if (size == 4 && !(ip instanceof Inet4Address)) {
        return null;
      }
      return new InetSocketAddress(ip, port);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
