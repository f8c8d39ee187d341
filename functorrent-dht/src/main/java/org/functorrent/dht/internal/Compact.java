package org.functorrent.dht.internal;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import org.functorrent.dht.NodeId;

/**
 * BEP 5's contact encodings: "compact peer info" (4-byte IPv4 address and 2-byte port, network
 * byte order) and "compact node info" (the 20-byte node id followed by compact peer info).
 */
public final class Compact {
  /** Bytes of compact IPv4 peer info. */
  public static final int PEER_LENGTH = 6;

  /** Bytes of compact IPv4 node info. */
  public static final int NODE_LENGTH = NodeId.LENGTH + PEER_LENGTH;

  /** Bytes of compact IPv6 peer info (BEP 32), recognised and skipped. */
  public static final int PEER6_LENGTH = 18;

  private Compact() {}

  /** Whether {@code address} can be encoded: a resolved IPv4 address. */
  public static boolean encodable(InetSocketAddress address) {
    return !address.isUnresolved() && address.getAddress() instanceof Inet4Address;
  }

  /** The 6 bytes of {@code address}, which must be a resolved IPv4 address. */
  public static byte[] peer(InetSocketAddress address) {
    checkArgument(encodable(address), "%s (expected: an IPv4 address)", address);
    byte[] out = new byte[PEER_LENGTH];
    writePeer(address, out, 0);
    return out;
  }

  private static void writePeer(InetSocketAddress address, byte[] out, int offset) {
    System.arraycopy(address.getAddress().getAddress(), 0, out, offset, 4);
    out[offset + 4] = (byte) (address.getPort() >>> 8);
    out[offset + 5] = (byte) address.getPort();
  }

  /** Reads 6 bytes of compact peer info at {@code offset}. */
  public static InetSocketAddress readPeer(byte[] in, int offset) {
    try {
      InetAddress ip = InetAddress.getByAddress(Arrays.copyOfRange(in, offset, offset + 4));
      int port = ((in[offset + 4] & 0xff) << 8) | (in[offset + 5] & 0xff);
      return new InetSocketAddress(ip, port);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 bytes are always an IPv4 address", e);
    }
  }

  /** The compact node info of {@code nodes}, 26 bytes each; nodes not on IPv4 are left out. */
  public static byte[] nodes(List<NodeContact> nodes) {
    byte[] out = new byte[nodes.size() * NODE_LENGTH];
    int at = 0;
    for (NodeContact node : nodes) {
      if (!encodable(node.address())) {
        continue;
      }
      System.arraycopy(node.id().toByteArray(), 0, out, at, NodeId.LENGTH);
      writePeer(node.address(), out, at + NodeId.LENGTH);
      at += NODE_LENGTH;
    }
    return at == out.length ? out : Arrays.copyOf(out, at);
  }

  /**
   * Reads a string of compact node info. Its length must be a multiple of 26; nodes with port 0
   * (which nobody can be reached at) are left out.
   *
   * @throws IllegalArgumentException if the length is not a multiple of 26
   */
  public static ImmutableList<NodeContact> readNodes(byte[] in) {
    checkArgument(in.length % NODE_LENGTH == 0,
        "compact node info of %s bytes (expected: a multiple of 26)", in.length);
    ImmutableList.Builder<NodeContact> nodes = ImmutableList.builder();
    for (int at = 0; at < in.length; at += NODE_LENGTH) {
      InetSocketAddress address = readPeer(in, at + NodeId.LENGTH);
      if (address.getPort() == 0) {
        continue;
      }
      nodes.add(new NodeContact(NodeId.of(Arrays.copyOfRange(in, at, at + NodeId.LENGTH)),
          address));
    }
    return nodes.build();
  }
}
