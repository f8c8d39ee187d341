package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Paranoid leak detection that fails tests: installed before the first buffer is allocated, it
 * records every leak Netty reports. Every test class of this module calls {@link #install()} in
 * a static initializer.
 */
public final class LeakRecorder {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static boolean installed;

  private LeakRecorder() {}

  public static synchronized void install() {
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

  /** Lets the garbage collector find unreleased buffers, then fails if Netty reported any. */
  public static void assertNoLeaks() {
    assertThat(LEAKS).as("leaked buffers").isEmpty();
    reportPending();
    try {
      assertThat(LEAKS).as("leaked buffers").isEmpty();
    } finally {
      LEAKS.clear();
    }
  }

  private static void reportPending() {
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(50); // the reference handler enqueues collected buffers
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // Leaks are reported when a later buffer is tracked.
      for (int j = 0; j < 100; j++) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(16);
        b.release();
      }
    }
  }
}
