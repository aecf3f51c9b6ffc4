package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.server.RawHttp.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination's circuit breaker as operators see it ({@code GET /replication/destinations}, the
 * per-tag status) and steer it ({@code POST /replication/tasks/retry} closes it), over real HTTP
 * between two build-index processes.
 */
final class ReplicationDestinationsTest {
  /** So long an open period that a retry done within the await timeout cannot have waited for it. */
  private static final String SLOW_RETRIES = """
      tag_replication:
        retry_interval: 30m
        max_retry_interval: 30m
        poll_retries_interval: 200ms
      """;
  private static final int FAILURES_TO_OPEN = 5;

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
  void remoteDown_breakerOpenVisible_retryClosesIt_taskDoneWithoutWaitingForTheOpenPeriod() {
    a.configure(b.asRemote("team/.*") + SLOW_RETRIES).start();
    List<String> tags = IntStream.range(0, FAILURES_TO_OPEN).mapToObj(i -> "team/app:v" + i).toList();
    // One at a time, so that each task is its own attempt and failure (not one batch).
    for (String tag : tags) {
      a.put(tag, digest(1), true);
      a.awaitTask(tag, b, "failed");
    }

    JsonNode open = ReplicationNode.await("A's breaker for B open", () -> destination(a, b),
        d -> d.get("state").asText().equals("open"), a);
    assertThat(open.get("consecutive_failures").asInt()).isEqualTo(FAILURES_TO_OPEN);
    assertThat(Instant.parse(open.get("open_until").asText())).isAfter(Instant.now().plus(Duration.ofMinutes(20)));
    assertThat(open.get("tasks_waiting").asLong()).isEqualTo(FAILURES_TO_OPEN);
    assertThat(open.get("last_error").asText()).startsWith("connect: ");
    assertThat(open.get("last_success").isNull()).isTrue();
    assertThat(open.get("failing_since").isNull()).isFalse();
    JsonNode perTag = a.task(tags.getFirst(), b).get("destination_health");
    assertThat(perTag.get("destination").asText()).isEqualTo(b.address());
    assertThat(perTag.get("state").asText()).isEqualTo("open");
    assertThat(perTag.get("consecutive_failures").asInt()).isEqualTo(FAILURES_TO_OPEN);
    b.start();

    Response retry = a.send("POST", "/replication/tasks/retry?state=failed");

    assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
    assertThat(retry.json().get("retried").asInt()).isEqualTo(FAILURES_TO_OPEN);
    // Within the await timeout (a minute), far less than the 30 minutes the breaker would have held them.
    for (String tag : tags) {
      b.awaitDigest(tag, digest(1), a, b);
      a.awaitTask(tag, b, "done");
    }
    JsonNode closed = ReplicationNode.await("A's breaker for B closed", () -> destination(a, b),
        d -> d.get("state").asText().equals("closed") && !d.get("last_success").isNull(), a);
    assertThat(closed.get("consecutive_failures").asInt()).isZero();
    assertThat(closed.get("open_until").isNull()).isTrue();
    assertThat(closed.get("tasks_waiting").asLong()).isZero();
    assertThat(closed.get("failing_since").isNull()).isTrue();
    // What the outage logged at the default level: its story, not a line per task.
    String log = a.log();
    assertThat(log).containsOnlyOnce("replication to " + b.address() + " is failing: connect: ")
        .contains("circuit breaker of " + b.address() + " opened after 5 consecutive failures")
        .contains("circuit breaker of " + b.address() + " closed: tasks were retried by an operator")
        .contains("replication to " + b.address() + " recovered after ");
  }

  @Test
  void destinations_listsEveryRemoteClosedAtStart_adminScope() {
    ReplicationNode c = ReplicationNode.reserve(dir, "c");
    a.configure("""
        auth:
          tokens:
            - {token: reader-token, scopes: [read]}
            - {token: admin-token, scopes: [read, admin]}
        remotes:
          "%s": ['team/.*']
          "%s": ['other/.*']
        """.formatted(b.address(), c.address())).start();

    assertThat(a.send("GET", "/replication/destinations", Map.of("Authorization", "Bearer reader-token")).status())
        .isEqualTo(403);
    Response list = a.send("GET", "/replication/destinations", Map.of("Authorization", "Bearer admin-token"));

    assertThat(list.status()).as(list.toString()).isEqualTo(200);
    assertThat(list.json()).extracting(d -> d.get("destination").asText()).containsExactlyInAnyOrder(b.address(), c.address());
    for (JsonNode d : list.json()) {
      assertThat(d.get("state").asText()).isEqualTo("closed");
      assertThat(d.get("consecutive_failures").asInt()).isZero();
      assertThat(d.get("tasks_waiting").asLong()).isZero();
      assertThat(d.get("last_error").isNull()).isTrue();
    }
  }

  private static JsonNode destination(ReplicationNode of, ReplicationNode to) {
    for (JsonNode d : of.send("GET", "/replication/destinations").json()) {
      if (d.get("destination").asText().equals(to.address())) {
        return d;
      }
    }
    throw new AssertionError("no destination " + to.address() + " in " + of.send("GET", "/replication/destinations"));
  }
}
