package io.buildindex.tagreplication;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.buildindex.config.HostPort;
import io.buildindex.tagreplication.wire.NodeHeaders;
import io.buildindex.tagreplication.wire.NodeJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A remote build-index on 127.0.0.1 implementing the replication wire contract: tags in a map
 * with last-write-wins by generation (ties by digest text, a tombstone lowest), as our tag store
 * does. Counts requests, can fail every tag call with a status, and can hold GETs until released.
 * By default it answers {@link WriteBatch#PATH} with 404, as a Kraken build-index does;
 * {@link #startBatching} serves it too.
 */
final class FakeRemote implements AutoCloseable {
  /** What the remote holds for a tag; {@code digest} null for a tombstone. */
  record Entry(@Nullable String digest, long generation) {}

  private static final ObjectMapper JSON = NodeJson.MAPPER; // what a real build-index reads and writes

  private final Map<String, Entry> tags = new ConcurrentHashMap<>();
  private final AtomicInteger gets = new AtomicInteger();
  private final AtomicInteger puts = new AtomicInteger();
  private final AtomicInteger deletes = new AtomicInteger();
  private final AtomicInteger batches = new AtomicInteger();
  private final AtomicInteger batchedWrites = new AtomicInteger();
  private final AtomicInteger batchProbes = new AtomicInteger();
  private final Map<String, Integer> refusals = new ConcurrentHashMap<>();
  private final boolean servesBatches;
  private final HttpServer server;
  private final ExecutorService executor;
  private volatile int failStatus;
  private volatile long batchDelayMillis;
  private volatile @Nullable CountDownLatch holdGets;
  private volatile String origin = "origin.dc2:15002";

  private FakeRemote(int port, int threads, boolean servesBatches) throws IOException {
    this.servesBatches = servesBatches;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    executor = Executors.newFixedThreadPool(threads);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  static FakeRemote start() {
    return startOn(0);
  }

  static FakeRemote startOn(int port) {
    return startOn(port, false);
  }

  /** A remote that serves {@link WriteBatch#PATH} as our build-index does. */
  static FakeRemote startBatching() {
    return startOn(0, true);
  }

  static FakeRemote startOn(int port, boolean servesBatches) {
    try {
      return new FakeRemote(port, 8, servesBatches);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A port nothing listens on (it was free a moment ago): connections are refused. */
  static int closedPort() {
    // The kernel may hand out a just-closed port again: two "different" dead remotes on one port
    // would be one destination. Never give the same port twice in this JVM.
    while (true) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        if (CLOSED_PORTS.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static final java.util.Set<Integer> CLOSED_PORTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

  String address() {
    return new HostPort("127.0.0.1", server.getAddress().getPort()).toString();
  }

  void seed(String tag, @Nullable String digest, long generation) {
    tags.put(tag, new Entry(digest, generation));
  }

  Optional<Entry> entry(String tag) {
    return Optional.ofNullable(tags.get(tag));
  }

  int size() {
    return tags.size();
  }

  /** Forgets every tag, as a remote restored from an empty disk. */
  void clear() {
    tags.clear();
  }

  int gets() {
    return gets.get();
  }

  int puts() {
    return puts.get();
  }

  int deletes() {
    return deletes.get();
  }

  /** Batch requests served. */
  int batches() {
    return batches.get();
  }

  /** Writes received in batches. */
  int batchedWrites() {
    return batchedWrites.get();
  }

  /** Batch requests answered 404 because this remote does not serve them. */
  int batchProbes() {
    return batchProbes.get();
  }

  /** Refuses every batched write of {@code tag} with {@code status} (0 to accept again); the batch's other writes apply. */
  void refuseInBatches(String tag, int status) {
    if (status == 0) {
      refusals.remove(tag);
    } else {
      refusals.put(tag, status);
    }
  }

  /** Answers every tag call with {@code status} (0 to stop failing). */
  void failWith(int status) {
    failStatus = status;
  }

  /** Holds every GET /tags until the returned latch is counted down. */
  CountDownLatch holdGets() {
    CountDownLatch latch = new CountDownLatch(1);
    holdGets = latch;
    return latch;
  }

  void releaseGets() {
    CountDownLatch latch = holdGets;
    holdGets = null;
    if (latch != null) {
      latch.countDown();
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      String path = ex.getRequestURI().getRawPath();
      if (path.equals("/origin")) {
        respond(ex, 200, origin);
      } else if (path.startsWith("/replication/verification/")) {
        verification(ex, path);
      } else if (path.equals(WriteBatch.PATH) && ex.getRequestMethod().equals("POST")) {
        batch(ex, body);
      } else if (failStatus != 0) {
        respond(ex, failStatus, "failing on purpose");
      } else if (path.startsWith("/tags/")) {
        tagCall(ex, path.substring("/tags/".length()));
      } else {
        respond(ex, 404, "no route");
      }
    }
  }

  /* Our build-index's verification read routes over the map: live tags the rule matches, by bucket. */
  private void verification(HttpExchange ex, String path) throws IOException {
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    java.util.regex.Pattern rule = java.util.regex.Pattern.compile(query.get("rule"));
    Map<String, Entry> live = new java.util.TreeMap<>();
    tags.forEach((tag, e) -> {
      if (e.digest() != null && rule.matcher(tag).find()) {
        live.put(tag, e);
      }
    });
    ex.getResponseHeaders().set("Content-Type", "application/json");
    if (path.equals(VerificationClient.SUMMARY_PATH)) {
      long[] sums = new long[RuleSummaries.BUCKETS];
      live.forEach((tag, e) -> sums[RuleSummaries.bucket(tag)] += RuleSummaries.hash(tag, e.digest(), e.generation()));
      respond(ex, 200, JSON.writeValueAsString(new RuleSummaries.Summary(java.util.Arrays.stream(sums).boxed().toList())));
    } else {
      java.util.Set<Integer> buckets = java.util.Arrays.stream(query.get("buckets").split(",")).map(Integer::valueOf)
          .collect(java.util.stream.Collectors.toSet());
      List<RuleSummaries.Entry> out = new ArrayList<>();
      live.forEach((tag, e) -> {
        if (buckets.contains(RuleSummaries.bucket(tag))) {
          out.add(new RuleSummaries.Entry(tag, e.digest(), e.generation()));
        }
      });
      respond(ex, 200, JSON.writeValueAsString(out));
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new java.util.HashMap<>();
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      out.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  private void tagCall(HttpExchange ex, String rest) throws IOException {
    int digestAt = rest.indexOf("/digest/");
    String tag = (digestAt < 0 ? rest : rest.substring(0, digestAt)).replace("%2F", "/");
    switch (ex.getRequestMethod()) {
      case "GET" -> get(ex, tag);
      case "PUT" -> write(ex, tag, rest.substring(digestAt + "/digest/".length()), puts);
      case "DELETE" -> write(ex, tag, null, deletes);
      default -> respond(ex, 405, "");
    }
  }

  private void get(HttpExchange ex, String tag) throws IOException {
    gets.incrementAndGet();
    awaitRelease();
    Entry e = tags.get(tag);
    if (e != null) {
      ex.getResponseHeaders().set(NodeHeaders.GENERATION, Long.toString(e.generation()));
    }
    if (e == null || e.digest() == null) {
      respond(ex, 404, "tag not found");
    } else {
      respond(ex, 200, e.digest());
    }
  }

  private void awaitRelease() {
    CountDownLatch latch = holdGets;
    try {
      if (latch != null && !latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("GET held for 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void write(HttpExchange ex, String tag, @Nullable String digest, AtomicInteger counter) throws IOException {
    counter.incrementAndGet();
    String header = ex.getRequestHeaders().getFirst(NodeHeaders.GENERATION);
    if (header == null || !ex.getRequestURI().getRawQuery().contains("replicate=true")) {
      respond(ex, 400, "replicated writes carry X-Tag-Generation and replicate=true");
      return;
    }
    WriteBatch.Result r = apply(tag, new Entry(digest, Long.parseLong(header)));
    ex.getResponseHeaders().set(NodeHeaders.OUTCOME, r.outcome());
    ex.getResponseHeaders().set(NodeHeaders.GENERATION, Long.toString(r.generation()));
    respond(ex, digest == null ? 204 : 200, "");
  }

  private WriteBatch.Result apply(String tag, Entry next) {
    String[] outcome = new String[1];
    Entry stored = tags.compute(tag, (k, cur) -> {
      outcome[0] = decide(cur, next);
      return outcome[0].equals("superseded") || (cur != null && outcome[0].equals("unchanged")
          && cur.generation() >= next.generation()) ? cur : next;
    });
    return WriteBatch.Result.written(outcome[0], stored.generation());
  }

  private void batch(HttpExchange ex, byte[] body) throws IOException {
    if (!servesBatches) {
      batchProbes.incrementAndGet();
      respond(ex, 404, "no route");
      return;
    }
    if (failStatus != 0) {
      respond(ex, failStatus, "failing on purpose");
      return;
    }
    batches.incrementAndGet();
    slowDown();
    WriteBatch.Request request = JSON.readValue(body, WriteBatch.Request.class);
    List<WriteBatch.Result> results = new ArrayList<>();
    for (WriteBatch.Write w : request.writes()) {
      batchedWrites.incrementAndGet();
      Integer refusal = refusals.get(w.tag());
      results.add(refusal != null ? WriteBatch.Result.refused(refusal, "refused on purpose")
          : apply(w.tag(), new Entry(w.digest(), w.generation())));
    }
    ex.getResponseHeaders().set("Content-Type", "application/json");
    respond(ex, 200, JSON.writeValueAsString(new WriteBatch.Response(results)));
  }

  /** Answers every batch {@code delay} late (a remote slower than the link); zero to answer at once. */
  void delayBatches(java.time.Duration delay) {
    batchDelayMillis = delay.toMillis();
  }

  /* A slow remote, not a test waiting: the answer is late, the test still polls for outcomes. */
  private void slowDown() {
    long ms = batchDelayMillis;
    if (ms > 0) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String decide(@Nullable Entry cur, Entry next) {
    if (cur == null) {
      return next.digest() == null ? "unchanged" : "applied";
    }
    int order = next.generation() != cur.generation() ? Long.compare(next.generation(), cur.generation())
        : key(next).compareTo(key(cur));
    if (order < 0) {
      return "superseded";
    }
    return order == 0 || java.util.Objects.equals(cur.digest(), next.digest()) ? "unchanged" : "applied";
  }

  private static String key(Entry e) {
    return e.digest() == null ? "" : e.digest();
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (status == 204 || bytes.length == 0) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    releaseGets();
    server.stop(0);
    executor.shutdownNow();
  }
}
