package org.functorrent.tracker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A scripted HTTP tracker on loopback (the JDK's HTTP server), for malformed answers. */
final class FakeHttpTracker implements AutoCloseable {
  interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  FakeHttpTracker(Handler handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", handler::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** A tracker that answers every request with status 200 and {@code body}. */
  static FakeHttpTracker answering(byte[] body) throws IOException {
    return new FakeHttpTracker(exchange -> send(exchange, 200, body));
  }

  static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  URI announce() {
    return uri("/announce");
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
