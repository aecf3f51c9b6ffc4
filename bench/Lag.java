import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * <pre>java bench/Lag.java http://127.0.0.1:SOURCE http://127.0.0.1:REMOTE [N=200] [INTERVAL_MS=50] [POLL_MS=0.5] [TIMEOUT_MS=5000] [REPO=bench/lag]</pre>
 *
 * Uses java.net.http (its CPU cost does not matter at one PUT per 50 ms). Each lag includes up to
 * one POLL_MS sleep plus one GET round trip of measurement granularity.
 */
public final class Lag {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: java Lag.java SOURCE_URL REMOTE_URL [N] [INTERVAL_MS] [POLL_MS] [TIMEOUT_MS] [REPO]");
      System.exit(2);
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

    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    double[] lags = new double[n];
    double[] puts = new double[n];
    int visible = 0;
    int timeouts = 0;
    long polls = 0;
    for (int i = 0; i < n; i++) {
      long cycleStart = System.nanoTime();
      String tag = repo + ":l" + run + "-" + i;
      String digest = Seed.digest(1_000_000_000L + i);
      HttpRequest put = HttpRequest.newBuilder(source.resolve("/tags/" + tag + "/digest/" + digest + "?replicate=true"))
          .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.noBody()).build();
      HttpResponse<Void> putResponse = client.send(put, HttpResponse.BodyHandlers.discarding());
      long acked = System.nanoTime();
      puts[i] = (acked - cycleStart) / 1e6;
      if (putResponse.statusCode() != 200) {
        throw new IllegalStateException("PUT " + tag + " answered " + putResponse.statusCode());
      }
      HttpRequest get = HttpRequest.newBuilder(remote.resolve("/tags/" + tag)).timeout(Duration.ofSeconds(5)).GET().build();
      long deadline = acked + timeoutMs * 1_000_000L;
      double lag = -1;
      while (System.nanoTime() < deadline) {
        HttpResponse<String> r = client.send(get, HttpResponse.BodyHandlers.ofString());
        polls++;
        if (r.statusCode() == 200 && r.body().strip().equals(digest)) {
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
    double mean = Arrays.stream(lags).average().orElse(0);
    Arrays.sort(lags);
    Arrays.sort(puts);
    System.out.printf(Locale.ROOT,
        "LAG_RESULT n=%d visible=%d timeouts=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f put_p50_ms=%.2f polls_mean=%.1f%n",
        n, visible, timeouts, q(lags, 0.5), q(lags, 0.9), q(lags, 0.99), lags[n - 1], mean, q(puts, 0.5), (double) polls / n);
    System.exit(timeouts == 0 ? 0 : 1);
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
