package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.server.RawHttp.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replicating A whose remote B is down when A writes, and comes back on the same address later. */
final class ReplicationOutageTest {
  private static final String TAG = "team/app:v1";
  private static final int BACKLOG = 40;
  private static final int OUTAGES = 5;
  private static final int BACKLOG_WRITERS = 4;

  @TempDir Path dir;
  ReplicationNode a;
  ReplicationNode b;

  @BeforeEach
  void reserve() {
    b = ReplicationNode.reserve(dir, "b");
    a = ReplicationNode.reserve(dir, "a");
  }

  @AfterEach
  void stop() {
    try (ReplicationNode closeA = a; ReplicationNode closeB = b) {
      // closes both, even when one fails
    }
  }

  @Test
  void remoteDown_taskFailsWithError_thenArrivesWhenRemoteReturns() {
    a.configure(b.asRemote("team/.*") + ReplicationNode.FAST_RETRIES).start();

    String generation = a.put(TAG, digest(1), true).header("X-Tag-Generation");

    JsonNode failed = a.awaitTask(TAG, b, "failed");
    assertThat(failed.get("attempts").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(failed.get("last_error").asText()).startsWith("connect: ");
    assertThat(failed.get("next_attempt").isNull()).isFalse();
    // Counted once the result is recorded, just after the row shows it.
    ReplicationNode.await("the connect failure counted", () -> connectFailures(a), n -> n >= 1, a);

    b.start();

    b.awaitDigest(TAG, digest(1), a, b);
    assertThat(b.get(TAG).header("X-Tag-Generation")).isEqualTo(generation);
    JsonNode done = a.awaitTask(TAG, b, "done");
    assertThat(done.get("last_error").isNull()).as(done.toString()).isTrue();
    assertThat(done.get("next_attempt").isNull()).isTrue();
  }

  @Test
  void maxAttempts_remoteDown_taskDead_manualRetryDeliversIt() {
    a.configure(b.asRemote("team/.*") + ReplicationNode.FAST_RETRIES + "  max_attempts: 2\n").start();
    a.put(TAG, digest(2), true);

    JsonNode dead = a.awaitTask(TAG, b, "dead");
    assertThat(dead.get("attempts").asInt()).isEqualTo(2);
    assertThat(dead.get("last_error").asText()).startsWith("connect: ");
    assertThat(a.tasks("state=dead")).extracting(t -> t.get("tag").asText()).containsExactly(TAG);
    ReplicationNode.await("the queue gauge counts the dead task", () -> queueGauge(a, "dead", b), n -> n == 1, a);
    b.start();
    // Dead means no more attempts: the remote being back changes nothing by itself.
    assertThat(a.task(TAG, b).get("state").asText()).isEqualTo("dead");
    assertThat(b.get(TAG).status()).isEqualTo(404);

    Response retry = a.send("POST", "/replication/tasks/retry?state=dead");

    assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
    assertThat(retry.json().get("retried").asInt()).isEqualTo(1);
    b.awaitDigest(TAG, digest(2), a, b);
    JsonNode done = a.awaitTask(TAG, b, "done");
    assertThat(done.get("attempts").asInt()).isEqualTo(1);
    assertThat(a.tasks("state=dead")).isEmpty();
    ReplicationNode.await("the queue gauge counts no dead task", () -> queueGauge(a, "dead", b), n -> n == 0, a);
    assertThat(a.send("POST", "/replication/tasks/retry?state=dead").json().get("retried").asInt()).isZero();
  }

  /*
   * With a backlog, the fifth consecutive failure opens the destination's circuit breaker while
   * the dispatcher may be claiming more of its tasks; tasks claimed as it opens must neither be
   * lost nor stall the destination once the remote is back (they did, until the dispatcher
   * promoted claimed tasks when an open period ends). Whether a claim is in flight at that moment
   * is timing, so B goes down and up several times, behind a proxy rather than by restarting it,
   * each outage a fresh chance; two attempts at a time (rather than the default 4) make it likelier.
   */
  @Test
  void remoteDownWithBacklog_repeatedly_everyTaskArrivesWhenRemoteReturns() throws InterruptedException {
    try (ReplicationProxy toB = new ReplicationProxy(b)) {
      b.start();
      a.configure(toB.asRemote("team/.*") + ReplicationNode.FAST_RETRIES + "  max_concurrency_per_destination: 2\n")
          .start();
      for (int outage = 0; outage < OUTAGES; outage++) {
        double failuresBefore = connectFailures(a);
        writeBacklog(outage);
        ReplicationNode.await("A's breaker for B opened", () -> connectFailures(a), n -> n >= failuresBefore + 5, a);

        toB.up();

        int tasks = (outage + 1) * BACKLOG;
        ReplicationNode.await("outage " + outage + ": " + tasks + " tasks of A done", () -> a.taskStates(toB.address()),
            states -> states.equals(Map.of("done", (long) tasks)), a, b);
        for (int i = 0; i < BACKLOG; i++) {
          assertThat(b.digestOf("team/app:outage" + outage + "-" + i)).isEqualTo(digest(i));
        }
        toB.down();
      }
    }
  }

  /** {@value #BACKLOG} replicated PUTs on A from {@value #BACKLOG_WRITERS} threads at once. */
  private void writeBacklog(int outage) throws InterruptedException {
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < BACKLOG_WRITERS; w++) {
      int writer = w;
      writers.add(Thread.ofVirtual().start(() -> {
        for (int i = writer; i < BACKLOG; i += BACKLOG_WRITERS) {
          a.put("team/app:outage" + outage + "-" + i, digest(i), true);
        }
      }));
    }
    for (Thread t : writers) {
      assertThat(t.join(Duration.ofSeconds(120))).isTrue();
    }
  }

  /** {@code tagreplication_failures_total{reason="connect"}} of {@code node}. */
  static double connectFailures(ReplicationNode node) {
    return metric(node, "tagreplication_failures_total{reason=\"connect\"}");
  }

  /** {@code tagreplication_queue{state, destination}} of {@code node}. */
  static double queueGauge(ReplicationNode node, String state, ReplicationNode destination) {
    String text = node.send("GET", "/metrics").text();
    Matcher m = Pattern.compile("(?m)^tagreplication_queue\\{([^}]*)\\} (\\S+)$").matcher(text);
    while (m.find()) {
      if (m.group(1).contains("state=\"" + state + "\"") && m.group(1).contains("destination=\"" + destination.address() + "\"")) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError("no tagreplication_queue sample for " + state + " and " + destination + " in:\n" + text);
  }

  /** The value of the Prometheus sample {@code name{labels}} in {@code /metrics}; fails when absent. */
  static double metric(ReplicationNode node, String sample) {
    String text = node.send("GET", "/metrics").text();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
    assertThat(m.find()).as(sample + " in:\n" + text).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
