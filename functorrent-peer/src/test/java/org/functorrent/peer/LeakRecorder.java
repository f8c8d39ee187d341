package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

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
    reportPending(() -> PooledByteBufAllocator.DEFAULT.buffer(16).release());
    List<String> leaks = leaksOf(type -> !type.startsWith(CANARY));
    assertThat(leaks).as("leaked buffers").isEmpty();
  }

  /** The canary test's own resource type; its leaks never fail other tests. */
  static final String CANARY = "LeakCanaryTest";

  /** Looks for leaks with {@code track}, then returns (and forgets) those of matching types. */
  static List<String> leaksOf(Runnable track, java.util.function.Predicate<String> type) {
    reportPending(track);
    return leaksOf(type);
  }

  private static synchronized List<String> leaksOf(java.util.function.Predicate<String> type) {
    List<String> found = new java.util.ArrayList<>();
    for (String leak : LEAKS) {
      if (type.test(leak)) {
        found.add(leak);
        LEAKS.remove(leak);
      }
    }
    return found;
  }

  private static void reportPending(Runnable track) {
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(50); // the reference handler enqueues collected buffers
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // Leaks are reported when a later buffer is tracked.
      for (int j = 0; j < 100; j++) {
        track.run();
      }
    }
  }
}
