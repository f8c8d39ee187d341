package org.functorrent.examples.cli;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.Epoll;
import java.util.Locale;

/**
 * One-time set-up of the JDK and Netty that a download's first second waits for, begun on a
 * daemon thread as the command starts, so that it runs on another core while the main thread
 * reads the torrent. Each step is work the main thread would do a little later anyway; when it
 * gets there first it waits for the step (class initialisation is done once, under a lock) and
 * loses nothing.
 */
final class StartupWarmUp {
  private StartupWarmUp() {}

  static void start() {
    Thread thread = new Thread(StartupWarmUp::run, "functorrent-warm-up");
    thread.setDaemon(true);
    thread.start();
  }

  private static void run() {
    try {
      // Netty's native transport: finds, extracts and links its library (the client asks next).
      Epoll.isAvailable();
      // Netty asks every handler class whether it is @Sharable; the first time, the JDK parses
      // the annotation and defines proxy classes for it and for its meta-annotations.
      ChannelInitializer.class.isAnnotationPresent(ChannelHandler.Sharable.class);
      // The first output line's numbers: the formatter, its pattern and the locale's symbols.
      String.format(Locale.ROOT, "%.1f", 1.0);
      String.format("%.1f %s", 1.0, "MiB");
    } catch (RuntimeException | LinkageError e) {
      // Nothing is lost: the main thread meets the same step and reports what it finds.
    }
  }
}
