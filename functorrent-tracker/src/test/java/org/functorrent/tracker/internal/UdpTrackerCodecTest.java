package org.functorrent.tracker.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.functorrent.tracker.AnnounceEvent;
import org.functorrent.tracker.AnnounceRequest;
import org.functorrent.tracker.AnnounceResponse;
import org.functorrent.tracker.ScrapeStats;
import org.functorrent.tracker.TransferStats;
import org.functorrent.tracker.internal.HttpTrackerCodec.MalformedResponseException;
import org.junit.jupiter.api.Test;

/** The packet layouts of BEP 15, written from the spec's tables. */
class UdpTrackerCodecTest {
  private static final InfoHash HASH = InfoHash.fromHex("0123456789abcdef0123456789abcdef01234567");
  private static final PeerId PEER = PeerId.of("-FJ0100-123456789012".getBytes(ISO_8859_1));

  @Test
  void connectRequest() {
    ByteBuffer b = ByteBuffer.wrap(UdpTrackerCodec.connectRequest(0x11223344));
    assertThat(b.capacity()).isEqualTo(16);
    assertThat(b.getLong()).isEqualTo(0x41727101980L);
    assertThat(b.getInt()).isEqualTo(0);
    assertThat(b.getInt()).isEqualTo(0x11223344);
  }

  @Test
  void announceRequestLayout() {
    AnnounceRequest r =
        new AnnounceRequest(
            HASH,
            PEER,
            6881,
            TransferStats.of(300, 100, 200),
            AnnounceEvent.COMPLETED,
            -1,
            77,
            Optional.empty());
    ByteBuffer b = ByteBuffer.wrap(UdpTrackerCodec.announceRequest(0xabcdefL, 9, r));
    assertThat(b.capacity()).isEqualTo(98);
    assertThat(b.getLong()).isEqualTo(0xabcdefL); // connection_id
    assertThat(b.getInt()).isEqualTo(1); // action: announce
    assertThat(b.getInt()).isEqualTo(9); // transaction_id
    byte[] h = new byte[20];
    b.get(h);
    assertThat(h).isEqualTo(HASH.toByteArray());
    byte[] p = new byte[20];
    b.get(p);
    assertThat(p).isEqualTo(PEER.toByteArray());
    assertThat(b.getLong()).isEqualTo(100); // downloaded
    assertThat(b.getLong()).isEqualTo(200); // left
    assertThat(b.getLong()).isEqualTo(300); // uploaded
    assertThat(b.getInt()).isEqualTo(1); // event: completed
    assertThat(b.getInt()).isEqualTo(0); // IP address: default
    assertThat(b.getInt()).isEqualTo(77); // key
    assertThat(b.getInt()).isEqualTo(-1); // num_want: default
    assertThat(b.getShort() & 0xffff).isEqualTo(6881);
    assertThat(AnnounceEvent.STARTED.udpCode()).isEqualTo(2);
    assertThat(AnnounceEvent.STOPPED.udpCode()).isEqualTo(3);
    assertThat(AnnounceEvent.NONE.udpCode()).isEqualTo(0);
  }

  @Test
  void announceResponse() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(32);
    b.putInt(1).putInt(9).putInt(1800).putInt(3).putInt(4);
    b.put(new byte[] {127, 0, 0, 1}).putShort((short) 6881);
    b.put(new byte[] {10, 1, 2, 3}).putShort((short) 0xc350);
    AnnounceResponse r = UdpTrackerCodec.parseAnnounce(b.array(), 4);
    assertThat(r.interval()).isEqualTo(Duration.ofSeconds(1800));
    assertThat(r.leechers()).hasValue(3);
    assertThat(r.seeders()).hasValue(4);
    assertThat(r.peers())
        .containsExactly(
            new InetSocketAddress("127.0.0.1", 6881), new InetSocketAddress("10.1.2.3", 50000));
  }

  @Test
  void announceResponseOfTheWrongSize() {
    assertThatThrownBy(() -> UdpTrackerCodec.parseAnnounce(new byte[19], 4))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessage("announce response of 19 bytes (expected: 20 + a multiple of 6)");
    assertThatThrownBy(() -> UdpTrackerCodec.parseAnnounce(new byte[29], 4))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("29 bytes");
    assertThatThrownBy(() -> UdpTrackerCodec.parseAnnounce(new byte[26], 16))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("multiple of 18");
  }

  @Test
  void scrapeRequestAndResponse() throws Exception {
    InfoHash other = InfoHash.fromHex("ffffffffffffffffffffffffffffffffffffffff");
    ByteBuffer req = ByteBuffer.wrap(UdpTrackerCodec.scrapeRequest(5L, 6, List.of(HASH, other)));
    assertThat(req.capacity()).isEqualTo(16 + 40);
    assertThat(req.getLong()).isEqualTo(5L);
    assertThat(req.getInt()).isEqualTo(2);
    assertThat(req.getInt()).isEqualTo(6);
    ByteBuffer resp = ByteBuffer.allocate(32);
    resp.putInt(2).putInt(6).putInt(1).putInt(2).putInt(3).putInt(4).putInt(5).putInt(6);
    assertThat(UdpTrackerCodec.parseScrape(resp.array(), List.of(HASH, other)))
        .containsExactly(
            Map.entry(HASH, new ScrapeStats(1, 2, 3)), Map.entry(other, new ScrapeStats(4, 5, 6)));
    assertThatThrownBy(() -> UdpTrackerCodec.parseScrape(new byte[19], List.of(HASH, other)))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("expected: 32");
  }

  @Test
  void connectAndErrorResponses() throws Exception {
    byte[] c = UdpTrackerCodec.connectResponse(42, 0x0102030405060708L);
    assertThat(UdpTrackerCodec.action(c)).isEqualTo(0);
    assertThat(UdpTrackerCodec.transactionId(c)).isEqualTo(42);
    assertThat(UdpTrackerCodec.parseConnect(c)).isEqualTo(0x0102030405060708L);
    assertThatThrownBy(() -> UdpTrackerCodec.parseConnect(new byte[12]))
        .isInstanceOf(MalformedResponseException.class);
    byte[] e = UdpTrackerCodec.errorResponse(7, "go away");
    assertThat(UdpTrackerCodec.action(e)).isEqualTo(3);
    assertThat(UdpTrackerCodec.parseError(e)).isEqualTo("go away");
    assertThat(UdpTrackerCodec.action(new byte[7])).isEqualTo(-1);
  }
}
