package org.functorrent.dht.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Random;
import java.util.zip.CRC32C;
import org.functorrent.dht.NodeId;

/**
 * BEP 42, the DHT security extension, for IPv4: node ids whose first 21 bits are tied to the
 * node's external address by CRC32C. Local addresses (10/8, 172.16/12, 192.168/16, 169.254/16,
 * 127/8) are exempt: any id is valid there, which is what matters for nodes on loopback.
 */
public final class Bep42 {
  private static final int[] V4_MASK = {0x03, 0x0f, 0x3f, 0xff};

  private Bep42() {}

  /** Whether {@code ip} is in a block BEP 42 exempts from the check. */
  public static boolean isExempt(InetAddress ip) {
    if (!(ip instanceof Inet4Address)) {
      return true; // IPv6 (BEP 32) is not implemented here
    }
    byte[] a = ip.getAddress();
    int b0 = a[0] & 0xff;
    int b1 = a[1] & 0xff;
    return b0 == 10
        || b0 == 127
        || (b0 == 172 && (b1 & 0xf0) == 16)
        || (b0 == 192 && b1 == 168)
        || (b0 == 169 && b1 == 254);
  }

  /** The CRC32C of {@code ip} masked and combined with {@code r} (0..7), as BEP 42 defines it. */
  static int crc(Inet4Address ip, int r) {
    byte[] a = ip.getAddress();
    byte[] masked = new byte[4];
    for (int i = 0; i < 4; i++) {
      masked[i] = (byte) (a[i] & V4_MASK[i]);
    }
    masked[0] |= (byte) ((r & 7) << 5);
    CRC32C crc = new CRC32C();
    crc.update(masked);
    return (int) crc.getValue();
  }

  /**
   * A random id that is valid for {@code ip}; for exempt, wildcard or IPv6 addresses (where our
   * external address is not known or not checked), just a random id.
   */
  public static NodeId idFor(InetAddress ip, Random random) {
    NodeId r = NodeId.random(random);
    if (!(ip instanceof Inet4Address v4) || isExempt(ip) || ip.isAnyLocalAddress()
        || ip.isMulticastAddress()) {
      return r;
    }
    byte[] id = r.toByteArray();
    int rand = id[19] & 0xff;
    int c = crc(v4, rand & 7);
    id[0] = (byte) (c >>> 24);
    id[1] = (byte) (c >>> 16);
    id[2] = (byte) (((c >>> 8) & 0xf8) | (id[2] & 0x07));
    return NodeId.of(id);
  }

  /** Whether {@code id} is valid for {@code ip} (always true for exempt addresses). */
  public static boolean isValid(NodeId id, InetAddress ip) {
    if (!(ip instanceof Inet4Address v4) || isExempt(ip)) {
      return true;
    }
    int c = crc(v4, id.byteAt(19) & 7);
    return id.byteAt(0) == ((c >>> 24) & 0xff)
        && id.byteAt(1) == ((c >>> 16) & 0xff)
        && (id.byteAt(2) & 0xf8) == ((c >>> 8) & 0xf8);
  }
}
