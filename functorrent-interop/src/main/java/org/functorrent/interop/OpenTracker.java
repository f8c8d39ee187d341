package org.functorrent.interop;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    if (!infoHashes.isEmpty()) {
      tracker.awaitWhitelist(infoHashes.iterator().next());
    }
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

  /**
   * opentracker reads its whitelist in a thread of its own after it starts listening: until then
   * it refuses every torrent. Announces a probe peer (at the tracker's own address) until the
   * tracker accepts {@code infoHash}, then takes the probe out of the swarm again.
   */
  private void awaitWhitelist(String infoHash) {
    String query =
        "announce?info_hash=" + percentEncode(infoHash) + "&peer_id=-PROBE0-000000000000&port="
            + port + "&uploaded=0&downloaded=0&left=0&compact=1";
    long deadline = System.nanoTime() + 10_000_000_000L;
    String answer = "";
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        answer = get(query + "&event=started");
        if (answer.contains("8:intervali")) {
          get(query + "&event=stopped");
          return;
        }
      } catch (UncheckedIOException notYet) {
        answer = notYet.getMessage();
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    process.close();
    throw new IllegalStateException(
        "opentracker did not accept " + infoHash + " (" + answer + "):\n" + process.output());
  }

  private static String percentEncode(String hex) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < hex.length(); i += 2) {
      s.append('%').append(hex, i, i + 2);
    }
    return s.toString();
  }

  private String get(String pathAndQuery) {
    String url = "http://127.0.0.1:" + port + "/" + pathAndQuery;
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(2000);
      try (InputStream in = c.getInputStream()) {
        return new String(in.readAllBytes(), ISO_8859_1);
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot get " + url, e);
    }
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

  /** What the tracker knows of one torrent's swarm: seeders and leechers that announced. */
  public record Swarm(int complete, int incomplete) {}

  private static final Pattern COMPLETE = Pattern.compile("8:completei(\\d+)e");
  private static final Pattern INCOMPLETE = Pattern.compile("10:incompletei(\\d+)e");

  /**
   * Scrapes the tracker for {@code infoHash} (40 hex digits): how many seeders and leechers it
   * lists. A way to see that a client has announced without asking the client.
   */
  public Swarm scrape(String infoHash) {
    String body = get("scrape?info_hash=" + percentEncode(infoHash));
    Matcher complete = COMPLETE.matcher(body);
    Matcher incomplete = INCOMPLETE.matcher(body);
    if (!complete.find() || !incomplete.find()) {
      return new Swarm(0, 0); // opentracker answers an empty "files" for an unknown torrent
    }
    return new Swarm(Integer.parseInt(complete.group(1)), Integer.parseInt(incomplete.group(1)));
  }

  /** Polls {@link #scrape} until {@code condition} holds; returns the swarm that satisfied it. */
  public Swarm awaitSwarm(String infoHash, Predicate<Swarm> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Swarm last = scrape(infoHash);
    while (!condition.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the tracker's swarm for " + infoHash + " is still " + last + " after " + timeout);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      last = scrape(infoHash);
    }
    return last;
  }

  @Override
  public void close() {
    process.close();
  }
}
