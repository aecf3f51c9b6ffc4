package io.buildindex.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.net.SocketFactory;

/**
 * A minimal HTTP/1.1 client that sends the request target exactly as given. OkHttp and
 * {@code java.net.URI} re-encode {@code %zz} and may normalize {@code %2F}; these tests need the
 * bytes on the wire to be the bytes in the test. One connection per request
 * ({@code Connection: close}), so a response is everything up to EOF. Over TLS when given an
 * {@link javax.net.ssl.SSLSocketFactory}. Thread-safe.
 */
final class RawHttp {
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final int READ_TIMEOUT_MILLIS = 30_000;
  /** Bodies above this are written from another thread while the response is read. */
  private static final int INLINE_BODY_BYTES = 64 * 1024;

  private final int port;
  private final SocketFactory sockets;

  RawHttp(int port) {
    this(port, SocketFactory.getDefault());
  }

  RawHttp(int port, SocketFactory sockets) {
    this.port = port;
    this.sockets = sockets;
  }

  int port() {
    return port;
  }

  Response send(String method, String target, Map<String, String> headers, byte[] body) {
    byte[] head = head(method, target, headers, body.length).getBytes(StandardCharsets.ISO_8859_1);
    // A large body: the server may answer (413) and close before reading it all, so read while writing.
    return exchange(method, target, out -> {
      out.write(head);
      out.write(body);
    }, body.length > INLINE_BODY_BYTES);
  }

  /**
   * Sends {@code totalBytes} of {@code filler} repeated as a chunked body ({@code Transfer-Encoding:
   * chunked}, no {@code Content-Length}) in chunks of {@code chunkBytes}, generated as it is
   * written and written while the response is read: the server may answer and close early.
   */
  Response sendChunked(String method, String target, Map<String, String> headers, byte filler, long totalBytes,
      int chunkBytes) {
    StringBuilder h = new StringBuilder()
        .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\n")
        .append("Connection: close\r\nTransfer-Encoding: chunked\r\n");
    headers.forEach((name, value) -> h.append(name).append(": ").append(value).append("\r\n"));
    byte[] head = h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    return exchange(method, target, out -> {
      out.write(head);
      byte[] chunk = new byte[chunkBytes];
      java.util.Arrays.fill(chunk, filler);
      byte[] size = (Integer.toHexString(chunkBytes) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
      byte[] crlf = "\r\n".getBytes(StandardCharsets.ISO_8859_1);
      for (long sent = 0; sent < totalBytes; sent += chunkBytes) {
        out.write(size);
        out.write(chunk);
        out.write(crlf);
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }, true);
  }

  /** Sends {@code request} byte for byte (a malformed one, say) and reads the response to EOF. */
  Response sendRaw(String method, byte[] request) {
    return exchange(method, "(raw)", out -> out.write(request), false);
  }

  /** What goes on the wire; may throw once the server has stopped reading. */
  @FunctionalInterface
  interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  private Response exchange(String method, String target, Writer request, boolean concurrently) {
    try (Socket socket = sockets.createSocket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MILLIS);
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      Thread writer = null;
      if (concurrently) {
        writer = Thread.ofVirtual().start(() -> writeQuietly(out, request));
      } else {
        request.writeTo(out);
        out.flush();
      }
      byte[] raw = readAll(socket.getInputStream());
      if (writer != null) {
        writer.join();
      }
      return Response.parse(method, raw);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + target + " on port " + port, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String head(String method, String target, Map<String, String> headers, int bodyLength) {
    StringBuilder b = new StringBuilder()
        .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\n")
        .append("Connection: close\r\n");
    if (bodyLength > 0 || method.equals("PUT") || method.equals("POST")) {
      b.append("Content-Length: ").append(bodyLength).append("\r\n");
    }
    headers.forEach((name, value) -> b.append(name).append(": ").append(value).append("\r\n"));
    return b.append("\r\n").toString();
  }

  private static void writeQuietly(OutputStream out, Writer request) {
    try {
      request.writeTo(out);
      out.flush();
    } catch (IOException e) {
      // The server stopped reading; its response says why.
    }
  }

  /** Reads to EOF; a reset after some bytes arrived keeps what arrived. */
  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[16 * 1024];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      if (out.size() == 0) {
        throw e;
      }
    }
    return out.toByteArray();
  }

  /** A parsed response: status, headers (names case-insensitive) and the body, de-chunked. */
  record Response(int status, Map<String, List<String>> headers, byte[] body) {
    static Response parse(String method, byte[] raw) {
      String text = new String(raw, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        throw new IllegalStateException("no complete response head in: " + text);
      }
      String[] lines = text.substring(0, end).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ", 3)[1]);
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.computeIfAbsent(lines[i].substring(0, colon).strip(), k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).strip());
      }
      byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
      if (method.equals("HEAD")) {
        body = new byte[0];
      } else if ("chunked".equalsIgnoreCase(first(headers, "Transfer-Encoding"))) {
        body = dechunk(body);
      }
      return new Response(status, headers, body);
    }

    private static String first(Map<String, List<String>> headers, String name) {
      List<String> values = headers.get(name);
      return values == null ? null : values.get(0);
    }

    private static byte[] dechunk(byte[] chunked) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int pos = 0;
      while (true) {
        int lineEnd = indexOfCrlf(chunked, pos);
        String sizeLine = new String(chunked, pos, lineEnd - pos, StandardCharsets.ISO_8859_1);
        int size = Integer.parseInt(sizeLine.split(";")[0].strip(), 16);
        if (size == 0) {
          return out.toByteArray();
        }
        out.write(chunked, lineEnd + 2, size);
        pos = lineEnd + 2 + size + 2;
      }
    }

    private static int indexOfCrlf(byte[] b, int from) {
      for (int i = from; i + 1 < b.length; i++) {
        if (b[i] == '\r' && b[i + 1] == '\n') {
          return i;
        }
      }
      throw new IllegalStateException("truncated chunked body");
    }

    /** The first value of header {@code name}, or null. */
    String header(String name) {
      return first(headers, name);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    com.fasterxml.jackson.databind.JsonNode json() {
      try {
        return TestServer.JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (status " + status + "): " + text(), e);
      }
    }

    @Override
    public String toString() {
      return "Response[" + status + " " + headers + " " + text() + "]";
    }
  }
}
