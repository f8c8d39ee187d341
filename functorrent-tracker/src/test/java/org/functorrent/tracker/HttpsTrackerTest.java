package org.functorrent.tracker;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An https tracker (the JDK's HTTPS server with a certificate made by keytool for 127.0.0.1). */
class HttpsTrackerTest {
  private static final char[] PASSWORD = "changeit".toCharArray();

  @Test
  void announceOverHttpsWithATrustedCertificateAndFailureWithoutIt(@TempDir Path dir)
      throws Exception {
    Path store = dir.resolve("tracker.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p =
        new ProcessBuilder(
                keytool,
                "-genkeypair",
                "-alias",
                "tracker",
                "-keyalg",
                "EC",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), ISO_8859_1);
    assertThat(p.waitFor()).as(output).isZero();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, PASSWORD);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD);
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
    byte[] body =
        "d8:intervali900e5:peers6:\u007f\u0000\u0000\u0001\u001a\u00e1e".getBytes(ISO_8859_1);
    server.createContext(
        "/announce",
        x -> {
          x.sendResponseHeaders(200, body.length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(keys);
    EventLoopGroup group = Groups.newGroup();
    TrackerClient trusting =
        TrackerClient.builder(group)
            .sslContext(SslContextBuilder.forClient().trustManager(tmf).build())
            .build();
    TrackerClient defaults =
        TrackerClient.builder(group).httpTimeout(Duration.ofSeconds(5)).build();
    try {
      URI uri = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/announce");
      AnnounceRequest r =
          AnnounceRequest.of(
              InfoHash.fromHex("abababababababababababababababababababab"),
              PeerId.random("-T-"),
              1,
              TransferStats.of(0, 0, 1));
      assertThat(trusting.announce(uri, r).get(10, TimeUnit.SECONDS).peers())
          .containsExactly(new InetSocketAddress("127.0.0.1", 6881));
      try {
        defaults.announce(uri, r).get(10, TimeUnit.SECONDS);
        throw new AssertionError("a self-signed certificate was trusted by default");
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(TrackerException.class);
        assertThat(((TrackerException) e.getCause()).reason()).startsWith("TLS failed: ");
      }
    } finally {
      trusting.closeAsync().join();
      defaults.closeAsync().join();
      Groups.shutdown(group);
      server.stop(0);
    }
  }
}
