package org.functorrent.tracker.internal;

import com.google.common.net.InetAddresses;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Resolves a tracker's host name off the event loop: an address literal at once, a name on the
 * common pool (the JDK resolver blocks, and an event loop must never block).
 */
final class Resolver {
  private static final Executor EXECUTOR = ForkJoinPool.commonPool();

  private Resolver() {}

  static CompletableFuture<InetSocketAddress> resolve(String host, int port) {
    String literal = host;
    if (literal.startsWith("[") && literal.endsWith("]")) {
      literal = literal.substring(1, literal.length() - 1);
    }
    if (InetAddresses.isInetAddress(literal)) {
      return CompletableFuture.completedFuture(
          new InetSocketAddress(InetAddresses.forString(literal), port));
    }
    String name = literal;
    return CompletableFuture.supplyAsync(
        () -> {
          InetSocketAddress a = new InetSocketAddress(name, port);
          if (a.isUnresolved()) {
            throw new CompletionException(
                new java.net.UnknownHostException("unknown host " + name));
          }
          return a;
        },
        EXECUTOR);
  }
}
