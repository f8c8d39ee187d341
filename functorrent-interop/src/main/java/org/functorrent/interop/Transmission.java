package org.functorrent.interop;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * Transmission 3.00 from Debian ({@code transmission-cli}) as a BitTorrent leecher on 127.0.0.1,
 * one fresh instance (its own configuration directory and port) per use.
 *
 * <p>Its settings bind every socket to 127.0.0.1 (and ::1), and turn DHT, local peer discovery,
 * peer exchange, uTP, port mapping (UPnP and NAT-PMP) and the block list off. It learns of peers
 * from the torrent's tracker only.
 *
 * <p>Quirks that shape a test:
 *
 * <ul>
 *   <li>Transmission 3.00 never dials a peer on 127.0.0.0/8 (it discards loopback addresses from
 *       tracker responses as "martian"); it only accepts incoming connections. A seeder must learn
 *       Transmission's address from the tracker after Transmission announced, and dial it: wait
 *       for it with {@link OpenTracker#awaitSwarm}, then make the seeder re-announce.
 *   <li>About ten seconds pass between the connection and the first payload, and it downloads at
 *       about 30 MiB/s at most on loopback: keep the data small.
 *   <li>It does not create zero-length files.
 * </ul>
 *
 * <p>Completion is learnt from the torrent-done script, which {@code transmission-cli} runs once
 * every piece is verified.
 */
public final class Transmission implements AutoCloseable {
  private final ExternalProcess process;
  private final Path doneMarker;
  private final int port;

  private Transmission(ExternalProcess process, Path doneMarker, int port) {
    this.process = process;
    this.doneMarker = doneMarker;
    this.port = port;
  }

  /**
   * Starts a Transmission leecher of {@code torrent} that saves into {@code saveDir} and keeps its
   * configuration and logs in {@code workDir}.
   */
  public static Transmission leech(Path workDir, Path torrent, Path saveDir) {
    int port = LoopbackPorts.free();
    Path home = workDir.resolve("transmission-" + port);
    Path config = home.resolve("config");
    Path doneMarker = home.resolve("done");
    Path doneScript = home.resolve("done.sh");
    try {
      Files.createDirectories(config);
      Files.createDirectories(saveDir);
      Files.writeString(config.resolve("settings.json"), settings(port, saveDir), UTF_8);
      // Transmission runs the script without arguments, the torrent in its environment.
      Files.writeString(
          doneScript, "#!/bin/sh\necho \"$TR_TORRENT_NAME\" > '" + doneMarker + "'\n", UTF_8);
      Files.setPosixFilePermissions(doneScript, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare transmission in " + home, e);
    }
    List<String> command =
        List.of(
            "transmission-cli",
            "--config-dir",
            config.toString(),
            "--download-dir",
            saveDir.toString(),
            "--port",
            Integer.toString(port),
            "--no-portmap",
            "--no-blocklist",
            "--encryption-tolerated",
            "--finish",
            doneScript.toString(),
            torrent.toString());
    ExternalProcess process =
        ExternalProcess.start(command, home, workDir.resolve("transmission-" + port + ".log"));
    return new Transmission(process, doneMarker, port);
  }

  private static String settings(int port, Path saveDir) {
    return String.join(
        "\n",
        "{",
        "  \"bind-address-ipv4\": \"127.0.0.1\",",
        "  \"bind-address-ipv6\": \"::1\",",
        "  \"peer-port\": " + port + ",",
        "  \"peer-port-random-on-start\": false,",
        "  \"port-forwarding-enabled\": false,",
        "  \"dht-enabled\": false,",
        "  \"lpd-enabled\": false,",
        "  \"pex-enabled\": false,",
        "  \"utp-enabled\": false,",
        "  \"blocklist-enabled\": false,",
        "  \"rpc-enabled\": false,",
        "  \"encryption\": 0,",
        "  \"download-dir\": \"" + jsonEscape(saveDir.toString()) + "\",",
        "  \"incomplete-dir-enabled\": false,",
        "  \"watch-dir-enabled\": false,",
        "  \"rename-partial-files\": false,",
        "  \"ratio-limit-enabled\": false,",
        "  \"idle-seeding-limit-enabled\": false,",
        "  \"download-queue-enabled\": false,",
        "  \"seed-queue-enabled\": false,",
        "  \"queue-stalled-enabled\": false,",
        "  \"speed-limit-down-enabled\": false,",
        "  \"speed-limit-up-enabled\": false,",
        "  \"alt-speed-enabled\": false,",
        "  \"message-level\": 2",
        "}",
        "");
  }

  private static String jsonEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  public int port() {
    return port;
  }

  /** Where Transmission listens; the tracker hands this to the seeders. */
  public InetSocketAddress address() {
    return new InetSocketAddress(LoopbackPorts.loopback(), port);
  }

  /**
   * Waits until Transmission has every piece verified.
   *
   * @throws IllegalStateException if it exits or does not finish within {@code timeout}
   */
  public void awaitDone(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(doneMarker)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("transmission-cli exited early:\n" + output());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "transmission did not finish within " + timeout + ":\n" + output());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** What Transmission printed so far, its progress lines split at carriage returns. */
  public String output() {
    String out = process.output().replace('\r', '\n');
    return out.length() > 4000 ? out.substring(out.length() - 4000) : out;
  }

  @Override
  public void close() {
    process.close();
  }
}
