package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verification on real processes: a remote that comes back with an empty database gets every tag again. */
final class ReplicationVerificationTest {
  private static final int TAGS = 60;

  @TempDir Path dir;
  ReplicationNode a;
  ReplicationNode b;

  @BeforeEach
  void reserve() {
    a = ReplicationNode.reserve(dir, "a");
    b = ReplicationNode.reserve(dir, "b");
  }

  @AfterEach
  void stop() {
    try (ReplicationNode closeA = a; ReplicationNode closeB = b) {
      // closes both, even when one fails
    }
  }

  @Test
  void remoteRestartedWithAnEmptyDatabase_verificationBringsEveryTagBackWithoutANewWrite() {
    a.configure(b.asRemote("^team/") + ReplicationNode.FAST_RETRIES + "  verification_interval: 1s\n");
    ReplicationNode.startAll(a, b);
    Map<String, String> generations = new LinkedHashMap<>();
    for (int i = 0; i < TAGS; i++) {
      String tag = "team/app:v" + i;
      generations.put(tag, a.put(tag, digest(i), true).header("X-Tag-Generation"));
    }
    a.awaitAllDone(b, TAGS);

    b.stop();
    b.deleteDatabase();
    b.start();
    assertThat(b.digestOf("team/app:v0")).as("b starts empty").isNull();

    for (int i = 0; i < TAGS; i++) {
      String tag = "team/app:v" + i;
      b.awaitDigest(tag, digest(i), a, b);
      assertThat(b.get(tag).header("X-Tag-Generation")).as(tag).isEqualTo(generations.get(tag));
      assertThat(a.history(tag)).as("no new write on the source: %s", tag).hasSize(1);
    }
    JsonNode rule = ReplicationNode.await("a verification run that repaired every tag",
        () -> a.send("GET", "/replication/verification").json().get(0),
        v -> v.get("repaired_total").asLong() >= TAGS, a, b);
    assertThat(rule.get("remote").asText()).isEqualTo(b.address());
    assertThat(rule.get("rule").asText()).isEqualTo("^team/");
    assertThat(rule.get("buckets_compared").asInt()).isEqualTo(256);
    JsonNode task = ReplicationNode.await("team/app:v0 verified again after its repair",
        () -> a.task("team/app:v0", b), t -> "verified".equals(t.path("verification").asText()), a, b);
    assertThat(task.get("verified_at").asText()).isNotEmpty();
    assertThat(a.logTail()).contains("tags missing or older there");
    String metrics = a.send("GET", "/metrics").text();
    assertThat(metrics).containsPattern("tagreplication_verification_repaired(_total)? [1-9]");
    assertThat(metrics).contains("tagreplication_verification_seconds_since_success{destination=\"" + b.address() + "\"}");
  }
}
