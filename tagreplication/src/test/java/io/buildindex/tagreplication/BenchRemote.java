package io.buildindex.tagreplication;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.buildindex.config.HostPort;
import io.buildindex.tagreplication.wire.NodeJson;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A deliberately minimal remote for throughput runs: HTTP/1.1 keep-alive on raw sockets, one
 * thread per connection, no parsing beyond the request line and Content-Length, no generation
 * checks. It answers the wire contract's GET (404 until put), PUT, GET /origin and (unless built
 * without) {@link WriteBatch#PATH} as cheaply as a fast real remote would, so a bench measures the
 * sender. Not for correctness tests: use {@link FakeRemote}.
 */
final class BenchRemote implements AutoCloseable {
  private final ServerSocket server;
  private static final ObjectMapper JSON = NodeJson.MAPPER; // what a real build-index reads and writes

  private final Map<String, String> tags = new ConcurrentHashMap<>();
  private final boolean servesBatches;

  BenchRemote(boolean servesBatches) throws IOException {
    this.servesBatches = servesBatches;
    server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().name("bench-remote-accept").daemon().start(this::accept);
  }

  String address() {
    return new HostPort("127.0.0.1", server.getLocalPort()).toString();
  }

  int size() {
    return tags.size();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        Thread.ofPlatform().name("bench-remote-conn").daemon().start(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket; InputStream in = new BufferedInputStream(socket.getInputStream());
         OutputStream out = new BufferedOutputStream(socket.getOutputStream())) {
      for (String requestLine = line(in); requestLine != null; requestLine = line(in)) {
        int length = 0;
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
          if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
            length = Integer.parseInt(h.substring(15).strip());
          }
        }
        out.write(answer(requestLine, in.readNBytes(length)));
        out.flush();
      }
    } catch (IOException e) {
      // the client closed the connection
    }
  }

  private byte[] answer(String requestLine, byte[] body) throws IOException {
    String[] parts = requestLine.split(" ");
    String path = parts[1];
    int query = path.indexOf('?');
    path = query < 0 ? path : path.substring(0, query);
    if (path.equals("/origin")) {
      return response("200 OK", "", "origin.bench:15002");
    }
    if (path.equals(WriteBatch.PATH)) {
      return servesBatches ? batch(body) : response("404 Not Found", "", "");
    }
    int digestAt = path.indexOf("/digest/");
    String tag = digestAt < 0 ? path : path.substring(0, digestAt);
    if (parts[0].equals("PUT")) {
      tags.put(tag, path.substring(digestAt + 8));
      return response("200 OK", "X-Tag-Outcome: applied\r\nX-Tag-Generation: 1\r\n", "");
    }
    String digest = tags.get(tag);
    return digest == null ? response("404 Not Found", "", "") : response("200 OK", "X-Tag-Generation: 1\r\n", digest);
  }

  private byte[] batch(byte[] body) throws IOException {
    List<WriteBatch.Result> results = new ArrayList<>();
    for (WriteBatch.Write w : JSON.readValue(body, WriteBatch.Request.class).writes()) {
      tags.put("/tags/" + w.tag().replace("/", "%2F"), String.valueOf(w.digest()));
      results.add(WriteBatch.Result.written("applied", w.generation()));
    }
    return response("200 OK", "", JSON.writeValueAsString(new WriteBatch.Response(results)));
  }

  private static byte[] response(String status, String headers, String body) {
    return ("HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: " + body.length() + "\r\n\r\n" + body)
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder(128);
    for (int c = in.read(); c != -1; c = in.read()) {
      if (c == '\n') {
        int n = b.length();
        return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
      }
      b.append((char) c);
    }
    return b.isEmpty() ? null : b.toString();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
