package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two remotes that accept connections but never answer must not hold every replication worker
 * while a healthy remote's work waits (issue #12, item 10).
 */
final class ReplicationHungRemotesTest {
  @TempDir Path dir;
  private final CountDownLatch never = new CountDownLatch(1);
  private ReplicationNode node;
  private HostileRemote hungA;
  private HostileRemote hungB;
  private HostileRemote healthy;

  @AfterEach
  void stop() {
    never.countDown();
    try (ReplicationNode n = node; HostileRemote a = hungA; HostileRemote b = hungB; HostileRemote c = healthy) {
      // closes all, even when one fails
    }
  }

  @Test
  void hungRemotes_leaveAWorkerForTheHealthyOne() {
    hungA = HostileRemote.start(ex -> await());
    hungB = HostileRemote.start(ex -> await());
    // A Kraken-style remote: no batches, no origin, GET of a tag 404, PUT applied.
    healthy = HostileRemote.start(ex -> {
      String path = ex.getRequestURI().getPath();
      boolean missing = path.equals("/replication/writes") || path.startsWith("/tags/") && ex.getRequestMethod().equals("GET");
      HostileRemote.answer(missing ? 404 : 200, "", "X-Tag-Outcome", "applied").handle(ex);
    });
    node = ReplicationNode.reserve(dir, "a");
    // 4 workers, 2 per destination: the two hung remotes at their limits would hold all 4. The
    // read timeout is long so that only the 30 s call timeout could free them.
    node.configure("remotes:\n"
        + "  \"" + hungA.address() + "\": [\"team/.*\"]\n"
        + "  \"" + hungB.address() + "\": [\"team/.*\"]\n"
        + "  \"" + healthy.address() + "\": [\"other/.*\"]\n"
        + "tag_replication: {retry_interval: 200ms, max_retry_interval: 1s, poll_retries_interval: 200ms,"
        + " num_workers: 4, max_concurrency_per_destination: 2, read_timeout: 10m}\n").start();
    for (int i = 0; i < 10; i++) {
      node.put("team/app:v" + i, digest(i), true);
    }
    ReplicationNode.await("the hung remotes hold workers", () -> hungA.requests().size() + hungB.requests().size(),
        n -> n >= 3, node);

    node.put("other/app:v1", digest(100), true);

    JsonNode done = ReplicationNode.await("the healthy remote's task done", () -> task("other/app:v1", healthy),
        t -> t.path("state").asText().equals("done"), node);
    assertThat(done.get("attempts").asInt()).isEqualTo(1);
    assertThat(task("team/app:v0", hungA).get("attempts").asInt())
        .as("done while the hung remotes' first attempts still ran, not after they timed out").isZero();
    assertThat(hungA.requests().size() + hungB.requests().size()).as("a worker stayed free").isEqualTo(3);
  }

  private void await() {
    try {
      never.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private JsonNode task(String tag, HostileRemote remote) {
    for (JsonNode t : node.replication(tag)) {
      if (t.get("destination").asText().equals(remote.address())) {
        return t;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }
}
