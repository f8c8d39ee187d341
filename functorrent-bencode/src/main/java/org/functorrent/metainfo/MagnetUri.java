package org.functorrent.metainfo;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.collect.ImmutableList;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A BEP 9 magnet link: {@code magnet:?xt=urn:btih:<info-hash>&dn=<name>&tr=<tracker>...}.
 *
 * @param infoHash the v1 info-hash ({@code xt=urn:btih:}, 40 hex digits or 32 base32 characters)
 * @param displayName {@code dn}, the name to show until the metadata arrives
 * @param trackers {@code tr}, tracker URLs in the link's order
 * @param peers {@code x.pe}, peer addresses as {@code host:port} ({@code [v6]:port} for IPv6)
 * @param webSeeds {@code ws}, web seed URLs (BEP 19)
 */
public record MagnetUri(
    InfoHash infoHash,
    Optional<String> displayName,
    ImmutableList<String> trackers,
    ImmutableList<String> peers,
    ImmutableList<String> webSeeds) {

  private static final String PREFIX = "magnet:?";

  public MagnetUri {
    trackers = ImmutableList.copyOf(trackers);
    peers = ImmutableList.copyOf(peers);
    webSeeds = ImmutableList.copyOf(webSeeds);
    for (String peer : peers) {
      String problem = peerProblem(peer);
      if (problem != null) {
        throw new IllegalArgumentException("peer \"" + peer + "\" (expected: " + problem + ")");
      }
    }
  }

  /** A magnet link with only an info-hash. */
  public static MagnetUri of(InfoHash infoHash) {
    return new MagnetUri(
        infoHash, Optional.empty(), ImmutableList.of(), ImmutableList.of(), ImmutableList.of());
  }

  /**
   * Parses a magnet link. Parameters may appear in any order; {@code tr}, {@code x.pe} and {@code
   * ws} may repeat (also as {@code tr.1}, {@code tr.2}, ...); unknown parameters are ignored.
   *
   * @throws InvalidMagnetUriException when it is not a magnet link, has no usable {@code urn:btih:}
   *     info-hash (a link with only a v2 {@code urn:btmh:} hash is not supported yet), has two
   *     different info-hashes, a malformed escape or an invalid peer address
   */
  public static MagnetUri parse(String uri) {
    if (!uri.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      throw new InvalidMagnetUriException(
          "magnet link " + shorten(uri) + " (expected: to start with \"magnet:?\")");
    }
    InfoHash infoHash = null;
    boolean v2Hash = false;
    String displayName = null;
    List<String> trackers = new ArrayList<>();
    List<String> peers = new ArrayList<>();
    List<String> webSeeds = new ArrayList<>();
    String query = uri.substring(PREFIX.length());
    for (String parameter : query.split("&")) {
      if (parameter.isEmpty()) {
        continue;
      }
      int eq = parameter.indexOf('=');
      String key = eq < 0 ? parameter : parameter.substring(0, eq);
      String value = eq < 0 ? "" : decode(parameter.substring(eq + 1), key);
      switch (baseKey(key)) {
        case "xt" -> {
          String lower = value.toLowerCase(Locale.ROOT);
          if (lower.startsWith("urn:btih:")) {
            InfoHash parsed;
            try {
              parsed = InfoHash.parse(value.substring("urn:btih:".length()));
            } catch (IllegalArgumentException e) {
              throw new InvalidMagnetUriException("magnet link xt: " + e.getMessage());
            }
            if (infoHash != null && !infoHash.equals(parsed)) {
              throw new InvalidMagnetUriException(
                  "magnet link xt: two different info-hashes "
                      + infoHash
                      + " and "
                      + parsed
                      + " (expected: one)");
            }
            infoHash = parsed;
          } else if (lower.startsWith("urn:btmh:")) {
            v2Hash = true;
          }
        }
        case "dn" -> displayName = value;
        case "tr" -> addNonBlank(trackers, value);
        case "ws" -> addNonBlank(webSeeds, value);
        case "x.pe" -> {
          String problem = peerProblem(value);
          if (problem != null) {
            throw new InvalidMagnetUriException(
                "magnet link x.pe: \"" + value + "\" (expected: " + problem + ")");
          }
          peers.add(value);
        }
        default -> {
          // Other parameters (xl, as, xs, kt, so, ...) are not used.
        }
      }
    }
    if (infoHash == null) {
      throw new InvalidMagnetUriException(
          v2Hash
              ? "v2-only magnet links are not supported yet (expected: an xt=urn:btih: v1"
                  + " info-hash)"
              : "magnet link " + shorten(uri) + " has no xt=urn:btih: info-hash (expected: one)");
    }
    return new MagnetUri(
        infoHash,
        Optional.ofNullable(displayName),
        ImmutableList.copyOf(trackers),
        ImmutableList.copyOf(peers),
        ImmutableList.copyOf(webSeeds));
  }

  /** The magnet link, values percent-encoded; {@link #parse} of it gives back this value. */
  public String toUri() {
    StringBuilder s = new StringBuilder(PREFIX).append("xt=urn:btih:").append(infoHash.toHex());
    displayName.ifPresent(name -> s.append("&dn=").append(UrlCodec.encode(name)));
    trackers.forEach(tracker -> s.append("&tr=").append(UrlCodec.encode(tracker)));
    peers.forEach(peer -> s.append("&x.pe=").append(UrlCodec.encode(peer)));
    webSeeds.forEach(seed -> s.append("&ws=").append(UrlCodec.encode(seed)));
    return s.toString();
  }

  /** The magnet link, as {@link #toUri()}. */
  @Override
  public String toString() {
    return toUri();
  }

  private static void addNonBlank(List<String> list, String value) {
    String trimmed = value.trim();
    if (!trimmed.isEmpty() && !list.contains(trimmed)) {
      list.add(trimmed);
    }
  }

  /** {@code tr.1} is {@code tr}: BEP 9 allows numbered repeats. */
  private static String baseKey(String key) {
    int dot = key.lastIndexOf('.');
    if (dot > 0 && dot < key.length() - 1) {
      boolean digits = true;
      for (int i = dot + 1; i < key.length(); i++) {
        digits &= key.charAt(i) >= '0' && key.charAt(i) <= '9';
      }
      if (digits) {
        return key.substring(0, dot);
      }
    }
    return key;
  }

  private static String decode(String value, String key) {
    byte[] bytes;
    try {
      bytes = UrlCodec.decode(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidMagnetUriException("magnet link " + key + ": " + e.getMessage());
    }
    try {
      return UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidMagnetUriException(
          "magnet link " + key + ": \"" + value + "\" (expected: percent-encoded UTF-8)");
    }
  }

  /** Why {@code peer} is not a {@code host:port} address, or null when it is one. */
  private static String peerProblem(String peer) {
    int colon = peer.lastIndexOf(':');
    if (colon <= 0 || colon == peer.length() - 1) {
      return "host:port";
    }
    String host = peer.substring(0, colon);
    if (host.indexOf(':') >= 0
        && !(host.startsWith("[") && host.endsWith("]") && host.length() > 2)) {
      return "host:port, an IPv6 host in brackets";
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c <= ' ' || c == '/' || c == '?' || c == '#' || c == '@') {
        return "host:port, a host without spaces, '/', '?', '#' or '@'";
      }
    }
    String port = peer.substring(colon + 1);
    if (port.length() > 5
        || !port.chars().allMatch(c -> c >= '0' && c <= '9')
        || Integer.parseInt(port) < 1
        || Integer.parseInt(port) > 65535) {
      return "host:port with a port from 1 to 65535";
    }
    return null;
  }

  private static String shorten(String s) {
    return "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "\"";
  }
}
