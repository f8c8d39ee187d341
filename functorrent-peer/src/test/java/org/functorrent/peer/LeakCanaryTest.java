package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.functorrent.interop.NettyLeaks;
import org.junit.jupiter.api.Test;

/** The leak recorder that every test relies on does report a leak. */
class LeakCanaryTest {
  static {
    NettyLeaks.install();
  }

  @Test
  void aLeakIsReported() {
    // A resource type of the recorder's own, so that the leaks made here fail no other test.
    ResourceLeakDetector<NettyLeaks.Canary> detector =
        ResourceLeakDetectorFactory.instance().newResourceLeakDetector(NettyLeaks.Canary.class);
    for (int i = 0; i < 10; i++) {
      detector.track(new NettyLeaks.Canary()); // never closed
    }
    Runnable trackMore =
        () -> {
          NettyLeaks.Canary released = new NettyLeaks.Canary();
          detector.track(released).close(released);
        };
    assertThat(NettyLeaks.leaksOf(trackMore, type -> type.startsWith("NettyLeaks$Canary")))
        .isNotEmpty();
  }
}
