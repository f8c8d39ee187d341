package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.Test;

/** The leak recorder that every test relies on does report a leak. */
class LeakCanaryTest {
  static {
    LeakRecorder.install();
  }

  /** A resource type of its own, so that the leaks made here cannot show up in other tests. */
  static final class Canary {}

  @Test
  void aLeakIsReported() {
    ResourceLeakDetector<Canary> detector =
        ResourceLeakDetectorFactory.instance().newResourceLeakDetector(Canary.class);
    for (int i = 0; i < 10; i++) {
      detector.track(new Canary()); // never closed
    }
    Runnable trackMore =
        () -> {
          Canary released = new Canary();
          detector.track(released).close(released);
        };
    assertThat(LeakRecorder.leaksOf(trackMore, type -> type.startsWith(LeakRecorder.CANARY)))
        .isNotEmpty();
  }
}
