package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.server.RawHttp.Response;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /replication/writes}: each write as a replicated PUT or DELETE carrying its generation would be. */
final class WriteBatchRoutesTest {
  private static final String PATH = "/replication/writes";

  @TempDir Path dir;
  TestServer server;

  @BeforeEach
  void start() {
    server = TestServer.start(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static String write(String tag, String digest, long generation) {
    return "{\"tag\":\"" + tag + "\",\"digest\":" + (digest == null ? "null" : "\"" + digest + "\"")
        + ",\"generation\":" + generation + "}";
  }

  private JsonNode results(String... writes) {
    Response r = server.post(PATH, "{\"writes\":[" + String.join(",", writes) + "]}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    JsonNode results = r.json().get("results");
    assertThat(results.size()).isEqualTo(writes.length);
    return results;
  }

  private long generationOf(String tag) {
    return Long.parseLong(server.getTag(tag).header("X-Tag-Generation"));
  }

  @Test
  void writes_applyWithTheirGenerations() {
    JsonNode results = results(write("team/a:1", digest(1), 1000), write("team/b:1", digest(2), 2000));

    assertThat(results.get(0).get("outcome").asText()).isEqualTo("applied");
    assertThat(results.get(0).get("generation").asLong()).isEqualTo(1000);
    assertThat(results.get(0).has("status")).isFalse();
    assertThat(server.getTag("team/a:1").text()).isEqualTo(digest(1));
    assertThat(generationOf("team/a:1")).isEqualTo(1000);
    assertThat(server.getTag("team/b:1").text()).isEqualTo(digest(2));
    assertThat(generationOf("team/b:1")).isEqualTo(2000);
  }

  @Test
  void newerSenderAddingFields_isUnderstood() {
    // A newer node may add fields to the batch and to each write; this node ignores them (NodeJson).
    Response r = server.post(PATH, "{\"writes\":[{\"tag\":\"team/a:1\",\"digest\":\"" + digest(1)
        + "\",\"generation\":1000,\"verified\":true}],\"sender\":{\"version\":2}}");

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("results").get(0).get("outcome").asText()).isEqualTo("applied");
    assertThat(server.getTag("team/a:1").text()).isEqualTo(digest(1));
    assertThat(generationOf("team/a:1")).isEqualTo(1000);
  }

  @Test
  void sameStateAgain_unchanged_olderGeneration_superseded() {
    results(write("team/a:1", digest(1), 5000));

    JsonNode results = results(write("team/a:1", digest(1), 5000), write("team/a:1", digest(2), 4000));

    assertThat(results.get(0).get("outcome").asText()).isEqualTo("unchanged");
    assertThat(results.get(1).get("outcome").asText()).isEqualTo("superseded");
    assertThat(results.get(1).get("generation").asLong()).as("the generation that won").isEqualTo(5000);
    assertThat(server.getTag("team/a:1").text()).isEqualTo(digest(1));
  }

  @Test
  void nullDigest_storesATombstoneThatOlderWritesCannotResurrect() {
    results(write("team/a:1", digest(1), 1000));

    assertThat(results(write("team/a:1", null, 2000)).get(0).get("outcome").asText()).isEqualTo("applied");
    assertThat(server.getTag("team/a:1").status()).isEqualTo(404);

    assertThat(results(write("team/a:1", digest(1), 1500)).get(0).get("outcome").asText()).isEqualTo("superseded");
    assertThat(server.getTag("team/a:1").status()).isEqualTo(404);
  }

  @Test
  void badWrites_refusedAloneWithTheirStatus() {
    JsonNode results = results(
        write("no tag separator", digest(1), 1),
        write("team/a:1", "sha256:short", 1),
        "{\"tag\":\"team/a:2\",\"digest\":\"" + digest(1) + "\"}",
        "{\"digest\":\"" + digest(1) + "\",\"generation\":1}",
        write("team/ok:1", digest(3), 1));

    for (int i = 0; i < 4; i++) {
      assertThat(results.get(i).get("status").asInt()).as("write %d: %s", i, results.get(i)).isEqualTo(400);
      assertThat(results.get(i).get("error").asText()).isNotBlank();
      assertThat(results.get(i).has("outcome")).isFalse();
    }
    assertThat(results.get(2).get("error").asText()).contains("generation");
    assertThat(results.get(3).get("error").asText()).contains("tag");
    assertThat(results.get(4).get("outcome").asText()).isEqualTo("applied");
    assertThat(server.getTag("team/ok:1").text()).isEqualTo(digest(3));
    assertThat(server.getTag("team/a:2").status()).isEqualTo(404);
  }

  @Test
  void tooManyWrites_400() {
    StringBuilder body = new StringBuilder("{\"writes\":[");
    for (int i = 0; i <= io.buildindex.tagreplication.WriteBatch.MAX_WRITES; i++) {
      body.append(i == 0 ? "" : ",").append(write("team/a:" + i, digest(1), 1));
    }
    Response r = server.post(PATH, body.append("]}").toString());

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("message").asText()).contains("at most 1000");
    assertThat(server.getTag("team/a:0").status()).as("nothing applied").isEqualTo(404);
  }

  @Test
  void malformedBody_400() {
    assertThat(server.post(PATH, "").status()).isEqualTo(400);
    assertThat(server.post(PATH, "{\"writes\":").status()).isEqualTo(400);
    assertThat(server.post(PATH, "{\"writes\":[]}").json().get("results").size()).isZero();
  }
}
