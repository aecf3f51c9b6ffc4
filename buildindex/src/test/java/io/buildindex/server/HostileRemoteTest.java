package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real node replicating to remotes that answer endless bodies or redirects (issue #12, item 4). */
final class HostileRemoteTest {
  private static final String TAG = "team/app:v1";

  @TempDir Path dir;
  private ReplicationNode node;
  private HostileRemote hostile;
  private HostileRemote sink;

  @AfterEach
  void stop() {
    try (ReplicationNode n = node; HostileRemote h = hostile; HostileRemote s = sink) {
      // closes all, even when one fails
    }
  }

  @Test
  void endlessBody_failsTheTaskUnbuffered_andTheNodeStaysReady() {
    hostile = HostileRemote.endlessBody();
    node = ReplicationNode.reserve(dir, "a");
    node.configure(ReplicationNode.remotes(hostile.address(), "team/.*") + ReplicationNode.FAST_RETRIES).start();

    assertThat(node.put(TAG, digest(1), true).status()).isEqualTo(200);

    JsonNode failed = ReplicationNode.await("the task fails on the oversized answer", () -> task(node, hostile),
        t -> t.path("state").asText().equals("failed") && t.path("last_error").asText().contains("larger than"), node);
    assertThat(failed.get("last_error").asText()).startsWith("protocol: ");
    assertThat(node.send("GET", "/readiness").status()).isEqualTo(200);
    // Still replicating: later attempts run too (the workers survived).
    ReplicationNode.await("a second attempt", () -> task(node, hostile), t -> t.path("attempts").asInt() >= 2, node);
  }

  @Test
  void redirect_isNotFollowed_andTheTaskIsNeverDone() {
    sink = HostileRemote.start(ex -> {
      byte[] ok = "{\"results\":[{\"outcome\":\"applied\",\"generation\":1}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("X-Tag-Outcome", "applied");
      ex.sendResponseHeaders(200, ok.length);
      ex.getResponseBody().write(ok);
    });
    hostile = HostileRemote.redirectingTo(307, sink.address());
    node = ReplicationNode.reserve(dir, "a");
    node.configure(ReplicationNode.remotes(hostile.address(), "team/.*") + ReplicationNode.FAST_RETRIES).start();

    node.put(TAG, digest(1), true);

    JsonNode failed = ReplicationNode.await("the task fails on the redirect", () -> task(node, hostile),
        t -> t.path("state").asText().equals("failed") && t.path("attempts").asInt() >= 2, node);
    assertThat(failed.get("last_error").asText()).contains("answered 307").contains("not followed");
    assertThat(hostile.requests()).isNotEmpty();
    assertThat(sink.requests()).as("nothing reached the redirect's target").isEmpty();
  }

  private static JsonNode task(ReplicationNode node, HostileRemote remote) {
    for (JsonNode t : node.replication(TAG)) {
      if (t.get("destination").asText().equals(remote.address())) {
        return t;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }
}
