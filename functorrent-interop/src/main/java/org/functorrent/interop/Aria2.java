package org.functorrent.interop;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * aria2 1.36 from Debian as a BitTorrent leecher on 127.0.0.1, with DHT, local peer discovery and
 * peer exchange off. It finds peers through the torrent's HTTP tracker only: aria2 has no UDP
 * tracker support with DHT off, and no way to be given a peer directly.
 */
public final class Aria2 {
  private Aria2() {}

  /**
   * Downloads {@code torrent} into {@code outDir}, listening on {@code port}; returns once aria2 has
   * every piece and has exited.
   *
   * @throws IllegalStateException if aria2 fails or does not finish within {@code timeout}
   */
  public static void leech(Path torrent, Path outDir, int port, Duration timeout) {
    List<String> command =
        List.of(
            "aria2c",
            "--no-conf",
            "--dir=" + outDir,
            "--listen-port=" + port,
            "--interface=127.0.0.1",
            "--disable-ipv6=true",
            "--enable-dht=false",
            "--enable-dht6=false",
            "--bt-enable-lpd=false",
            "--enable-peer-exchange=false",
            "--bt-require-crypto=false",
            "--bt-min-crypto-level=plain",
            "--seed-time=0",
            "--bt-stop-timeout=" + timeout.toSeconds(),
            "--file-allocation=none",
            "--summary-interval=0",
            "--console-log-level=warn",
            "--check-certificate=false",
            torrent.toString());
    ExternalProcess.run(command, outDir.getParent(), timeout.plusSeconds(30));
  }
}
