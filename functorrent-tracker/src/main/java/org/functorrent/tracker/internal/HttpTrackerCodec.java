package org.functorrent.tracker.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeException;
import org.functorrent.bencode.BencodeInteger;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.tracker.AnnounceEvent;
import org.functorrent.tracker.AnnounceRequest;
import org.functorrent.tracker.AnnounceResponse;
import org.functorrent.tracker.ScrapeStats;

/**
 * HTTP tracker requests and responses (BEP 3, 7, 23, 48) as pure functions. A malformed response is
 * a {@link MalformedResponseException} that says what was wrong; a {@code failure reason} is a
 * {@link TrackerFailureException}.
 */
public final class HttpTrackerCodec {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private HttpTrackerCodec() {}

  /** The tracker answered with a {@code failure reason}. */
  public static final class TrackerFailureException extends Exception {
    private static final long serialVersionUID = 1L;

    public TrackerFailureException(String reason) {
      super(reason);
    }
  }

  /** The response is not what BEP 3 describes; the message says what was wrong. */
  public static final class MalformedResponseException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedResponseException(String message) {
      super(message);
    }
  }

  /**
   * Percent-encodes {@code bytes} for a query string: every byte except the unreserved characters
   * {@code A-Z a-z 0-9 - . _ ~} becomes {@code %XX} with uppercase hexadecimal digits.
   */
  public static String percentEncode(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 3);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return sb.toString();
  }

  /** The announce URL for {@code request}: the tracker's URL with the BEP 3 parameters added. */
  public static URI announceUri(URI tracker, AnnounceRequest request) {
    StringBuilder q = new StringBuilder(256);
    q.append("info_hash=").append(percentEncode(request.infoHash().toByteArray()));
    q.append("&peer_id=").append(percentEncode(request.peerId().toByteArray()));
    q.append("&port=").append(request.port());
    q.append("&uploaded=").append(request.stats().uploaded());
    q.append("&downloaded=").append(request.stats().downloaded());
    q.append("&left=").append(request.stats().left());
    q.append("&compact=1");
    if (request.event() != AnnounceEvent.NONE) {
      q.append("&event=").append(request.event().httpName());
    }
    if (request.numWant() >= 0) {
      q.append("&numwant=").append(request.numWant());
    }
    q.append("&key=").append(String.format(Locale.ROOT, "%08x", request.key()));
    request
        .trackerId()
        .ifPresent(id -> q.append("&trackerid=").append(percentEncode(id.getBytes(UTF_8))));
    return withQuery(tracker, q.toString());
  }

  /**
   * The scrape URL of an announce URL (BEP 48): the last path segment must start with {@code
   * announce}, which becomes {@code scrape}; empty if the tracker does not support scrape.
   */
  public static Optional<URI> scrapeUri(URI announce, List<InfoHash> infoHashes) {
    String s = announce.toString();
    int query = s.indexOf('?');
    String base = query < 0 ? s : s.substring(0, query);
    int slash = base.lastIndexOf('/');
    if (slash < 0 || !base.startsWith("announce", slash + 1)) {
      return Optional.empty();
    }
    String scrape = base.substring(0, slash + 1) + "scrape" + base.substring(slash + 9);
    if (query >= 0) {
      scrape += s.substring(query);
    }
    StringBuilder q = new StringBuilder();
    for (InfoHash h : infoHashes) {
      if (q.length() > 0) {
        q.append('&');
      }
      q.append("info_hash=").append(percentEncode(h.toByteArray()));
    }
    return Optional.of(withQuery(URI.create(scrape), q.toString()));
  }

  private static URI withQuery(URI base, String query) {
    String s = base.toString();
    int fragment = s.indexOf('#');
    if (fragment >= 0) {
      s = s.substring(0, fragment);
    }
    if (query.isEmpty()) {
      return URI.create(s);
    }
    char sep = s.indexOf('?') < 0 ? '?' : (s.endsWith("?") || s.endsWith("&") ? 0 : '&');
    return URI.create(sep == 0 ? s + query : s + sep + query);
  }

  /** Parses an announce response body. */
  public static AnnounceResponse parseAnnounce(byte[] body)
      throws TrackerFailureException, MalformedResponseException {
    BencodeDictionary d = decodeDictionary(body);
    Optional<String> failure = string(d, "failure reason");
    if (failure.isPresent()) {
      throw new TrackerFailureException(failure.get());
    }
    long interval =
        integer(d, "interval")
            .orElseThrow(() -> new MalformedResponseException("missing \"interval\""));
    if (interval < 0) {
      throw new MalformedResponseException("\"interval\": " + interval + " (expected: >= 0)");
    }
    Optional<Duration> minInterval = Optional.empty();
    Optional<Long> min = integer(d, "min interval");
    if (min.isPresent() && min.get() >= 0) {
      minInterval = Optional.of(Duration.ofSeconds(min.get()));
    }
    ImmutableList.Builder<InetSocketAddress> peers = ImmutableList.builder();
    Optional<BencodeValue> v4 = d.get("peers");
    Optional<BencodeValue> v6 = d.get("peers6");
    if (v4.isEmpty() && v6.isEmpty()) {
      throw new MalformedResponseException("missing \"peers\"");
    }
    if (v4.isPresent()) {
      if (v4.get() instanceof BencodeString compact) {
        addCompact(peers, compact.toByteArray(), 4, "peers");
      } else if (v4.get() instanceof BencodeList list) {
        addDictionaryPeers(peers, list);
      } else {
        throw new MalformedResponseException(
            "\"peers\" is an integer or dictionary (expected: a string or a list)");
      }
    }
    if (v6.isPresent()) {
      if (v6.get() instanceof BencodeString compact) {
        addCompact(peers, compact.toByteArray(), 16, "peers6");
      } else {
        throw new MalformedResponseException("\"peers6\" is not a string (expected: a string)");
      }
    }
    return new AnnounceResponse(
        Duration.ofSeconds(interval),
        minInterval,
        count(d, "complete"),
        count(d, "incomplete"),
        string(d, "tracker id"),
        string(d, "warning message"),
        peers.build());
  }

  /** Parses a scrape response body (BEP 48). */
  public static ImmutableMap<InfoHash, ScrapeStats> parseScrape(byte[] body)
      throws TrackerFailureException, MalformedResponseException {
    BencodeDictionary d = decodeDictionary(body);
    Optional<String> failure = string(d, "failure reason");
    if (failure.isPresent()) {
      throw new TrackerFailureException(failure.get());
    }
    if (!(d.get("files").orElse(null) instanceof BencodeDictionary files)) {
      throw new MalformedResponseException("missing \"files\" dictionary");
    }
    ImmutableMap.Builder<InfoHash, ScrapeStats> result = ImmutableMap.builder();
    for (var e : files.asMap().entrySet()) {
      if (e.getKey().length() != InfoHash.LENGTH) {
        throw new MalformedResponseException(
            "\"files\" key of " + e.getKey().length() + " bytes (expected: a 20-byte info-hash)");
      }
      if (!(e.getValue() instanceof BencodeDictionary stats)) {
        throw new MalformedResponseException("\"files\" entry is not a dictionary");
      }
      result.put(
          InfoHash.of(e.getKey().toByteArray()),
          new ScrapeStats(
              integer(stats, "complete").orElse(0L),
              integer(stats, "downloaded").orElse(0L),
              integer(stats, "incomplete").orElse(0L)));
    }
    return result.buildKeepingLast();
  }

  private static BencodeDictionary decodeDictionary(byte[] body) throws MalformedResponseException {
    if (body.length == 0) {
      throw new MalformedResponseException("empty response");
    }
    BencodeValue value;
    try {
      value = Bencode.decoder().lenient().decode(body);
    } catch (BencodeException e) {
      throw new MalformedResponseException("malformed bencode: " + e.getMessage());
    }
    if (!(value instanceof BencodeDictionary d)) {
      throw new MalformedResponseException("response is not a bencoded dictionary");
    }
    return d;
  }

  private static void addCompact(
      ImmutableList.Builder<InetSocketAddress> peers, byte[] b, int addressLength, String key)
      throws MalformedResponseException {
    int entry = addressLength + 2;
    if (b.length % entry != 0) {
      throw new MalformedResponseException(
          String.format(
              Locale.ROOT,
              "compact \"%s\" of %d bytes (expected: a multiple of %d)",
              key,
              b.length,
              entry));
    }
    for (int i = 0; i < b.length; i += entry) {
      byte[] address = new byte[addressLength];
      System.arraycopy(b, i, address, 0, addressLength);
      int port = ((b[i + addressLength] & 0xff) << 8) | (b[i + addressLength + 1] & 0xff);
      if (port == 0) {
        continue;
      }
      try {
        peers.add(new InetSocketAddress(InetAddress.getByAddress(address), port));
      } catch (UnknownHostException e) {
        throw new AssertionError("4 or 16 bytes is always an address", e);
      }
    }
  }

  private static void addDictionaryPeers(
      ImmutableList.Builder<InetSocketAddress> peers, BencodeList list)
      throws MalformedResponseException {
    for (BencodeValue v : list.values()) {
      if (!(v instanceof BencodeDictionary peer)) {
        throw new MalformedResponseException("\"peers\" entry is not a dictionary");
      }
      String ip =
          string(peer, "ip")
              .orElseThrow(() -> new MalformedResponseException("peer without \"ip\""));
      long port =
          integer(peer, "port")
              .orElseThrow(() -> new MalformedResponseException("peer without \"port\""));
      if (port < 1 || port > 0xffff) {
        throw new MalformedResponseException("peer port " + port + " (expected: 1 to 65535)");
      }
      if (InetAddresses.isInetAddress(ip)) {
        peers.add(new InetSocketAddress(InetAddresses.forString(ip), (int) port));
      } else {
        peers.add(InetSocketAddress.createUnresolved(ip, (int) port));
      }
    }
  }

  private static Optional<String> string(BencodeDictionary d, String key)
      throws MalformedResponseException {
    Optional<BencodeValue> v = d.get(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    if (v.get() instanceof BencodeString s) {
      return Optional.of(s.asUtf8());
    }
    throw new MalformedResponseException("\"" + key + "\" is not a string");
  }

  private static Optional<Long> integer(BencodeDictionary d, String key)
      throws MalformedResponseException {
    Optional<BencodeValue> v = d.get(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    if (v.get() instanceof BencodeInteger i) {
      return Optional.of(i.value());
    }
    throw new MalformedResponseException("\"" + key + "\" is not an integer");
  }

  private static OptionalInt count(BencodeDictionary d, String key)
      throws MalformedResponseException {
    Optional<Long> v = integer(d, key);
    if (v.isEmpty() || v.get() < 0) {
      return OptionalInt.empty();
    }
    return OptionalInt.of((int) Math.min(Integer.MAX_VALUE, v.get()));
  }

  /** The bytes of a query parameter decoded by Netty's {@code QueryStringDecoder} as Latin-1. */
  public static byte[] latin1Bytes(String decoded) {
    return decoded.getBytes(ISO_8859_1);
  }
}
