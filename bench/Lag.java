import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Idle end-to-end replication lag: N sequential {@code PUT /tags/<repo>:l<i>/digest/<d>?replicate=true}
 * on the source, one every INTERVAL_MS; after each PUT's acknowledgement, polls
 * {@code GET /tags/<repo>:l<i>} on the remote (sleeping POLL_MS between polls, at most
 * TIMEOUT_MS per tag) until it returns the digest, and records ack-to-visible time. Bounded in
 * count (N) and time (N x (INTERVAL_MS + TIMEOUT_MS)). Loopback addresses only. Prints one line
 * for bench/run.sh:
 *
 * <pre>LAG_RESULT n=N visible=V timeouts=T p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. mean_ms=.. put_p50_ms=.. polls_mean=..</pre>
 *
 * <pre>java bench/Lag.java http://127.0.0.1:SOURCE http://127.0.0.1:REMOTE [N=200] [INTERVAL_MS=50] [POLL_MS=0.5] [TIMEOUT_MS=5000] [REPO=bench/lag] [WARMUP=0] [WARMUP_INTERVAL_MS=5]</pre>
 *
 * With WARMUP &gt; 0, an unreported warm-up comes first, in this process so that its JIT is warm
 * too: WARMUP PUTs {@code ?replicate=true}, one every WARMUP_INTERVAL_MS, each followed by one GET
 * of the previous one on the remote (its read path warms too; the answer is not checked), without
 * waiting for each to be visible; then the last one is awaited and the tool pauses a second. It
 * prints {@code LAG_WARMUP n=.. seconds=..}; with N=0 that is all it does. On a 2-core VM a few hundred idle PUTs left the JIT
 * still compiling the write and replication paths of both nodes during the measurement: a 20 ms
 * link's lag p50 was about 1 ms higher after 500 writes than after 3,500.
 *
 * With {@code --link THROUGH_URL DIRECT_URL [N=100] [INTERVAL_MS=20]} it measures instead what a
 * link (e.g. {@code LatencyProxy}) adds to an idle request: N {@code GET /health} through it and
 * N straight to the server, one every INTERVAL_MS, and prints
 * {@code LINK_RESULT through_p50_ms=.. direct_p50_ms=.. added_p50_ms=..}.
 *
 * Each lag includes up to one POLL_MS sleep plus one GET round trip of measurement granularity,
 * so the requests are made by {@link Conn}: blocking HTTP/1.1 on one keep-alive socket per server,
 * in the calling thread. java.net.http, used before 2026-12-06, hands every request to its
 * selector thread and back; on an idle VM each of those wake-ups costs up to a millisecond, and
 * its poll round trip (about 3 ms) was a sizeable part of a 20 ms link's lag.
 */
public final class Lag {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: java Lag.java SOURCE_URL REMOTE_URL [N] [INTERVAL_MS] [POLL_MS] [TIMEOUT_MS] [REPO] [WARMUP] [WARMUP_INTERVAL_MS]\n"
          + "       java Lag.java --link THROUGH_URL DIRECT_URL [N] [INTERVAL_MS]");
      System.exit(2);
    }
    if (args[0].equals("--link")) {
      link(args);
      return;
    }
    URI source = loopback(args[0]);
    URI remote = loopback(args[1]);
    int n = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    long intervalMs = args.length > 3 ? Long.parseLong(args[3]) : 50;
    // Fractional: the sleep between polls is the measurement's granularity, and 2 ms of it was a
    // sizeable part of a 20 ms link's lag.
    Duration poll = Duration.ofNanos((long) ((args.length > 4 ? Double.parseDouble(args[4]) : 0.5) * 1e6));
    long timeoutMs = args.length > 5 ? Long.parseLong(args[5]) : 5000;
    String repo = (args.length > 6 ? args[6] : "bench/lag").replace("/", "%2F");
    String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    int warmup = args.length > 7 ? Integer.parseInt(args[7]) : 0;
    long warmupIntervalMs = args.length > 8 ? Long.parseLong(args[8]) : 5;

    Conn sourceConn = new Conn(source);
    Conn remoteConn = new Conn(remote);
    if (warmup > 0) {
      warmUp(sourceConn, remoteConn, repo + ":w" + run + "-", warmup, warmupIntervalMs);
    }
    double[] lags = new double[n];
    double[] puts = new double[n];
    int visible = 0;
    int timeouts = 0;
    long polls = 0;
    long pollNanos = 0;
    for (int i = 0; i < n; i++) {
      long cycleStart = System.nanoTime();
      String tag = repo + ":l" + run + "-" + i;
      String digest = Seed.digest(1_000_000_000L + i);
      Conn.Response putResponse = sourceConn.send("PUT", "/tags/" + tag + "/digest/" + digest + "?replicate=true");
      long acked = System.nanoTime();
      puts[i] = (acked - cycleStart) / 1e6;
      if (putResponse.status() != 200) {
        throw new IllegalStateException("PUT " + tag + " answered " + putResponse.status());
      }
      long deadline = acked + timeoutMs * 1_000_000L;
      double lag = -1;
      while (System.nanoTime() < deadline) {
        long sent = System.nanoTime();
        Conn.Response r = remoteConn.send("GET", "/tags/" + tag);
        pollNanos += System.nanoTime() - sent;
        polls++;
        if (r.status() == 200 && r.body().strip().equals(digest)) {
          lag = (System.nanoTime() - acked) / 1e6;
          break;
        }
        Thread.sleep(poll);
      }
      if (lag < 0) {
        timeouts++;
        lag = timeoutMs;
      } else {
        visible++;
      }
      lags[i] = lag;
      long rest = intervalMs - (System.nanoTime() - cycleStart) / 1_000_000L;
      if (rest > 0) {
        Thread.sleep(rest);
      }
    }
    if (n == 0) {
      return; // a warm-up only
    }
    double mean = Arrays.stream(lags).average().orElse(0);
    Arrays.sort(lags);
    Arrays.sort(puts);
    System.out.printf(Locale.ROOT,
        "LAG_RESULT n=%d visible=%d timeouts=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f put_p50_ms=%.2f polls_mean=%.1f poll_rtt_mean_ms=%.2f%n",
        n, visible, timeouts, q(lags, 0.5), q(lags, 0.9), q(lags, 0.99), lags[n - 1], mean, q(puts, 0.5), (double) polls / n,
        polls == 0 ? 0 : pollNanos / 1e6 / polls);
    System.exit(timeouts == 0 ? 0 : 1);
  }

  /** The unreported warm-up (see the class comment); fails when its last PUT is not visible within a minute. */
  private static void warmUp(Conn sourceConn, Conn remoteConn, String prefix, int n, long intervalMs) throws Exception {
    long start = System.nanoTime();
    String last = null;
    String lastDigest = null;
    for (int i = 0; i < n; i++) {
      long cycleStart = System.nanoTime();
      String tag = prefix + i;
      String digest = Seed.digest(2_000_000_000L + i);
      Conn.Response r = sourceConn.send("PUT", "/tags/" + tag + "/digest/" + digest + "?replicate=true");
      if (r.status() != 200) {
        throw new IllegalStateException("warm-up PUT " + tag + " answered " + r.status());
      }
      if (last != null) {
        remoteConn.send("GET", "/tags/" + last);
      }
      last = tag;
      lastDigest = digest;
      long rest = intervalMs - (System.nanoTime() - cycleStart) / 1_000_000L;
      if (rest > 0) {
        Thread.sleep(rest);
      }
    }
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      Conn.Response r = remoteConn.send("GET", "/tags/" + last);
      if (r.status() == 200 && r.body().strip().equals(lastDigest)) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("warm-up tag " + last + " not visible on the remote after 60 s");
      }
      Thread.sleep(5);
    }
    Thread.sleep(1_000);
    System.out.printf(Locale.ROOT, "LAG_WARMUP n=%d seconds=%.1f%n", n, (System.nanoTime() - start) / 1e9);
  }

  private static void link(String[] args) throws Exception {
    URI through = loopback(args[1]);
    URI direct = loopback(args[2]);
    int n = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    long intervalMs = args.length > 4 ? Long.parseLong(args[4]) : 20;
    double[] via = idleGets(through, n, intervalMs);
    double[] straight = idleGets(direct, n, intervalMs);
    System.out.printf(Locale.ROOT, "LINK_RESULT through_p50_ms=%.2f direct_p50_ms=%.2f added_p50_ms=%.2f%n",
        q(via, 0.5), q(straight, 0.5), q(via, 0.5) - q(straight, 0.5));
  }

  /** Sorted times of {@code n} sequential {@code GET /health}, one every {@code intervalMs}. */
  private static double[] idleGets(URI base, int n, long intervalMs) throws Exception {
    Conn conn = new Conn(base);
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      Conn.Response r = conn.send("GET", "/health");
      t[i] = (System.nanoTime() - start) / 1e6;
      if (r.status() != 200) {
        throw new IllegalStateException("GET /health of " + base + " answered " + r.status());
      }
      Thread.sleep(intervalMs);
    }
    Arrays.sort(t);
    return t;
  }

  /**
   * One keep-alive HTTP/1.1 connection, used from one thread: writes a request without a body and
   * reads the status line, the headers and a {@code Content-Length} body (reconnecting once if
   * the server closed the idle connection). Enough for build-index's answers, nothing more.
   * {@code Seed.Connection} is its twin minus the body: each bench program is one source file run
   * by the source launcher, which on Java 21 cannot reach another file's classes.
   */
  static final class Conn {
    record Response(int status, String body) {}

    private final URI base;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Conn(URI base) {
      this.base = base;
    }

    Response send(String method, String pathAndQuery) throws IOException {
      byte[] request = (method + " " + pathAndQuery + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
          + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
      for (int attempt = 0; ; attempt++) {
        try {
          if (socket == null) {
            connect();
          }
          out.write(request);
          out.flush();
          return read();
        } catch (IOException e) {
          close();
          if (attempt > 0) {
            throw e;
          }
        }
      }
    }

    private void connect() throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    private Response read() throws IOException {
      String statusLine = line();
      if (statusLine == null) {
        throw new IOException("connection closed before a response");
      }
      int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
      int length = -1;
      boolean close = false;
      for (String h = line(); h != null && !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        if (name.equals("content-length")) {
          length = Integer.parseInt(value);
        } else if (name.equals("transfer-encoding")) {
          throw new IOException("chunked answers are not supported here: " + statusLine);
        } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
          close = true;
        }
      }
      byte[] body = in.readNBytes(Math.max(length, 0));
      if (body.length < Math.max(length, 0)) {
        throw new IOException("connection closed in a body");
      }
      if (close) {
        close();
      }
      return new Response(status, new String(body, StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream(64);
      for (int c = in.read(); c != -1; c = in.read()) {
        if (c == '\n') {
          return b.toString(StandardCharsets.ISO_8859_1).stripTrailing();
        }
        b.write(c);
      }
      return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    private void close() {
      try {
        if (socket != null) {
          socket.close();
        }
      } catch (IOException ignored) {
        // closing a broken connection: nothing to do
      }
      socket = null;
    }
  }

  /** Nearest-rank quantile of sorted values. */
  static double q(double[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static URI loopback(String url) {
    URI u = URI.create(url);
    if (!(u.getHost().startsWith("127.") || u.getHost().equals("localhost"))) {
      throw new IllegalArgumentException("talks only to the loopback interface, got " + url);
    }
    return u;
  }

  /** Same digest function as bench/Seed.java (splitmix64 of i, four times over). */
  static final class Seed {
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
  }
}
