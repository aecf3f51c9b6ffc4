package io.buildindex.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A remote build-index (or registry) on 127.0.0.1 that misbehaves as a test tells it: answers
 * with an endless body, redirects, or whatever {@link HttpHandler} it is given. Records the
 * requests it received ({@code METHOD path}).
 */
final class HostileRemote implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  private HostileRemote(HttpHandler handler) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", ex -> {
      requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath());
      String authorization = ex.getRequestHeaders().getFirst("Authorization");
      if (authorization != null) {
        authorizations.add(authorization);
      }
      try (ex) {
        ex.getRequestBody().readAllBytes();
        handler.handle(ex);
      }
    });
    server.setExecutor(threads);
    server.start();
  }

  static HostileRemote start(HttpHandler handler) {
    return new HostileRemote(handler);
  }

  /** Answers every request 200 with a chunked body of zeros that goes on until the client hangs up. */
  static HostileRemote endlessBody() {
    return start(ex -> {
      ex.sendResponseHeaders(200, 0); // 0: chunked
      byte[] chunk = new byte[64 * 1024];
      OutputStream out = ex.getResponseBody();
      try {
        while (true) {
          out.write(chunk);
        }
      } catch (IOException hungUp) {
        // what a client that stops reading does
      }
    });
  }

  /** Answers every request {@code status} with a Location on {@code target}, same path. */
  static HostileRemote redirectingTo(int status, String target) {
    return start(ex -> {
      ex.getResponseHeaders().set("Location", "http://" + target + ex.getRequestURI());
      ex.sendResponseHeaders(status, -1);
    });
  }

  /** {@code 127.0.0.1:port}, as remotes rules name it. */
  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  List<String> requests() {
    return List.copyOf(requests);
  }

  /** Every {@code Authorization} header received. */
  List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  /** Answers with {@code status}, {@code body} (text) and the header pairs given. */
  static HttpHandler answer(int status, String body, String... headers) {
    return ex -> {
      for (int i = 0; i + 1 < headers.length; i += 2) {
        ex.getResponseHeaders().set(headers[i], headers[i + 1]);
      }
      byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        ex.getResponseBody().write(bytes);
      }
    };
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
