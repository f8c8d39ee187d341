package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Paranoid leak detection that fails tests, for this module's lifecycle tests (which run in a JVM
 * of their own, see the pom, so that {@link #install()} comes before the first buffer). Every
 * leak Netty reports is recorded; {@link #assertNoLeaks()} fails if there is one.
 */
final class NettyLeaks {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static boolean installed;

  private NettyLeaks() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(
        new ResourceLeakDetectorFactory() {
          @Override
          @SuppressWarnings("deprecation")
          public <T> ResourceLeakDetector<T> newResourceLeakDetector(
              Class<T> resource, int samplingInterval, long maxActive) {
            return new ResourceLeakDetector<T>(resource, samplingInterval) {
              @Override
              protected boolean needReport() {
                return true;
              }

              @Override
              protected void reportTracedLeak(String resourceType, String records) {
                LEAKS.add(resourceType + records);
              }

              @Override
              protected void reportUntracedLeak(String resourceType) {
                LEAKS.add(resourceType);
              }
            };
          }
        });
  }

  /** Whether the detector in use is ours (it is not if a buffer was made before install). */
  static boolean active() {
    return installed && ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID;
  }

  /** Lets the garbage collector find unreleased buffers, then fails if Netty reported any. */
  static void assertNoLeaks() {
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(50); // the reference handler enqueues collected buffers
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (int j = 0; j < 100; j++) {
        PooledByteBufAllocator.DEFAULT.buffer(16).release(); // leaks are reported on tracking
      }
    }
    assertThat(new ArrayList<>(LEAKS)).as("leaked buffers").isEmpty();
  }

  /** Records a leak of a resource type of its own; the canary test checks it is seen. */
  static List<String> leaks() {
    return List.copyOf(LEAKS);
  }

  static void forget() {
    LEAKS.clear();
  }
}
