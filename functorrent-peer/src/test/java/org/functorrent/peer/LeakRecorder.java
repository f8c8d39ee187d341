package org.functorrent.peer;

import org.functorrent.interop.NettyLeaks;

/**
 * The old name of {@link NettyLeaks}, kept only for {@code HostilePeerSwarmTest}, which another
 * change is editing at the same time: once that test calls {@link NettyLeaks}, delete this class.
 */
final class LeakRecorder {
  private LeakRecorder() {}

  static void install() {
    NettyLeaks.install();
  }

  static void assertNoLeaks() {
    NettyLeaks.assertNoLeaks();
  }
}
