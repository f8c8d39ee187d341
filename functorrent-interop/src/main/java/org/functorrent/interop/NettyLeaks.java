package org.functorrent.interop;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Paranoid Netty leak detection that fails tests: {@link #install()}, called before the first
 * buffer is allocated (in a static initializer of every test class that relies on it), records
 * every leak Netty reports, and {@link #assertNoLeaks()} fails if there is one.
 *
 * <p>Netty is not a dependency of this module ({@code provided} in its pom): only the tests of
 * modules that have Netty themselves may use this class.
 */
public final class NettyLeaks {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static boolean installed;

  /** The prefix of {@link Canary}'s resource type; its leaks never fail {@link #assertNoLeaks}. */
  private static final String CANARY = "NettyLeaks$Canary";

  /**
   * A resource type for tests that check leaks are reported: leak it on purpose, find it with
   * {@link #leaksOf}; its leaks never fail {@link #assertNoLeaks()} in other tests.
   */
  public static final class Canary {}

  private NettyLeaks() {}

  /** Sets paranoid detection with a detector that records every leak; does nothing twice. */
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

  /** Whether the detector in use is ours (it is not if a buffer was made before install). */
  public static synchronized boolean active() {
    return installed && ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID;
  }

  /**
   * Lets the garbage collector find unreleased buffers, then fails (with an {@link
   * AssertionError} that lists them) if Netty reported any leak but a {@link Canary}'s.
   */
  public static void assertNoLeaks() {
    List<String> leaks =
        leaksOf(() -> PooledByteBufAllocator.DEFAULT.buffer(16).release(),
            type -> !type.startsWith(CANARY));
    if (!leaks.isEmpty()) {
      throw new AssertionError("leaked buffers: " + leaks);
    }
  }

  /**
   * Lets the garbage collector find unreleased resources, running {@code track} (which tracks
   * and releases a resource of the type looked for: leaks are reported when a later resource is
   * tracked), then returns and forgets the recorded leaks whose type (with its records) matches.
   */
  public static List<String> leaksOf(Runnable track, Predicate<String> type) {
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(50); // the reference handler enqueues collected resources
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (int j = 0; j < 100; j++) {
        track.run();
      }
    }
    return take(type);
  }

  private static synchronized List<String> take(Predicate<String> type) {
    List<String> found = new ArrayList<>();
    for (String leak : LEAKS) {
      if (type.test(leak)) {
        found.add(leak);
        LEAKS.remove(leak);
      }
    }
    return found;
  }
}
