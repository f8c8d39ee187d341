package org.functorrent.peer.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.functorrent.peer.internal.PexMessage.Contact;
import org.junit.jupiter.api.Test;

/** The BEP 11 {@code ut_pex} message codec and what we send to a peer. */
class PexMessageTest {
  private static InetSocketAddress addr(String ip, int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(ip), port);
  }

  private static PexMessage decode(byte[] bytes, int max) {
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    try {
      return PexMessage.decode(buf, max);
    } finally {
      buf.release();
    }
  }

  private static PexMessage decode(String latin1) {
    return decode(latin1.getBytes(ISO_8859_1), 50);
  }

  private static String encode(PexMessage m) {
    ByteBuf buf = m.encode();
    try {
      return new String(ByteBufUtil.getBytes(buf), ISO_8859_1);
    } finally {
      buf.release();
    }
  }

  @Test
  void compactContactsWithFlagsAsTheBepLaysThemOut() throws Exception {
    // added: 10.0.0.1:6881 and 127.0.0.1:80 with flags 0x12 (reachable seed) and 0x00;
    // dropped: 192.168.1.2:1
    String added = "\n\0\0\u0001\u001a\u00e1" + "\u007f\0\0\u0001\0P";
    String raw = "d5:added12:" + added + "7:added.f2:\u0012\0" + "7:dropped6:\u00c0\u00a8\u0001"
        + "\u0002\0\u0001e";
    PexMessage m = decode(raw);
    assertThat(m.added())
        .containsExactly(
            new Contact(addr("10.0.0.1", 6881), PexMessage.REACHABLE | PexMessage.SEED),
            new Contact(addr("127.0.0.1", 80), 0));
    assertThat(m.dropped()).containsExactly(addr("192.168.1.2", 1));
    assertThat(encode(m)).isEqualTo(raw);
  }

  @Test
  void ipv6ContactsGoInAdded6AndDropped6() throws Exception {
    PexMessage m =
        new PexMessage(
            ImmutableList.of(
                new Contact(addr("::1", 6881), PexMessage.SEED),
                new Contact(addr("127.0.0.1", 6882), 0)),
            ImmutableList.of(addr("2001:db8::7", 51413)));
    String encoded = encode(m);
    assertThat(encoded)
        .startsWith("d5:added6:\u007f\0\0\u0001\u001a\u00e2" + "7:added.f1:\0" + "6:added618:")
        .contains("8:added6.f1:\u0002")
        .contains("8:dropped618:");
    PexMessage back = decode(encoded);
    assertThat(back.added()).containsExactlyInAnyOrderElementsOf(m.added());
    assertThat(back.dropped()).containsExactlyElementsOf(m.dropped());
  }

  @Test
  void withoutFlagsContactsHaveNoneAndPortZeroIsDropped() throws Exception {
    PexMessage m = decode("d5:added12:\u007f\0\0\u0001\0\u0001\u007f\0\0\u0002\0\0e");
    assertThat(m.added()).containsExactly(new Contact(addr("127.0.0.1", 1), 0));
  }

  @Test
  void aFloodIsCutToTheCapPerField() {
    byte[] compact = new byte[200 * 6];
    for (int i = 0; i < 200; i++) {
      compact[i * 6] = 10;
      compact[i * 6 + 3] = (byte) i;
      compact[i * 6 + 5] = 1;
    }
    byte[] head = ("d5:added1200:").getBytes(ISO_8859_1);
    byte[] all = new byte[head.length + compact.length + 1];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(compact, 0, all, head.length, compact.length);
    all[all.length - 1] = 'e';
    assertThat(decode(all, 50).added()).hasSize(50);
  }

  @Test
  void malformedMessagesFailWithAPeerProtocolException() {
    for (String bad :
        new String[] {
          "",
          "le",
          "i3e",
          "d5:added5:12345e",
          "d6:added617:12345678901234567e",
          "d5:addedi3ee",
          "d5:added6:123456" + "7:added.f2:xxe",
          "d7:dropped7:1234567e",
          "d5:added",
        }) {
      assertThatThrownBy(() -> decode(bad)).as(bad).isInstanceOf(PeerProtocolException.class);
    }
  }

  @Test
  void anEmptyDictionaryHasNothing() {
    PexMessage m = decode("de");
    assertThat(m.added()).isEmpty();
    assertThat(m.dropped()).isEmpty();
  }

  @Test
  void aPeerIsToldOfNewPeersButNotOfItselfThenOfDropsAndNothingTwice() throws Exception {
    var state = PexExtension.newState();
    Map<InetSocketAddress, Integer> live = new LinkedHashMap<>();
    InetSocketAddress itself = addr("127.0.0.1", 1000);
    live.put(itself, 0);
    live.put(addr("127.0.0.1", 1001), PexMessage.REACHABLE);
    live.put(addr("127.0.0.1", 1002), PexMessage.SEED);
    PexMessage first = PexExtension.nextMessage(state, live, itself);
    assertThat(first.added())
        .containsExactly(
            new Contact(addr("127.0.0.1", 1001), PexMessage.REACHABLE),
            new Contact(addr("127.0.0.1", 1002), PexMessage.SEED));
    assertThat(first.dropped()).isEmpty();
    first.added().forEach(c -> PexExtension.told(state).add(c.address()));
    assertThat(PexExtension.nextMessage(state, live, itself)).as("nothing new").isNull();
    live.remove(addr("127.0.0.1", 1002));
    live.put(addr("127.0.0.1", 1003), 0);
    PexMessage second = PexExtension.nextMessage(state, live, itself);
    assertThat(second.added()).containsExactly(new Contact(addr("127.0.0.1", 1003), 0));
    assertThat(second.dropped()).containsExactly(addr("127.0.0.1", 1002));
  }

  @Test
  void atMostFiftyAddedAndFiftyDroppedPerMessage() throws Exception {
    var state = PexExtension.newState();
    Map<InetSocketAddress, Integer> live = new LinkedHashMap<>();
    for (int i = 0; i < 120; i++) {
      live.put(addr("127.0.0.1", 2000 + i), 0);
    }
    for (int i = 0; i < 120; i++) {
      PexExtension.told(state).add(addr("127.0.0.2", 3000 + i));
    }
    PexMessage m = PexExtension.nextMessage(state, live, null);
    assertThat(m.added()).hasSize(50);
    assertThat(m.dropped()).hasSize(50);
    assertThat(List.copyOf(m.added()).get(0).address()).isEqualTo(addr("127.0.0.1", 2000));
  }
}
