package org.functorrent.tracker.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import com.google.common.base.Ticker;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import com.google.common.primitives.Longs;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.functorrent.tracker.AnnounceEvent;
import org.functorrent.tracker.ScrapeStats;

/**
 * The tracker server's requests and answers, HTTP and UDP, over one {@link Swarms}. Not
 * thread-safe: the server calls it on one event loop only.
 */
public final class TrackerServerCore {
  private final Swarms swarms;
  private final Ticker ticker;
  private final Duration interval;
  private final Duration minInterval;
  private final int defaultNumWant;
  private final int maxNumWant;
  private final HashFunction connectionIdMac;

  public TrackerServerCore(
      Ticker ticker, Duration interval, Duration minInterval, int defaultNumWant, int maxNumWant) {
    this.ticker = ticker;
    this.interval = interval;
    this.minInterval = minInterval;
    this.defaultNumWant = defaultNumWant;
    this.maxNumWant = maxNumWant;
    this.swarms = new Swarms(ticker, interval.multipliedBy(3));
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    this.connectionIdMac = Hashing.hmacSha256(key);
  }

  public Swarms swarms() {
    return swarms;
  }

  /** The bencoded answer to an HTTP announce with query {@code uri} from {@code sender}. */
  public byte[] httpAnnounce(String uri, InetSocketAddress sender) {
    Map<String, List<String>> q = parameters(uri);
    if (q == null) {
      return failure(MALFORMED_QUERY);
    }
    byte[] infoHash = binary(q, "info_hash");
    if (infoHash == null || infoHash.length != InfoHash.LENGTH) {
      return failure("missing or invalid info_hash (expected: 20 bytes)");
    }
    byte[] peerId = binary(q, "peer_id");
    if (peerId == null || peerId.length != PeerId.LENGTH) {
      return failure("missing or invalid peer_id (expected: 20 bytes)");
    }
    long port = number(q, "port", -1);
    if (port < 1 || port > 0xffff) {
      return failure("missing or invalid port (expected: 1 to 65535)");
    }
    long left = number(q, "left", 0);
    if (left < 0) {
      return failure("invalid left (expected: >= 0)");
    }
    AnnounceEvent event = AnnounceEvent.NONE;
    String e = first(q, "event");
    if (e != null) {
      for (AnnounceEvent candidate : AnnounceEvent.values()) {
        if (!candidate.httpName().isEmpty() && candidate.httpName().equals(e)) {
          event = candidate;
        }
      }
    }
    int numWant = numWant(number(q, "numwant", -1));
    boolean compact = !"0".equals(first(q, "compact"));
    boolean noPeerId = "1".equals(first(q, "no_peer_id"));
    InetSocketAddress address = new InetSocketAddress(sender.getAddress(), (int) port);
    Swarms.Result r =
        swarms.announce(InfoHash.of(infoHash), PeerId.of(peerId), address, left, event, numWant);
    BencodeDictionary.Builder d =
        BencodeDictionary.builder()
            .put("interval", interval.toSeconds())
            .put("min interval", minInterval.toSeconds())
            .put("complete", r.seeders())
            .put("incomplete", r.leechers());
    if (compact) {
      ByteArrayOutputStream v4 = new ByteArrayOutputStream();
      ByteArrayOutputStream v6 = new ByteArrayOutputStream();
      for (Swarms.Peer p : r.peers()) {
        ByteArrayOutputStream out = Swarms.isIpv4(p.address()) ? v4 : v6;
        out.writeBytes(p.address().getAddress().getAddress());
        out.write(p.address().getPort() >> 8);
        out.write(p.address().getPort() & 0xff);
      }
      d.put("peers", BencodeString.of(v4.toByteArray()));
      if (v6.size() > 0) {
        d.put("peers6", BencodeString.of(v6.toByteArray()));
      }
    } else {
      List<BencodeValue> peers = new ArrayList<>();
      for (Swarms.Peer p : r.peers()) {
        BencodeDictionary.Builder peer =
            BencodeDictionary.builder()
                .put("ip", p.address().getAddress().getHostAddress())
                .put("port", p.address().getPort());
        if (!noPeerId) {
          peer.put("peer id", BencodeString.of(p.peerId().toByteArray()));
        }
        peers.add(peer.build());
      }
      d.put("peers", BencodeList.of(peers));
    }
    return Bencode.encode(d.build());
  }

  /** The bencoded answer to an HTTP scrape with query {@code uri} (BEP 48). */
  public byte[] httpScrape(String uri) {
    Map<String, List<String>> q = parameters(uri);
    if (q == null) {
      return failure(MALFORMED_QUERY);
    }
    List<String> values = q.getOrDefault("info_hash", List.of());
    List<InfoHash> hashes = new ArrayList<>();
    for (String v : values) {
      byte[] b = v.getBytes(ISO_8859_1);
      if (b.length != InfoHash.LENGTH) {
        return failure("invalid info_hash (expected: 20 bytes)");
      }
      hashes.add(InfoHash.of(b));
    }
    BencodeDictionary.Builder files = BencodeDictionary.builder();
    for (Map.Entry<InfoHash, ScrapeStats> e : swarms.scrape(hashes).entrySet()) {
      files.put(
          BencodeString.of(e.getKey().toByteArray()),
          BencodeDictionary.builder()
              .put("complete", e.getValue().seeders())
              .put("downloaded", e.getValue().completed())
              .put("incomplete", e.getValue().leechers())
              .build());
    }
    return Bencode.encode(BencodeDictionary.builder().put("files", files.build()).build());
  }

  private static final String MALFORMED_QUERY =
      "malformed query string (expected: %XX escapes of two hexadecimal digits)";

  /** The decoded query parameters of {@code uri}, or null when an escape is malformed. */
  private static Map<String, List<String>> parameters(String uri) {
    try {
      return new QueryStringDecoder(uri, ISO_8859_1).parameters();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  public static byte[] failure(String reason) {
    return Bencode.encode(BencodeDictionary.builder().put("failure reason", reason).build());
  }

  /** The answer to a UDP packet from {@code sender}, or null to send nothing (BEP 15). */
  public byte[] udp(byte[] packet, InetSocketAddress sender) {
    if (packet.length < 16) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(packet);
    long connectionId = b.getLong();
    int action = b.getInt();
    int transactionId = b.getInt();
    if (action == UdpTrackerCodec.ACTION_CONNECT) {
      if (connectionId != UdpTrackerCodec.PROTOCOL_ID) {
        return null;
      }
      return UdpTrackerCodec.connectResponse(transactionId, connectionId(sender, 0));
    }
    if (connectionId != connectionId(sender, 0) && connectionId != connectionId(sender, 1)) {
      return UdpTrackerCodec.errorResponse(transactionId, "invalid connection id");
    }
    if (action == UdpTrackerCodec.ACTION_ANNOUNCE) {
      if (packet.length < UdpTrackerCodec.ANNOUNCE_LENGTH) {
        return UdpTrackerCodec.errorResponse(transactionId, "announce too short");
      }
      byte[] infoHash = new byte[20];
      byte[] peerId = new byte[20];
      b.get(infoHash).get(peerId);
      b.getLong(); // downloaded
      long left = b.getLong();
      b.getLong(); // uploaded
      AnnounceEvent event = AnnounceEvent.ofUdpCode(b.getInt());
      b.getInt(); // IP address: the sender's is used
      b.getInt(); // key
      int numWant = numWant(b.getInt());
      int port = b.getShort() & 0xffff;
      if (port == 0) {
        return UdpTrackerCodec.errorResponse(transactionId, "port 0 (expected: 1 to 65535)");
      }
      if (left < 0) {
        return UdpTrackerCodec.errorResponse(transactionId, "left < 0");
      }
      Swarms.Result r =
          swarms.announce(
              InfoHash.of(infoHash),
              PeerId.of(peerId),
              new InetSocketAddress(sender.getAddress(), port),
              left,
              event,
              numWant);
      boolean v4 = Swarms.isIpv4(sender);
      ImmutableList<Swarms.Peer> sameFamily =
          r.peers().stream()
              .filter(p -> Swarms.isIpv4(p.address()) == v4)
              .collect(ImmutableList.toImmutableList());
      ByteBuffer out = ByteBuffer.allocate(20 + sameFamily.size() * (v4 ? 6 : 18));
      out.putInt(UdpTrackerCodec.ACTION_ANNOUNCE)
          .putInt(transactionId)
          .putInt((int) interval.toSeconds())
          .putInt((int) Math.min(Integer.MAX_VALUE, r.leechers()))
          .putInt((int) Math.min(Integer.MAX_VALUE, r.seeders()));
      for (Swarms.Peer p : sameFamily) {
        out.put(p.address().getAddress().getAddress()).putShort((short) p.address().getPort());
      }
      return out.array();
    }
    if (action == UdpTrackerCodec.ACTION_SCRAPE) {
      int n = (packet.length - 16) / 20;
      if (n == 0 || n > UdpTrackerCodec.MAX_SCRAPE_HASHES) {
        return UdpTrackerCodec.errorResponse(transactionId, "scrape of 1 to 74 info-hashes");
      }
      List<InfoHash> hashes = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        byte[] h = new byte[20];
        b.get(h);
        hashes.add(InfoHash.of(h));
      }
      ImmutableMap<InfoHash, ScrapeStats> stats = swarms.scrape(hashes);
      ByteBuffer out = ByteBuffer.allocate(8 + 12 * n);
      out.putInt(UdpTrackerCodec.ACTION_SCRAPE).putInt(transactionId);
      for (InfoHash h : hashes) {
        ScrapeStats s = stats.get(h);
        out.putInt(clamp(s.seeders())).putInt(clamp(s.completed())).putInt(clamp(s.leechers()));
      }
      return out.array();
    }
    return UdpTrackerCodec.errorResponse(transactionId, "unknown action " + action);
  }

  /**
   * A connection id that the server need not remember: a MAC of the sender and the current minute
   * ({@code minutesAgo} = 1 for the previous one), so an id is accepted for 1 to 2 minutes.
   */
  private long connectionId(InetSocketAddress sender, int minutesAgo) {
    long minute = ticker.read() / 60_000_000_000L - minutesAgo;
    return connectionIdMac
        .newHasher()
        .putBytes(sender.getAddress().getAddress())
        .putInt(sender.getPort())
        .putLong(minute)
        .hash()
        .asLong();
  }

  private int numWant(long requested) {
    if (requested < 0) {
      return defaultNumWant;
    }
    return (int) Math.min(requested, maxNumWant);
  }

  private static int clamp(long v) {
    return (int) Math.min(Integer.MAX_VALUE, v);
  }

  private static byte[] binary(Map<String, List<String>> q, String key) {
    String v = first(q, key);
    return v == null ? null : v.getBytes(ISO_8859_1);
  }

  private static String first(Map<String, List<String>> q, String key) {
    List<String> v = q.get(key);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static long number(Map<String, List<String>> q, String key, long absent) {
    String v = first(q, key);
    if (v == null) {
      return absent;
    }
    Long parsed = Longs.tryParse(v);
    return parsed == null ? Long.MIN_VALUE : parsed;
  }
}
