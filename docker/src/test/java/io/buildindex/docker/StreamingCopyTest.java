package io.buildindex.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Meter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.buildindex.docker.testing.OciImages.Blob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okio.Buffer;
import okio.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A 50 MB layer goes from one registry to another without being held in memory.
 *
 * <p>Both registries are JDK HttpServers rather than MockWebServers, because MockWebServer only
 * serves bodies it holds in a Buffer and records request bodies only once they are complete; here
 * the source generates its bytes as it sends them and the destination counts them as they arrive.
 * The source never gets more than {@link #WINDOW} bytes ahead of what the destination received:
 * a client that buffered the whole layer before uploading would stall it (and fail on the
 * deadline), one that streams never notices.
 */
final class StreamingCopyTest {
  private static final long SIZE = 50L * 1024 * 1024;
  private static final long WINDOW = 16L * 1024 * 1024;
  /** Only reached by a client that buffers: the copy itself takes about a second. */
  private static final Duration STALL_DEADLINE = Duration.ofSeconds(60);

  private final Blob blob = Blob.random(42, SIZE);
  private final Progress progress = new Progress();
  private final AtomicReference<String> uploadedDigest = new AtomicReference<>("");
  private final AtomicReference<String> uploadContentLength = new AtomicReference<>("");
  private final AtomicLong sourceStalls = new AtomicLong();
  private HttpServer source;
  private HttpServer destination;

  @AfterEach
  void stop() {
    source.stop(0);
    destination.stop(0);
  }

  @Test
  void copy_50MegabytesStreamedWithContentLength() throws IOException {
    source = server();
    source.createContext("/v2/app/blobs/", this::serveBlob);
    source.start();
    destination = server();
    destination.createContext("/v2/app/blobs/", this::receive);
    destination.start();
    Meter meter = new Meter();
    TransferCounter counter = new TransferCounter(meter, Clock.systemUTC());
    RegistryClients clients = new RegistryClients(new OkHttpClient(), "", "", Clock.systemUTC(),
        new TrustedHosts(java.util.Set.of(TrustedHosts.key(url(source)), TrustedHosts.key(url(destination))), java.util.Set.of()));

    new BlobCopy(clients.forUrl(url(source)), "app", clients.forUrl(url(destination)), "app", counter)
        .copy(blob.digest(), SIZE);

    assertThat(sourceStalls.get()).as("times the source waited beyond its deadline").isZero();
    assertThat(progress.received()).isEqualTo(SIZE);
    assertThat(uploadContentLength.get()).isEqualTo(Long.toString(SIZE));
    assertThat(uploadedDigest.get()).isEqualTo(blob.digest().toString());
    assertThat(counter.summary().bytesCopied()).isEqualTo(SIZE);
    assertThat(counter.summary().blobsCopied()).isEqualTo(1);
    assertThat(meter.getCount()).isEqualTo(SIZE);
  }

  /** GET: streams the generated blob, never more than WINDOW ahead of the destination. */
  private void serveBlob(HttpExchange exchange) throws IOException {
    exchange.sendResponseHeaders(200, SIZE);
    try (Source content = blob.content().get(); OutputStream out = exchange.getResponseBody()) {
      Buffer chunk = new Buffer();
      long sent = 0;
      for (long n; (n = content.read(chunk, 64 * 1024)) != -1; sent += n) {
        if (!progress.awaitAtLeast(sent - WINDOW, STALL_DEADLINE)) {
          sourceStalls.incrementAndGet();
          return;
        }
        chunk.writeTo(out);
      }
    }
  }

  /** HEAD: missing. POST: start an upload. PUT: count and hash the body as it arrives. */
  private void receive(HttpExchange exchange) throws IOException {
    switch (exchange.getRequestMethod()) {
      case "HEAD" -> exchange.sendResponseHeaders(404, -1);
      case "POST" -> {
        exchange.getResponseHeaders().add("Location", "/v2/app/blobs/uploads/1?_state=abc");
        exchange.sendResponseHeaders(202, -1);
      }
      case "PUT" -> {
        uploadContentLength.set(exchange.getRequestHeaders().getFirst("Content-Length"));
        uploadedDigest.set("sha256:" + sha256(exchange.getRequestBody()));
        exchange.sendResponseHeaders(201, -1);
      }
      default -> exchange.sendResponseHeaders(405, -1);
    }
    exchange.close();
  }

  private String sha256(InputStream body) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = body.read(buffer)) != -1; ) {
        sha.update(buffer, 0, n);
        progress.add(n);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpServer server() throws IOException {
    return HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
  }

  private static HttpUrl url(HttpServer server) {
    return HttpUrl.get("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Bytes the destination has received; the source waits on it. */
  private static final class Progress {
    private long received;

    synchronized void add(long n) {
      received += n;
      notifyAll();
    }

    synchronized long received() {
      return received;
    }

    synchronized boolean awaitAtLeast(long target, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (received < target) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            return false;
          }
          wait(Math.max(1, remaining / 1_000_000));
        }
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
