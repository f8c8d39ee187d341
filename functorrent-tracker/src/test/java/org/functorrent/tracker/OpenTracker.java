package org.functorrent.tracker;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.functorrent.metainfo.InfoHash;

/**
 * The real opentracker (Debian package {@code opentracker}) as a child process on 127.0.0.1, HTTP
 * and UDP on one free port. Debian builds it whitelist-only, so it gets a temporary whitelist of
 * the info-hashes a test uses. Starting fails, it does not skip, when opentracker is missing.
 */
final class OpenTracker implements AutoCloseable {
  private final Process process;
  private final Path dir;
  private final int port;

  private OpenTracker(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  static OpenTracker start(List<InfoHash> whitelist) throws IOException, InterruptedException {
    Path dir =
        Files.createTempDirectory(
            "opentracker",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path list = dir.resolve("whitelist.txt");
    Files.writeString(
        list,
        whitelist.stream().map(InfoHash::toHex).collect(Collectors.joining("\n", "", "\n")),
        US_ASCII);
    Files.setPosixFilePermissions(list, PosixFilePermissions.fromString("rw-r--r--"));
    int port = freePort();
    // As root, opentracker chroots into -d and drops to nobody; the whitelist path is then
    // relative to the chroot.
    boolean root = "root".equals(System.getProperty("user.name"));
    List<String> command =
        root
            ? List.of(
                "opentracker",
                "-i",
                "127.0.0.1",
                "-p",
                "" + port,
                "-P",
                "" + port,
                "-d",
                dir.toString(),
                "-w",
                "whitelist.txt")
            : List.of(
                "opentracker",
                "-i",
                "127.0.0.1",
                "-p",
                "" + port,
                "-P",
                "" + port,
                "-w",
                list.toString());
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("opentracker.log").toFile())
              .start();
    } catch (IOException e) {
      throw new IOException(
          "cannot run opentracker (install the Debian package opentracker, see "
              + "scripts/install-test-clients.sh): "
              + e.getMessage(),
          e);
    }
    OpenTracker tracker = new OpenTracker(p, dir, port);
    for (int i = 0; i < 100; i++) {
      if (!p.isAlive()) {
        String log = Files.readString(dir.resolve("opentracker.log"));
        tracker.close();
        throw new IOException("opentracker exited with " + p.exitValue() + ": " + log);
      }
      try {
        new Socket(InetAddress.getLoopbackAddress(), port).close();
        return tracker;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    tracker.close();
    throw new IOException("opentracker did not listen on 127.0.0.1:" + port + " within 5 s");
  }

  /** A port that is free for both TCP and UDP on loopback right now. */
  private static int freePort() throws IOException {
    for (int i = 0; i < 20; i++) {
      try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = tcp.getLocalPort();
        try {
          new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).close();
          return port;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    throw new IOException("no free loopback port for TCP and UDP");
  }

  URI httpAnnounce() {
    return URI.create("http://127.0.0.1:" + port + "/announce");
  }

  URI udpAnnounce() {
    return URI.create("udp://127.0.0.1:" + port);
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
