import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seeds a build-index server with N tags {@code <repo>:t0 .. <repo>:t<N-1>} by durable PUTs from
 * C virtual threads, each on one keep-alive connection, then exits. Bounded in count (N) and in
 * time (DEADLINE_SECONDS: workers stop issuing at the deadline and the run fails). Talks plain
 * HTTP/1.1 over a socket rather than java.net.http, whose per-request CPU cost would take much of
 * the 2 cores away from the server. Loopback addresses only. Prints one line for bench/run.sh:
 *
 * <pre>SEED_RESULT count=N ok=N failed=N seconds=S rps=R</pre>
 *
 * <pre>java bench/Seed.java http://127.0.0.1:PORT N [CONCURRENCY=64] [REPO=bench/seed] [DEADLINE_SECONDS=900] [QUERY]</pre>
 *
 * QUERY, if given, is appended to every PUT's path as is (e.g. {@code ?replicate=true}). With the
 * environment variable SEED_FIRST=F the tags are {@code t<F> .. t<F+N-1>} instead (to grow a data set
 * in steps).
 *
 * The digest of tag i is a fixed function of i ({@link #digest}).
 */
public final class Seed {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: java Seed.java http://127.0.0.1:PORT N [CONCURRENCY] [REPO] [DEADLINE_SECONDS] [QUERY]");
      System.exit(2);
    }
    URI base = URI.create(args[0]);
    long count = Long.parseLong(args[1]);
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    String repo = (args.length > 3 ? args[3] : "bench/seed").replace("/", "%2F");
    long deadlineSeconds = args.length > 4 ? Long.parseLong(args[4]) : 900;
    String query = args.length > 5 ? args[5] : "";
    String host = base.getHost();
    if (!(host.startsWith("127.") || host.equals("localhost"))) {
      throw new IllegalArgumentException("seeds only a server on the loopback interface, got " + base);
    }
    InetSocketAddress addr = new InetSocketAddress(host, base.getPort());
    String hostHeader = host + ":" + base.getPort();

    long first = Long.parseLong(System.getenv().getOrDefault("SEED_FIRST", "0"));
    AtomicLong next = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(deadlineSeconds).toNanos();
    long progressEvery = Math.max(1, count / 10);

    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      workers.add(Thread.ofVirtual().start(() -> {
        Connection conn = null;
        for (long i = next.getAndIncrement(); i < count && System.nanoTime() < deadline; i = next.getAndIncrement()) {
          String request = "PUT /tags/" + repo + ":t" + (first + i) + "/digest/" + digest(first + i) + query + " HTTP/1.1\r\n"
              + "Host: " + hostHeader + "\r\nContent-Length: 0\r\n\r\n";
          int status;
          try {
            if (conn == null) {
              conn = new Connection(addr);
            }
            status = conn.exchange(request.getBytes(StandardCharsets.US_ASCII));
          } catch (IOException e) {
            status = -1;
            if (failed.get() < 5) {
              System.err.println("seed: PUT t" + i + " failed: " + e);
            }
          }
          if (status == 200) {
            ok.incrementAndGet();
          } else {
            if (failed.incrementAndGet() <= 5 && status != -1) {
              System.err.println("seed: PUT t" + i + " answered " + status);
            }
            if (conn != null) {
              conn.close();
              conn = null;
            }
          }
          if ((i + 1) % progressEvery == 0) {
            System.err.printf("seed: %d/%d after %.1f s%n", i + 1, count, (System.nanoTime() - start) / 1e9);
          }
        }
        if (conn != null) {
          conn.close();
        }
      }));
    }
    for (Thread t : workers) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("SEED_RESULT count=%d ok=%d failed=%d seconds=%.3f rps=%.1f%n",
        count, ok.get(), failed.get(), seconds, ok.get() / seconds);
    System.exit(ok.get() == count ? 0 : 1);
  }

  /** A fixed, well-spread digest for tag number i (splitmix64 of i, four times over). */
  static String digest(long i) {
    StringBuilder hex = new StringBuilder(71).append("sha256:");
    long z = i;
    for (int k = 0; k < 4; k++) {
      z += 0x9E3779B97F4A7C15L;
      long x = z;
      x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
      x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
      x ^= x >>> 31;
      String h = Long.toHexString(x);
      hex.append("0".repeat(16 - h.length())).append(h);
    }
    return hex.toString();
  }

  /** One keep-alive HTTP/1.1 connection: writes a request, reads the status and skips the body. */
  static final class Connection {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    Connection(InetSocketAddress addr) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(addr, 5_000);
      socket.setSoTimeout(30_000);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 8192);
    }

    int exchange(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      String statusLine = line();
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new IOException("bad status line: " + statusLine);
      }
      long length = -1;
      boolean close = false;
      for (String h = line(); !h.isEmpty(); h = line()) {
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).strip());
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          close = true;
        } else if (lower.startsWith("transfer-encoding:")) {
          throw new IOException("unexpected " + h);
        }
      }
      if (length < 0) {
        throw new IOException("response without Content-Length");
      }
      in.skipNBytes(length);
      if (close) {
        throw new IOException("server closed the connection");
      }
      return Integer.parseInt(parts[1]);
    }

    private String line() throws IOException {
      StringBuilder b = new StringBuilder(64);
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed mid-response");
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }
}
