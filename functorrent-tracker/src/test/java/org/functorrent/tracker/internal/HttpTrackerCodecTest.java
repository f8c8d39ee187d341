package org.functorrent.tracker.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.functorrent.tracker.AnnounceEvent;
import org.functorrent.tracker.AnnounceRequest;
import org.functorrent.tracker.AnnounceResponse;
import org.functorrent.tracker.ScrapeStats;
import org.functorrent.tracker.TransferStats;
import org.functorrent.tracker.internal.HttpTrackerCodec.MalformedResponseException;
import org.functorrent.tracker.internal.HttpTrackerCodec.TrackerFailureException;
import org.junit.jupiter.api.Test;

class HttpTrackerCodecTest {
  private static final byte[] HASH_BYTES = new byte[20];

  static {
    for (int i = 0; i < 20; i++) {
      HASH_BYTES[i] = (byte) (i * 13 + 0x7a); // covers unreserved and reserved bytes
    }
  }

  private static final InfoHash HASH = InfoHash.of(HASH_BYTES);
  private static final PeerId PEER = PeerId.of("-FJ0100-abcdefghij~.".getBytes(ISO_8859_1));

  @Test
  void percentEncodingKeepsOnlyUnreservedCharacters() {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    String encoded = HttpTrackerCodec.percentEncode(all);
    // 66 unreserved characters (RFC 3986) stay, 190 bytes become %XX.
    assertThat(encoded).hasSize(66 + 190 * 3);
    assertThat(encoded).startsWith("%00%01");
    assertThat(encoded).contains("-.%2F0123456789%3A");
    assertThat(encoded).contains("%40ABC");
    assertThat(encoded).contains("Z%5B%5C%5D%5E_%60abc");
    assertThat(encoded).contains("xyz%7B%7C%7D~%7F%80").endsWith("%FE%FF");
    assertThat(HttpTrackerCodec.percentEncode(new byte[] {' ', '+', '%', '&', '='}))
        .isEqualTo("%20%2B%25%26%3D");
  }

  @Test
  void percentEncodingRoundTripsThroughAQueryDecoder() {
    String q = "?x=" + HttpTrackerCodec.percentEncode(HASH_BYTES);
    String decoded = new QueryStringDecoder(q, ISO_8859_1).parameters().get("x").get(0);
    assertThat(decoded.getBytes(ISO_8859_1)).isEqualTo(HASH_BYTES);
  }

  @Test
  void announceUriHasEveryParameter() {
    AnnounceRequest r =
        new AnnounceRequest(
            HASH,
            PEER,
            6881,
            TransferStats.of(1, 2, 3),
            AnnounceEvent.STARTED,
            30,
            0xdeadbeef,
            Optional.of("t id"));
    URI uri = HttpTrackerCodec.announceUri(URI.create("http://t.example:8080/announce"), r);
    assertThat(uri.getRawPath()).isEqualTo("/announce");
    var q = new QueryStringDecoder(uri.toString(), ISO_8859_1).parameters();
    assertThat(q.get("info_hash").get(0).getBytes(ISO_8859_1)).isEqualTo(HASH_BYTES);
    assertThat(q.get("peer_id").get(0).getBytes(ISO_8859_1)).isEqualTo(PEER.toByteArray());
    assertThat(q.get("port")).containsExactly("6881");
    assertThat(q.get("uploaded")).containsExactly("1");
    assertThat(q.get("downloaded")).containsExactly("2");
    assertThat(q.get("left")).containsExactly("3");
    assertThat(q.get("compact")).containsExactly("1");
    assertThat(q.get("event")).containsExactly("started");
    assertThat(q.get("numwant")).containsExactly("30");
    assertThat(q.get("key")).containsExactly("deadbeef");
    assertThat(q.get("trackerid")).containsExactly("t id");
    assertThat(uri.getRawQuery()).contains("info_hash=" + HASH.urlEncoded());
  }

  @Test
  void regularAnnounceHasNoEventAndKeepsAnExistingQuery() {
    AnnounceRequest r = AnnounceRequest.of(HASH, PEER, 1, TransferStats.of(0, 0, 0));
    URI uri = HttpTrackerCodec.announceUri(URI.create("http://t/announce.php?passkey=abc"), r);
    assertThat(uri.getRawQuery()).startsWith("passkey=abc&info_hash=").doesNotContain("event");
  }

  @Test
  void scrapeUriFollowsBep48() {
    List<InfoHash> one = List.of(HASH);
    String h = HttpTrackerCodec.percentEncode(HASH_BYTES);
    assertThat(scrape("http://example.com/announce", one))
        .isEqualTo("http://example.com/scrape?info_hash=" + h);
    assertThat(scrape("http://example.com/x/announce", one))
        .isEqualTo("http://example.com/x/scrape?info_hash=" + h);
    assertThat(scrape("http://example.com/announce.php", one))
        .isEqualTo("http://example.com/scrape.php?info_hash=" + h);
    assertThat(scrape("http://example.com/announce?x2%0644", one))
        .isEqualTo("http://example.com/scrape?x2%0644&info_hash=" + h);
    assertThat(HttpTrackerCodec.scrapeUri(URI.create("http://example.com/a"), one)).isEmpty();
    assertThat(HttpTrackerCodec.scrapeUri(URI.create("http://example.com/announce?x=2/4"), one))
        .isPresent();
    assertThat(HttpTrackerCodec.scrapeUri(URI.create("http://example.com/x%064announce"), one))
        .isEmpty();
    assertThat(
            HttpTrackerCodec.scrapeUri(
                    URI.create("http://example.com/x/announce"), List.of(HASH, HASH))
                .orElseThrow()
                .getRawQuery())
        .isEqualTo("info_hash=" + h + "&info_hash=" + h);
  }

  private static String scrape(String announce, List<InfoHash> hashes) {
    return HttpTrackerCodec.scrapeUri(URI.create(announce), hashes).orElseThrow().toString();
  }

  @Test
  void parsesCompactPeersAndAllFields() throws Exception {
    byte[] body =
        bytes(
            "d8:completei5e10:incompletei7e8:intervali1800e12:min intervali60e"
                + "10:tracker id3:abc15:warning message4:hmm!5:peers12:",
            new byte[] {127, 0, 0, 1, 0x1a, (byte) 0xe1, 10, 0, 0, 2, 0, 80},
            "e");
    AnnounceResponse r = HttpTrackerCodec.parseAnnounce(body);
    assertThat(r.interval()).isEqualTo(Duration.ofSeconds(1800));
    assertThat(r.minInterval()).contains(Duration.ofSeconds(60));
    assertThat(r.seeders()).hasValue(5);
    assertThat(r.leechers()).hasValue(7);
    assertThat(r.trackerId()).contains("abc");
    assertThat(r.warning()).contains("hmm!");
    assertThat(r.peers())
        .containsExactly(
            new InetSocketAddress("127.0.0.1", 6881), new InetSocketAddress("10.0.0.2", 80));
  }

  @Test
  void parsesDictionaryPeers() throws Exception {
    byte[] body =
        ("d8:intervali60e5:peersld2:ip9:127.0.0.17:peer id20:aaaaaaaaaaaaaaaaaaaa4:porti6881ee"
                + "d2:ip3:::14:porti7000eed2:ip11:example.org4:porti1eeee")
            .getBytes(UTF_8);
    AnnounceResponse r = HttpTrackerCodec.parseAnnounce(body);
    assertThat(r.peers())
        .containsExactly(
            new InetSocketAddress("127.0.0.1", 6881),
            new InetSocketAddress("::1", 7000),
            InetSocketAddress.createUnresolved("example.org", 1));
    assertThat(r.minInterval()).isEmpty();
    assertThat(r.seeders()).isEmpty();
  }

  @Test
  void parsesPeers6() throws Exception {
    byte[] v6 = new byte[18];
    v6[15] = 1; // ::1
    v6[16] = 0x1b;
    v6[17] = 0x39; // 6969
    AnnounceResponse r =
        HttpTrackerCodec.parseAnnounce(bytes("d8:intervali60e5:peers0:6:peers618:", v6, "e"));
    assertThat(r.peers()).containsExactly(new InetSocketAddress("::1", 6969));
    // peers6 alone is enough
    assertThat(HttpTrackerCodec.parseAnnounce(bytes("d8:intervali60e6:peers618:", v6, "e")).peers())
        .hasSize(1);
  }

  @Test
  void failureReasonWins() {
    assertThatThrownBy(
            () -> HttpTrackerCodec.parseAnnounce(bytes("d14:failure reason9:not found", "e")))
        .isInstanceOf(TrackerFailureException.class)
        .hasMessage("not found");
  }

  @Test
  void malformedResponsesSayWhatIsWrong() {
    assertMalformed("d8:intervali60e5:peers0:", "malformed bencode");
    assertMalformed("", "empty response");
    assertMalformed("li1ee", "not a bencoded dictionary");
    assertMalformed("d8:intervali60ee", "missing \"peers\"");
    assertMalformed("d5:peers0:e", "missing \"interval\"");
    assertMalformed("d8:intervali60e5:peers7:abcdefge", "compact \"peers\" of 7 bytes");
    assertMalformed("d8:intervali60e5:peers13:abcdefghijklme", "(expected: a multiple of 6)");
    assertMalformed("d8:intervali60e5:peers0:6:peers65:abcdee", "(expected: a multiple of 18)");
    assertMalformed("d8:intervali60e5:peersi3ee", "\"peers\" is an integer");
    assertMalformed("d8:interval2:605:peers0:e", "\"interval\" is not an integer");
    assertMalformed("d8:intervali60e5:peersld4:porti1eeee", "peer without \"ip\"");
    assertMalformed("d8:intervali60e5:peersld2:ip1:x4:porti0eeee", "peer port 0");
  }

  private static void assertMalformed(String body, String message) {
    assertThatThrownBy(() -> HttpTrackerCodec.parseAnnounce(body.getBytes(UTF_8)))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining(message);
  }

  @Test
  void parsesScrape() throws Exception {
    byte[] body =
        bytes("d5:filesd20:", HASH_BYTES, "d8:completei5e10:downloadedi50e10:incompletei10eeee");
    assertThat(HttpTrackerCodec.parseScrape(body))
        .containsExactly(java.util.Map.entry(HASH, new ScrapeStats(5, 50, 10)));
    assertThatThrownBy(() -> HttpTrackerCodec.parseScrape("d5:filesd3:abcdeee".getBytes(UTF_8)))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("3 bytes");
    assertThatThrownBy(() -> HttpTrackerCodec.parseScrape("de".getBytes(UTF_8)))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("files");
  }

  static byte[] bytes(Object... parts) {
    var out = new java.io.ByteArrayOutputStream();
    for (Object p : parts) {
      out.writeBytes(p instanceof byte[] b ? b : ((String) p).getBytes(ISO_8859_1));
    }
    return out.toByteArray();
  }
}
