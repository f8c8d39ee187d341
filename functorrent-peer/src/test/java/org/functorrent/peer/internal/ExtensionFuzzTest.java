package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzz targets for the BEP 10 extension messages a peer sends: {@code
 * ut_metadata} (BEP 9) and {@code ut_pex} (BEP 11). Each decoder may end only in a message (or
 * null for an unknown {@code ut_metadata} type) or in a {@link PeerProtocolException}; a decoded
 * message must encode to bytes that decode again. Seeds live in {@code
 * src/test/resources/org/functorrent/peer/internal/ExtensionFuzzTestInputs/<target>/}; see
 * docs/FUZZING.md.
 */
class ExtensionFuzzTest {
  @FuzzTest
  void utMetadata(byte[] payload) {
    MetadataMessage message;
    ByteBuf in = Unpooled.wrappedBuffer(payload);
    try {
      message = MetadataMessage.decode(in);
    } catch (PeerProtocolException expected) {
      return;
    } finally {
      in.release();
    }
    if (message == null) {
      return; // a msg_type we do not know: ignored, as BEP 9 says
    }
    ByteBuf again = MetadataMessage.encode(message);
    try {
      assertThat(MetadataMessage.decode(again)).isNotNull();
    } finally {
      again.release();
    }
  }

  @FuzzTest
  void utPex(byte[] payload) {
    PexMessage message;
    ByteBuf in = Unpooled.wrappedBuffer(payload);
    try {
      message = PexMessage.decode(in, 50);
    } catch (PeerProtocolException expected) {
      return;
    } finally {
      in.release();
    }
    ByteBuf again = message.encode();
    try {
      assertThat(PexMessage.decode(again, 50)).isNotNull();
    } finally {
      again.release();
    }
  }
}
