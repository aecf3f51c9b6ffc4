package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.server.RawHttp.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication between two real build-index processes, A replicating {@code team/} tags (and
 * {@code ^mirror/} ones) to B. The processes are shared by the tests of this class, each test
 * using its own tags.
 */
final class ReplicationTest {
  @TempDir static Path dir;
  static ReplicationNode a;
  static ReplicationNode b;

  @BeforeAll
  static void start() {
    b = ReplicationNode.reserve(dir, "b");
    a = ReplicationNode.reserve(dir, "a").configure(b.asRemote("team/.*", "^mirror/") + ReplicationNode.FAST_RETRIES);
    ReplicationNode.startAll(a, b);
  }

  @AfterAll
  static void stop() {
    try (ReplicationNode closeA = a; ReplicationNode closeB = b) {
      // closes both, even when one fails
    }
  }

  @Test
  void put_replicateTrue_remoteHoldsSameDigestAndGeneration() {
    Response put = a.put("team/app:v1", digest(1), true);
    assertThat(put.status()).isEqualTo(200);
    String generation = put.header("X-Tag-Generation");

    b.awaitDigest("team/app:v1", digest(1), a, b);

    assertThat(b.get("team/app:v1").header("X-Tag-Generation")).isEqualTo(generation);
    JsonNode history = b.history("team/app:v1");
    assertThat(history).hasSize(1);
    assertThat(history.get(0).get("digest").asText()).isEqualTo(digest(1));
    assertThat(history.get(0).get("generation").asText()).isEqualTo(generation);
    JsonNode task = a.awaitTask("team/app:v1", b, "done");
    assertThat(task.get("digest").asText()).isEqualTo(digest(1));
    assertThat(task.get("generation").asText()).isEqualTo(generation);
    assertThat(task.get("last_error").isNull()).as(task.toString()).isTrue();
    assertThat(task.get("superseded").asBoolean()).isFalse();
    assertThat(a.replication("team/app:v1")).hasSize(1);
  }

  @Test
  void put_withoutReplicate_createsNoTaskAndStaysLocal() {
    assertThat(a.put("team/app:local", digest(2), false).status()).isEqualTo(200);

    // The task would have been created in the PUT's own transaction.
    assertThat(a.replication("team/app:local")).isEmpty();
    // A replicated tag written after it arrives; the unreplicated one still has not.
    a.put("team/app:local-marker", digest(3), true);
    b.awaitDigest("team/app:local-marker", digest(3), a, b);
    assertThat(b.get("team/app:local").status()).isEqualTo(404);
  }

  @Test
  void remotesPost_unreplicatedTag_replicatesItsCurrentState() {
    String generation = a.put("team/app:later", digest(6), false).header("X-Tag-Generation");
    assertThat(a.replication("team/app:later")).isEmpty();

    assertThat(a.send("POST", "/remotes/tags/team%2Fapp:later").status()).isEqualTo(200);

    b.awaitDigest("team/app:later", digest(6), a, b);
    assertThat(b.get("team/app:later").header("X-Tag-Generation")).isEqualTo(generation);
    assertThat(a.awaitTask("team/app:later", b, "done").get("generation").asText()).isEqualTo(generation);
  }

  @Test
  void put_tagMatchingNoRule_notReplicated() {
    assertThat(a.put("other/app:v1", digest(4), true).status()).isEqualTo(200);

    assertThat(a.replication("other/app:v1")).isEmpty();
    a.put("team/app:rule-marker", digest(5), true);
    b.awaitDigest("team/app:rule-marker", digest(5), a, b);
    assertThat(b.get("other/app:v1").status()).isEqualTo(404);
  }

  @Test
  void match_namesDestinationAndRule() {
    assertThat(match("other/app:v1")).isEmpty();
    assertThat(match("team/app:v1")).containsExactly(Map.of("destination", b.address(), "rule", "team/.*"));
    assertThat(match("mirror/app:v1")).containsExactly(Map.of("destination", b.address(), "rule", "^mirror/"));
    // Kraken's regexp.MatchString searches: an unanchored rule matches inside the name too.
    assertThat(match("myteam/app:v1")).containsExactly(Map.of("destination", b.address(), "rule", "team/.*"));
    assertThat(match("x/mirror/app:v1")).isEmpty();
  }

  @Test
  void put_repointedTag_remoteEndsOnNewDigest() {
    a.put("team/app:moving", digest(10), true);
    b.awaitDigest("team/app:moving", digest(10), a, b);
    a.awaitTask("team/app:moving", b, "done");

    String generation = a.put("team/app:moving", digest(11), true).header("X-Tag-Generation");

    // Kraken would see the tag present on the remote and skip it.
    b.awaitDigest("team/app:moving", digest(11), a, b);
    assertThat(b.get("team/app:moving").header("X-Tag-Generation")).isEqualTo(generation);
    JsonNode history = b.history("team/app:moving");
    assertThat(history).extracting(h -> h.get("digest").asText()).containsExactly(digest(11), digest(10));
    JsonNode task = a.awaitTask("team/app:moving", b, "done");
    assertThat(task.get("digest").asText()).isEqualTo(digest(11));
    assertThat(task.get("generation").asText()).isEqualTo(generation);
  }

  @Test
  void delete_replicatedTag_remoteAnswers404() {
    String tag = "team/app:deleted";
    a.put(tag, digest(20), true);
    b.awaitDigest(tag, digest(20), a, b);

    Response delete = a.send("DELETE", "/tags/team%2Fapp:deleted");

    assertThat(delete.status()).isEqualTo(204);
    ReplicationNode.await("B answers 404 for " + tag, () -> b.get(tag).status(), s -> s == 404, a, b);
    assertThat(b.get(tag).header("X-Tag-Generation")).isEqualTo(delete.header("X-Tag-Generation"));
    JsonNode task = a.awaitTask(tag, b, "done");
    assertThat(task.get("delete").asBoolean()).isTrue();
    assertThat(task.get("digest").isNull()).isTrue();
  }

  @Test
  void delete_thenOlderReplicatedPut_doesNotResurrect() {
    String tag = "team/app:zombie";
    String putGeneration = a.put(tag, digest(30), true).header("X-Tag-Generation");
    b.awaitDigest(tag, digest(30), a, b);
    a.send("DELETE", "/tags/team%2Fapp:zombie");
    ReplicationNode.await("B answers 404 for " + tag, () -> b.get(tag).status(), s -> s == 404, a, b);

    // A replicated PUT that was overtaken by the delete (a late retry from some source).
    Response late = b.send("PUT", "/tags/team%2Fapp:zombie/digest/" + digest(31) + "?replicate=true",
        Map.of("X-Tag-Generation", putGeneration));

    assertThat(late.status()).isEqualTo(200);
    assertThat(late.header("X-Tag-Outcome")).isEqualTo("superseded");
    assertThat(b.get(tag).status()).isEqualTo(404);
    assertThat(b.history(tag)).extracting(h -> h.get("digest").asText()).containsExactly(digest(30));
  }

  @Test
  void delete_tagRemoteNeverHad_tombstoneThereBlocksTheOlderPut() {
    String tag = "team/app:never";
    String putGeneration = a.put(tag, digest(35), false).header("X-Tag-Generation");

    Response delete = a.send("DELETE", "/tags/team%2Fapp:never");

    assertThat(delete.status()).isEqualTo(204);
    assertThat(a.awaitTask(tag, b, "done").get("delete").asBoolean()).isTrue();
    assertThat(b.get(tag).status()).isEqualTo(404);
    assertThat(b.get(tag).header("X-Tag-Generation")).isEqualTo(delete.header("X-Tag-Generation"));
    Response late = b.send("PUT", "/tags/team%2Fapp:never/digest/" + digest(35) + "?replicate=true",
        Map.of("X-Tag-Generation", putGeneration));
    assertThat(late.header("X-Tag-Outcome")).isEqualTo("superseded");
    assertThat(b.get(tag).status()).isEqualTo(404);
  }

  @Test
  void delete_replicateFalse_remoteKeepsTag() {
    String tag = "team/app:kept";
    a.put(tag, digest(40), true);
    b.awaitDigest(tag, digest(40), a, b);
    a.awaitTask(tag, b, "done");

    assertThat(a.send("DELETE", "/tags/team%2Fapp:kept?replicate=false").status()).isEqualTo(204);

    assertThat(a.get(tag).status()).isEqualTo(404);
    // No new task: the existing one still describes the PUT.
    JsonNode task = a.task(tag, b);
    assertThat(task.get("state").asText()).isEqualTo("done");
    assertThat(task.get("delete").asBoolean()).isFalse();
    a.put("team/app:kept-marker", digest(41), true);
    b.awaitDigest("team/app:kept-marker", digest(41), a, b);
    assertThat(b.digestOf(tag)).isEqualTo(digest(40));
  }

  /** {@code GET /remotes/match} on A, as (destination, rule) maps. */
  private static List<Map<String, String>> match(String tag) {
    Response r = a.send("GET", "/remotes/match?tag=" + URLEncoder.encode(tag, StandardCharsets.UTF_8));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    List<Map<String, String>> out = new ArrayList<>();
    r.json().forEach(m -> out.add(Map.of("destination", m.get("destination").asText(), "rule", m.get("rule").asText())));
    return out;
  }
}
