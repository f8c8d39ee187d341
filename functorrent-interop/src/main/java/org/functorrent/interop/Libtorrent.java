package org.functorrent.interop;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * libtorrent-rasterbar, the reference implementation, through Debian's python3-libtorrent: what it
 * makes of a torrent, and a libtorrent peer that seeds or downloads on loopback.
 */
public final class Libtorrent {
  /** Debian's python3-libtorrent is built for this interpreter, not for any python3 on PATH. */
  public static final String PYTHON = "/usr/bin/python3";
  /** How long a process that is no longer alive gets to report its exit status. */
  private static final Duration WAIT_EXIT = Duration.ofSeconds(5);

  private final Path workDir;
  private final Path script;

  private Libtorrent(Path workDir, Path script) {
    this.workDir = workDir;
    this.script = script;
  }

  /** A harness that keeps its script, logs and status files in {@code workDir}. */
  public static Libtorrent in(Path workDir) {
    Path script = workDir.resolve("lt_client.py");
    try (InputStream in = Libtorrent.class.getResourceAsStream("lt_client.py")) {
      Files.createDirectories(workDir);
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + script, e);
    }
    return new Libtorrent(workDir, script);
  }

  /** libtorrent's reading of a torrent file. */
  public record View(String infoHash, int fileCount, long totalSize) {}

  public View view(Path torrent) {
    String[] fields = run("hash", torrent.toString()).trim().split(" ");
    return new View(fields[0], Integer.parseInt(fields[1]), Long.parseLong(fields[2]));
  }

  /** Makes a torrent of {@code data} with libtorrent's creator; returns its v1 info-hash. */
  public String create(Path data, Path out, int pieceLength, boolean hybrid) {
    return run("create", data.toString(), out.toString(), Integer.toString(pieceLength),
            hybrid ? "hybrid" : "v1")
        .trim();
  }

  /** The result of libtorrent checking data against a torrent. */
  public record Check(int verified, int pieces) {
    public boolean complete() {
      return verified == pieces;
    }
  }

  public Check verify(Path torrent, Path saveDir) {
    List<String> command = command("verify", torrent.toString(), saveDir.toString());
    Path log = workDir.resolve("verify-" + System.nanoTime() + ".log");
    try (ExternalProcess p = ExternalProcess.start(command, workDir, log)) {
      p.waitFor(Duration.ofMinutes(3));
      String[] lines = p.output().trim().split("\n");
      String[] fields = lines[lines.length - 1].trim().split(" ");
      return new Check(Integer.parseInt(fields[0]), Integer.parseInt(fields[1]));
    }
  }

  /**
   * Starts a seeder of {@code torrent} over the data in {@code saveDir}, listening on 127.0.0.1 at
   * {@code port}, dialling {@code peers}; returns once libtorrent has checked the data and has all
   * of it (and has announced, if the torrent names a tracker).
   */
  public Peer seed(Path torrent, Path saveDir, int port, List<InetSocketAddress> peers) {
    return seed(torrent, saveDir, port, peers, List.of());
  }

  /**
   * As {@link #seed(Path, Path, int, List)}, with libtorrent's DHT on and bootstrapped from {@code
   * dhtNodes} only, which must be loopback addresses (the script refuses others); the seeder
   * announces itself into that DHT.
   */
  public Peer seed(
      Path torrent, Path saveDir, int port, List<InetSocketAddress> peers,
      List<InetSocketAddress> dhtNodes) {
    Peer peer = start("seed", torrent.toString(), saveDir, port, peers, dhtNodes,
        Duration.ofMinutes(10));
    peer.awaitStatus("SEEDING", Duration.ofMinutes(3));
    return peer;
  }

  /**
   * Starts libtorrent on a magnet link of {@code infoHashHex} with no tracker, its DHT on and
   * bootstrapped from the loopback {@code dhtNodes} only: it finds peers through the DHT and
   * connects to them. Runs until closed or {@code timeout}.
   */
  public Peer magnet(
      String infoHashHex, Path saveDir, int port, List<InetSocketAddress> dhtNodes,
      Duration timeout) {
    return start("magnet", infoHashHex, saveDir, port, List.of(), dhtNodes, timeout);
  }

  /**
   * Starts a seeder that never checks the data in {@code saveDir} (libtorrent's seed mode with
   * every piece marked verified): where the files are corrupt, it serves corrupt blocks. Returns
   * once it is seeding.
   */
  public Peer seedUnchecked(Path torrent, Path saveDir, int port, List<InetSocketAddress> peers) {
    Peer peer = start("seed-unchecked", torrent.toString(), saveDir, port, peers, List.of(),
        Duration.ofMinutes(10));
    peer.awaitStatus("SEEDING", Duration.ofMinutes(3));
    return peer;
  }

  /** Starts a leecher of {@code torrent} into {@code saveDir}; see {@link Peer#awaitDone}. */
  public Peer leech(
      Path torrent, Path saveDir, int port, List<InetSocketAddress> peers, Duration timeout) {
    return start("leech", torrent.toString(), saveDir, port, peers, List.of(), timeout);
  }

  /** Option of {@link #seedWith} and {@link #leechWith}: use peer exchange (ut_pex). */
  public static final String PEX = "--pex";

  /** Option: print each peer the torrent connects to (see {@link Peer#peersSeen()}). */
  public static final String LOG_PEERS = "--log-peers";

  /** Option: cap the torrent's upload rate. */
  public static List<String> uploadLimit(long bytesPerSecond) {
    return List.of("--upload-limit", Long.toString(bytesPerSecond));
  }

  /** Option: cap the torrent's download rate. */
  public static List<String> downloadLimit(long bytesPerSecond) {
    return List.of("--download-limit", Long.toString(bytesPerSecond));
  }

  /**
   * A leecher of {@code torrentOrMagnet} (a {@code .torrent} path, or a magnet link whose
   * metadata libtorrent fetches with ut_metadata) with options ({@link #PEX}, {@link #LOG_PEERS},
   * {@link #downloadLimit}, {@link #uploadLimit}).
   */
  public Peer leechWith(
      String torrentOrMagnet,
      Path saveDir,
      int port,
      List<InetSocketAddress> peers,
      Duration timeout,
      List<String> options) {
    return start("leech", torrentOrMagnet, saveDir, port, peers, List.of(), timeout, options);
  }

  /**
   * A leecher of {@code torrentOrMagnet} with libtorrent's DHT on, bootstrapped from the loopback
   * {@code dhtNodes} only, and no peer given: it finds peers through the DHT (a trackerless magnet
   * link, say). See {@link Peer#awaitDone}.
   */
  public Peer leechWithDht(
      String torrentOrMagnet, Path saveDir, int port, List<InetSocketAddress> dhtNodes,
      Duration timeout) {
    return start("leech", torrentOrMagnet, saveDir, port, List.of(), dhtNodes, timeout);
  }

  /** A seeder as {@link #seed}, with options ({@link #PEX}, {@link #LOG_PEERS}, limits). */
  public Peer seedWith(
      Path torrent, Path saveDir, int port, List<InetSocketAddress> peers, List<String> options) {
    Peer peer =
        start("seed", torrent.toString(), saveDir, port, peers, List.of(), Duration.ofMinutes(10),
            options);
    peer.awaitStatus("SEEDING", Duration.ofMinutes(3));
    return peer;
  }

  private Peer start(
      String mode,
      String torrent,
      Path saveDir,
      int port,
      List<InetSocketAddress> peers,
      List<InetSocketAddress> dhtNodes,
      Duration timeout) {
    return start(mode, torrent, saveDir, port, peers, dhtNodes, timeout, List.of());
  }

  private Peer start(
      String mode,
      String torrent,
      Path saveDir,
      int port,
      List<InetSocketAddress> peers,
      List<InetSocketAddress> dhtNodes,
      Duration timeout,
      List<String> options) {
    Path status = workDir.resolve(mode + "-" + port + ".status");
    List<String> command = command(mode, torrent, saveDir.toString(), Integer.toString(port));
    command.addAll(options);
    for (InetSocketAddress peer : peers) {
      command.add("--peer");
      command.add(peer.getAddress().getHostAddress() + ":" + peer.getPort());
    }
    for (InetSocketAddress node : dhtNodes) {
      if (node.isUnresolved() || !node.getAddress().isLoopbackAddress()) {
        throw new IllegalArgumentException("DHT node " + node + " (expected: 127.x.x.x)");
      }
      command.add("--dht");
      command.add(node.getAddress().getHostAddress() + ":" + node.getPort());
    }
    command.add("--status");
    command.add(status.toString());
    command.add("--timeout");
    command.add(Long.toString(timeout.toSeconds()));
    ExternalProcess process =
        ExternalProcess.start(command, workDir, workDir.resolve(mode + "-" + port + ".log"));
    return new Peer(process, status, port);
  }

  private List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(PYTHON);
    command.add(script.toString());
    command.addAll(List.of(args));
    return command;
  }

  private String run(String... args) {
    return ExternalProcess.run(command(args), workDir, Duration.ofMinutes(3));
  }

  /** A running libtorrent seeder or leecher. */
  public static final class Peer implements AutoCloseable {
    private final ExternalProcess process;
    private final Path status;
    private final int port;

    Peer(ExternalProcess process, Path status, int port) {
      this.process = process;
      this.status = status;
      this.port = port;
    }

    public InetSocketAddress address() {
      return new InetSocketAddress(LoopbackPorts.loopback(), port);
    }

    public String output() {
      return process.output();
    }

    /** The peers ("HOST:PORT") it has been connected to, with {@link #LOG_PEERS}. */
    public List<String> peersSeen() {
      List<String> seen = new ArrayList<>();
      for (String line : process.output().split("\n")) {
        if (line.startsWith("peer ")) {
          seen.add(line.substring(5).trim());
        }
      }
      return seen;
    }

    /** Waits until the status file says {@code word}; fails if the process ends first. */
    void awaitStatus(String word, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        String current = status();
        if (current.startsWith(word)) {
          return;
        }
        if (!process.isAlive() || current.startsWith("ERROR")) {
          // The exit status tells a crash (128 + signal, with nothing printed) from an error.
          String ended = process.isAlive() ? "failed" : "ended with " + process.waitFor(WAIT_EXIT);
          throw new IllegalStateException(
              "libtorrent " + ended + " before " + word + " (" + current + "):\n"
                  + process.output());
        }
        pause();
      }
      throw new IllegalStateException(
          "libtorrent not " + word + " within " + timeout + ":\n" + process.output());
    }

    /** Waits for a leecher to finish; returns the seconds libtorrent took to download. */
    public double awaitDone(Duration timeout) {
      int exit = process.waitFor(timeout);
      String current = status();
      if (exit != 0 || !current.startsWith("DONE ")) {
        throw new IllegalStateException(
            "libtorrent leecher failed (exit " + exit + ", " + current + "):\n" + output());
      }
      return Double.parseDouble(current.split(" ")[1]);
    }

    private String status() {
      try {
        return Files.exists(status) ? Files.readString(status, UTF_8).trim() : "";
      } catch (IOException e) {
        return "";
      }
    }

    private static void pause() {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    @Override
    public void close() {
      process.close();
    }
  }
}
