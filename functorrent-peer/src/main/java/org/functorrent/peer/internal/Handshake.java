package org.functorrent.peer.internal;

import static com.google.common.base.Preconditions.checkNotNull;

import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;

/**
 * The BEP 3 handshake: the reserved bits (read as one big-endian long), info-hash and peer id.
 */
public record Handshake(long reserved, InfoHash infoHash, PeerId peerId) {
  /** The protocol string that follows the length byte 19. */
  public static final String PROTOCOL = "BitTorrent protocol";

  /** The handshake's length on the wire: 1 + 19 + 8 + 20 + 20. */
  public static final int LENGTH = 68;

  /** BEP 10: reserved byte 5, bit 0x10. */
  public static final long EXTENSION_PROTOCOL = 0x10L << 16;

  /** BEP 6: reserved byte 7, bit 0x04. */
  public static final long FAST_EXTENSION = 0x04L;

  /** BEP 5: reserved byte 7, bit 0x01. */
  public static final long DHT = 0x01L;

  public Handshake {
    checkNotNull(infoHash, "infoHash");
    checkNotNull(peerId, "peerId");
  }

  public boolean supportsExtensionProtocol() {
    return (reserved & EXTENSION_PROTOCOL) != 0;
  }

  public boolean supportsFastExtension() {
    return (reserved & FAST_EXTENSION) != 0;
  }

  public boolean supportsDht() {
    return (reserved & DHT) != 0;
  }
}
