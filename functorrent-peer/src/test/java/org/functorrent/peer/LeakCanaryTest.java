package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak recorder that every test relies on does report a leak. */
class LeakCanaryTest {
  static {
    LeakRecorder.install();
  }

  @Test
  void aLeakIsReported() {
    for (int i = 0; i < 10; i++) {
      PooledByteBufAllocator.DEFAULT.buffer(8).writeInt(i);
    }
    assertThatThrownBy(LeakRecorder::assertNoLeaks).isInstanceOf(AssertionError.class);
  }
}
