package org.functorrent.tracker.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.tracker.AnnounceRequest;
import org.functorrent.tracker.AnnounceResponse;
import org.functorrent.tracker.ScrapeStats;
import org.functorrent.tracker.internal.HttpTrackerCodec.MalformedResponseException;

/** The packets of the UDP tracker protocol (BEP 15), as pure functions on byte arrays. */
public final class UdpTrackerCodec {
  /** The magic constant of a connect request. */
  public static final long PROTOCOL_ID = 0x41727101980L;

  public static final int ACTION_CONNECT = 0;
  public static final int ACTION_ANNOUNCE = 1;
  public static final int ACTION_SCRAPE = 2;
  public static final int ACTION_ERROR = 3;

  /** The size of a connect request and of a connect response. */
  public static final int CONNECT_LENGTH = 16;

  /** The size of an announce request (without BEP 41 options). */
  public static final int ANNOUNCE_LENGTH = 98;

  /** The size of an announce response before its peers. */
  public static final int ANNOUNCE_RESPONSE_HEADER = 20;

  /** The most info-hashes one scrape may carry (BEP 15). */
  public static final int MAX_SCRAPE_HASHES = 74;

  private UdpTrackerCodec() {}

  public static byte[] connectRequest(int transactionId) {
    return ByteBuffer.allocate(CONNECT_LENGTH)
        .putLong(PROTOCOL_ID)
        .putInt(ACTION_CONNECT)
        .putInt(transactionId)
        .array();
  }

  public static byte[] announceRequest(long connectionId, int transactionId, AnnounceRequest r) {
    return ByteBuffer.allocate(ANNOUNCE_LENGTH)
        .putLong(connectionId)
        .putInt(ACTION_ANNOUNCE)
        .putInt(transactionId)
        .put(r.infoHash().toByteArray())
        .put(r.peerId().toByteArray())
        .putLong(r.stats().downloaded())
        .putLong(r.stats().left())
        .putLong(r.stats().uploaded())
        .putInt(r.event().udpCode())
        .putInt(0) // IP address: the sender's
        .putInt(r.key())
        .putInt(r.numWant())
        .putShort((short) r.port())
        .array();
  }

  public static byte[] scrapeRequest(long connectionId, int transactionId, List<InfoHash> hashes) {
    ByteBuffer b = ByteBuffer.allocate(16 + 20 * hashes.size());
    b.putLong(connectionId).putInt(ACTION_SCRAPE).putInt(transactionId);
    for (InfoHash h : hashes) {
      b.put(h.toByteArray());
    }
    return b.array();
  }

  /** The action of a response, or -1 if it is shorter than 8 bytes. */
  public static int action(byte[] packet) {
    return packet.length < 8 ? -1 : ByteBuffer.wrap(packet).getInt(0);
  }

  /** The transaction id of a response of at least 8 bytes. */
  public static int transactionId(byte[] packet) {
    return ByteBuffer.wrap(packet).getInt(4);
  }

  /** The connection id of a connect response. */
  public static long parseConnect(byte[] packet) throws MalformedResponseException {
    if (packet.length < CONNECT_LENGTH) {
      throw new MalformedResponseException(
          "connect response of " + packet.length + " bytes (expected: 16)");
    }
    return ByteBuffer.wrap(packet).getLong(8);
  }

  /**
   * An announce response; {@code addressLength} is 4 when the tracker was reached over IPv4, 16
   * over IPv6 (BEP 15).
   */
  public static AnnounceResponse parseAnnounce(byte[] packet, int addressLength)
      throws MalformedResponseException {
    int entry = addressLength + 2;
    if (packet.length < ANNOUNCE_RESPONSE_HEADER
        || (packet.length - ANNOUNCE_RESPONSE_HEADER) % entry != 0) {
      throw new MalformedResponseException(
          String.format(
              Locale.ROOT,
              "announce response of %d bytes (expected: 20 + a multiple of %d)",
              packet.length,
              entry));
    }
    ByteBuffer b = ByteBuffer.wrap(packet);
    long interval = Integer.toUnsignedLong(b.getInt(8));
    int leechers = b.getInt(12);
    int seeders = b.getInt(16);
    ImmutableList.Builder<InetSocketAddress> peers = ImmutableList.builder();
    byte[] address = new byte[addressLength];
    for (int i = ANNOUNCE_RESPONSE_HEADER; i < packet.length; i += entry) {
      b.position(i);
      b.get(address);
      int port = b.getShort() & 0xffff;
      if (port == 0) {
        continue;
      }
      try {
        peers.add(new InetSocketAddress(InetAddress.getByAddress(address.clone()), port));
      } catch (UnknownHostException e) {
        throw new AssertionError("4 or 16 bytes is always an address", e);
      }
    }
    return new AnnounceResponse(
        Duration.ofSeconds(interval),
        Optional.empty(),
        seeders < 0 ? OptionalInt.empty() : OptionalInt.of(seeders),
        leechers < 0 ? OptionalInt.empty() : OptionalInt.of(leechers),
        Optional.empty(),
        Optional.empty(),
        peers.build());
  }

  /** A scrape response for {@code hashes}, in the order they were asked for. */
  public static ImmutableMap<InfoHash, ScrapeStats> parseScrape(
      byte[] packet, List<InfoHash> hashes) throws MalformedResponseException {
    int expected = 8 + 12 * hashes.size();
    if (packet.length < expected) {
      throw new MalformedResponseException(
          String.format(
              Locale.ROOT,
              "scrape response of %d bytes (expected: %d for %d info-hashes)",
              packet.length,
              expected,
              hashes.size()));
    }
    ByteBuffer b = ByteBuffer.wrap(packet);
    b.position(8);
    ImmutableMap.Builder<InfoHash, ScrapeStats> result = ImmutableMap.builder();
    for (InfoHash h : hashes) {
      long seeders = Integer.toUnsignedLong(b.getInt());
      long completed = Integer.toUnsignedLong(b.getInt());
      long leechers = Integer.toUnsignedLong(b.getInt());
      result.put(h, new ScrapeStats(seeders, completed, leechers));
    }
    return result.buildKeepingLast();
  }

  /** The message of an error response. */
  public static String parseError(byte[] packet) {
    return new String(packet, 8, Math.max(0, packet.length - 8), UTF_8);
  }

  // Server side.

  public static byte[] connectResponse(int transactionId, long connectionId) {
    return ByteBuffer.allocate(CONNECT_LENGTH)
        .putInt(ACTION_CONNECT)
        .putInt(transactionId)
        .putLong(connectionId)
        .array();
  }

  public static byte[] errorResponse(int transactionId, String message) {
    byte[] m = message.getBytes(UTF_8);
    return ByteBuffer.allocate(8 + m.length)
        .putInt(ACTION_ERROR)
        .putInt(transactionId)
        .put(m)
        .array();
  }
}
