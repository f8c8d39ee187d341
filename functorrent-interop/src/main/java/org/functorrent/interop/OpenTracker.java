package org.functorrent.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.List;

/**
 * Debian's opentracker on 127.0.0.1, HTTP and UDP on one port. Debian builds it whitelist-only:
 * it serves only the info-hashes given to {@link #start}.
 */
public final class OpenTracker implements AutoCloseable {
  private final ExternalProcess process;
  private final int port;

  private OpenTracker(ExternalProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts opentracker for {@code infoHashes} (40 hex digits each) and waits until it listens. */
  public static OpenTracker start(Path workDir, Collection<String> infoHashes) {
    int port = LoopbackPorts.free();
    // opentracker chroots into its root directory and drops to user nobody, who must be able to
    // read the whitelist there, so the directory is its own and world-readable.
    Path root = workDir.resolve("opentracker-" + port);
    Path config = workDir.resolve("opentracker-" + port + ".conf");
    try {
      Files.createDirectories(root);
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path whitelist = root.resolve("whitelist.txt");
      Files.write(whitelist, infoHashes);
      Files.setPosixFilePermissions(whitelist, PosixFilePermissions.fromString("rw-r--r--"));
      Files.write(
          config,
          List.of(
              "listen.tcp_udp 127.0.0.1:" + port,
              "tracker.rootdir " + root,
              "tracker.user nobody",
              "access.whitelist whitelist.txt",
              "access.stats 127.0.0.1"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare opentracker in " + root, e);
    }
    ExternalProcess process =
        ExternalProcess.start(
            List.of("opentracker", "-f", config.toString()),
            workDir,
            workDir.resolve("opentracker-" + port + ".log"));
    OpenTracker tracker = new OpenTracker(process, port);
    tracker.awaitListening();
    return tracker;
  }

  private void awaitListening() {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(LoopbackPorts.loopback(), port), 200);
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          break;
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    process.close();
    throw new IllegalStateException("opentracker did not start:\n" + process.output());
  }

  public int port() {
    return port;
  }

  public String httpAnnounceUrl() {
    return "http://127.0.0.1:" + port + "/announce";
  }

  public String udpAnnounceUrl() {
    return "udp://127.0.0.1:" + port + "/announce";
  }

  @Override
  public void close() {
    process.close();
  }
}
