package org.functorrent.interop;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * qBittorrent 4.5 from Debian ({@code qbittorrent-nox}), one fresh instance per use, with a
 * profile the harness writes, controlled through its Web API on a loopback port.
 *
 * <p>The profile keeps it on loopback: peers and the Web UI on 127.0.0.1 (interface {@code lo}),
 * DHT, local service discovery, peer exchange, UPnP/NAT-PMP, the embedded tracker, RSS, search and
 * peer country look-ups off, TCP only, and an IP filter that blocks every IPv4 address outside
 * 127.0.0.0/8 for peers and trackers. For a swarm on one address it allows several connections
 * per IP and turns libtorrent's SSRF mitigation off. The legal notice is accepted in the profile,
 * and the Web UI needs no login from localhost.
 *
 * <p>Quirks: 4.5 stores the protocol setting as an enum name ({@code TCP}), not a number; with uTP
 * on it first tries uTP against a TCP-only peer and loses seconds. Its API refreshes torrent
 * states every 1.5 s unless the refresh interval is lowered (the profile sets 100 ms).
 */
public final class QBittorrent implements AutoCloseable {
  private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"(\\w+)\"");
  private static final Pattern PROGRESS = Pattern.compile("\"progress\"\\s*:\\s*([0-9.eE+-]+)");
  private static final Set<String> SEEDING =
      Set.of("uploading", "stalledUP", "queuedUP", "forcedUP");
  private static final Set<String> FAILED = Set.of("error", "missingFiles");

  private final ExternalProcess process;
  private final int port;
  private final int webUiPort;
  private final Path profile;

  private QBittorrent(ExternalProcess process, int port, int webUiPort, Path profile) {
    this.process = process;
    this.port = port;
    this.webUiPort = webUiPort;
    this.profile = profile;
  }

  /** Starts qBittorrent with a fresh profile in {@code workDir}; returns once its Web API answers. */
  public static QBittorrent start(Path workDir) {
    int port = LoopbackPorts.free();
    int webUiPort = LoopbackPorts.free();
    Path home = workDir.resolve("qbittorrent-" + port);
    Path profile = home.resolve("profile");
    Path config = profile.resolve("qBittorrent/config");
    Path filter = home.resolve("loopback-only.dat");
    try {
      Files.createDirectories(config);
      // eMule filter format: range, access level (below 127 blocks), description.
      Files.write(
          filter,
          List.of(
              "000.000.000.000 - 126.255.255.255 , 000 , outside loopback",
              "128.000.000.000 - 255.255.255.255 , 000 , outside loopback"));
      Files.writeString(
          config.resolve("qBittorrent.conf"), profile(port, webUiPort, home, filter), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare qBittorrent in " + home, e);
    }
    ExternalProcess process =
        ExternalProcess.start(
            List.of("qbittorrent-nox", "--profile=" + profile),
            home,
            workDir.resolve("qbittorrent-" + port + ".log"));
    QBittorrent client = new QBittorrent(process, port, webUiPort, profile);
    client.awaitWebUi(Duration.ofSeconds(60));
    return client;
  }

  private static String profile(int port, int webUiPort, Path home, Path filter) {
    return String.join(
        "\n",
        "[LegalNotice]",
        "Accepted=true",
        "",
        "[BitTorrent]",
        "Session\\Interface=lo",
        "Session\\InterfaceName=lo",
        "Session\\InterfaceAddress=127.0.0.1",
        "Session\\Port=" + port,
        "Session\\UseRandomPort=false",
        "Session\\DHTEnabled=false",
        "Session\\LSDEnabled=false",
        "Session\\PeXEnabled=false",
        "Session\\BTProtocol=TCP",
        "Session\\Encryption=0",
        "Session\\MultiConnectionsPerIp=true",
        "Session\\SSRFMitigation=false",
        "Session\\AddTrackersEnabled=false",
        "Session\\QueueingSystemEnabled=false",
        "Session\\AddTorrentPaused=false",
        "Session\\GlobalMaxRatio=-1",
        "Session\\GlobalMaxSeedingMinutes=-1",
        "Session\\DefaultSavePath=" + home.resolve("downloads"),
        "Session\\TempPathEnabled=false",
        "Session\\AddExtensionToIncompleteFiles=false",
        "Session\\Preallocation=false",
        "Session\\IPFilteringEnabled=true",
        "Session\\IPFilter=" + filter,
        "Session\\TrackerFilteringEnabled=true",
        "Session\\RefreshInterval=100",
        "TrackerEnabled=false",
        "",
        "[Network]",
        "PortForwardingEnabled=false",
        "",
        "[Preferences]",
        "Connection\\UPnP=false",
        "Connection\\ResolvePeerCountries=false",
        "Connection\\ResolvePeerHostNames=false",
        "DynDNS\\Enabled=false",
        "Search\\SearchEnabled=false",
        "General\\Locale=en",
        "WebUI\\Enabled=true",
        "WebUI\\Address=127.0.0.1",
        "WebUI\\Port=" + webUiPort,
        "WebUI\\UseUPnP=false",
        "WebUI\\LocalHostAuth=false",
        "WebUI\\HostHeaderValidation=false",
        "WebUI\\CSRFProtection=false",
        "MailNotification\\enabled=false",
        "",
        "[RSS]",
        "AutoDownloader\\EnableProcessing=false",
        "Session\\EnableProcessing=false",
        "",
        "[Application]",
        "FileLogger\\Enabled=true",
        "FileLogger\\Path=" + home,
        "");
  }

  private void awaitWebUi(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        get("app/version");
        return;
      } catch (UncheckedIOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          process.close();
          throw new IllegalStateException(
              "qBittorrent's Web UI did not come up: " + notYet.getMessage() + "\n" + output());
        }
        sleep();
      }
    }
  }

  public int port() {
    return port;
  }

  /** Where qBittorrent listens for peers. */
  public InetSocketAddress address() {
    return new InetSocketAddress(LoopbackPorts.loopback(), port);
  }

  /**
   * Adds {@code torrent}, to be saved in (or seeded from) {@code saveDir}; qBittorrent checks what
   * is already there first.
   */
  public void add(Path torrent, Path saveDir) {
    String boundary = "----functorrent" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      field(body, boundary, "savepath", saveDir.toString());
      field(body, boundary, "paused", "false");
      field(body, boundary, "skip_checking", "false");
      field(body, boundary, "autoTMM", "false");
      field(body, boundary, "contentLayout", "Original");
      body.write(
          ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"torrents\";"
                  + " filename=\"t.torrent\"\r\nContent-Type: application/x-bittorrent\r\n\r\n")
              .getBytes(UTF_8));
      body.write(Files.readAllBytes(torrent));
      body.write(("\r\n--" + boundary + "--\r\n").getBytes(UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String answer =
        post("torrents/add", "multipart/form-data; boundary=" + boundary, body.toByteArray());
    if (!answer.trim().equals("Ok.")) {
      throw new IllegalStateException("qBittorrent refused " + torrent + ": " + answer);
    }
  }

  private static void field(ByteArrayOutputStream body, String boundary, String name, String value)
      throws IOException {
    body.write(
        ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n"
                + value + "\r\n")
            .getBytes(UTF_8));
  }

  /** The state and progress of the one torrent qBittorrent has (its Web API's words). */
  public record Status(String state, double progress) {
    public boolean seeding() {
      return SEEDING.contains(state) || progress >= 1 && !state.startsWith("paused")
          && !state.startsWith("checking");
    }
  }

  public Status status() {
    String info = get("torrents/info");
    Matcher state = STATE.matcher(info);
    Matcher progress = PROGRESS.matcher(info);
    if (!state.find() || !progress.find()) {
      return new Status("none", 0);
    }
    return new Status(state.group(1), Double.parseDouble(progress.group(1)));
  }

  /**
   * Waits until qBittorrent has the whole torrent (downloaded, or checked and seeding).
   *
   * @throws IllegalStateException if it reports an error, exits, or takes longer than {@code
   *     timeout}
   */
  public Status awaitComplete(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Status last = status();
    while (!last.seeding()) {
      if (FAILED.contains(last.state()) || !process.isAlive()) {
        throw new IllegalStateException("qBittorrent failed (" + last + "):\n" + output());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "qBittorrent not complete within " + timeout + " (" + last + "):\n" + output());
      }
      sleep();
      last = status();
    }
    return last;
  }

  /** Makes qBittorrent announce every torrent now. */
  public void reannounce() {
    post("torrents/reannounce", "application/x-www-form-urlencoded", "hashes=all".getBytes(UTF_8));
  }

  /** qBittorrent's own log file and what it printed. */
  public String output() {
    StringBuilder out = new StringBuilder(process.output());
    Path log = profile.getParent().resolve("qbittorrent.log");
    try {
      if (Files.exists(log)) {
        String text = Files.readString(log, UTF_8);
        out.append(text.length() > 4000 ? text.substring(text.length() - 4000) : text);
      }
    } catch (IOException e) {
      out.append("(cannot read ").append(log).append(": ").append(e.getMessage()).append(')');
    }
    return out.toString();
  }

  private String get(String api) {
    return exchange(api, null, null);
  }

  private String post(String api, String contentType, byte[] body) {
    return exchange(api, contentType, body);
  }

  private String exchange(String api, String contentType, byte[] body) {
    String url = "http://127.0.0.1:" + webUiPort + "/api/v2/" + api;
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(10_000);
      try {
        if (body != null) {
          c.setRequestMethod("POST");
          c.setDoOutput(true);
          c.setRequestProperty("Content-Type", contentType);
          c.setFixedLengthStreamingMode(body.length);
          try (OutputStream out = c.getOutputStream()) {
            out.write(body);
          }
        }
        int code = c.getResponseCode();
        if (code != 200) {
          throw new IOException(url + " answered HTTP " + code);
        }
        try (InputStream in = c.getInputStream()) {
          return new String(in.readAllBytes(), UTF_8);
        }
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Shuts qBittorrent down through its API (so it says "stopped" to trackers), then stops it. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        post("app/shutdown", "application/x-www-form-urlencoded", new byte[0]);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (process.isAlive() && System.nanoTime() < deadline) {
          sleep();
        }
      }
    } catch (RuntimeException e) {
      // It is stopped by signal below either way.
    } finally {
      process.close();
    }
  }
}
