package org.functorrent.dht.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.functorrent.bencode.BencodeString;

/**
 * A coverage-guided fuzz target for KRPC datagrams (BEP 5): decoding may end only in a message or
 * in a {@link KrpcException}; a decoded message must encode to a datagram that decodes again.
 * Seeds (BEP 5's example packets) live in {@code
 * src/test/resources/org/functorrent/dht/internal/KrpcFuzzTestInputs/krpc/}; see docs/FUZZING.md.
 */
class KrpcFuzzTest {
  private static final BencodeString VERSION = BencodeString.of("FJ01");

  @FuzzTest
  void krpc(byte[] datagram) {
    KrpcMessage message;
    try {
      message = Krpc.decode(datagram);
    } catch (KrpcException expected) {
      return;
    }
    byte[] encoded = Krpc.encode(message, VERSION);
    assertThat(Krpc.decode(encoded)).isNotNull();
  }
}
