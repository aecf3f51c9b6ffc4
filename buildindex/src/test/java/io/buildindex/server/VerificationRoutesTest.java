package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.server.RawHttp.Response;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remote's verification read routes: a rule's bucket summary and the entries of chosen buckets. */
final class VerificationRoutesTest {
  private static final String RULE = "%5Eteam%2F"; // ^team/

  @TempDir static Path dir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(dir);
    for (String tag : List.of("team/a:1", "team/b:1", "ops/c:1")) {
      assertThat(server.putTag(tag, digest(1)).status()).isEqualTo(200);
    }
    assertThat(server.putTag("team/gone:1", digest(2)).status()).isEqualTo(200);
    assertThat(server.delete("/tags/team%2Fgone:1").status()).isEqualTo(204);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void summaryThenEntries_liveTagsTheRuleMatchesInTheirBuckets() {
    JsonNode buckets = server.get("/replication/verification/summary?rule=" + RULE).json().get("buckets");
    assertThat(buckets).hasSize(256);
    List<String> nonZero = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      if (buckets.get(i).asLong() != 0) {
        nonZero.add(Integer.toString(i));
      }
    }
    assertThat(nonZero).as("team/a:1 and team/b:1, not the tombstone nor ops/").hasSizeBetween(1, 2);

    JsonNode entries = server.get("/replication/verification/entries?rule=" + RULE + "&buckets=" + String.join(",", nonZero)).json();

    assertThat(entries).extracting(e -> e.get("tag").asText()).containsExactly("team/a:1", "team/b:1");
    assertThat(entries.get(0).get("digest").asText()).isEqualTo(digest(1));
    assertThat(entries.get(0).get("generation").asLong())
        .isEqualTo(Long.parseLong(server.getTag("team/a:1").header("X-Tag-Generation")));
  }

  @Test
  void badInput_400NamingIt() {
    assertBadRequest(server.get("/replication/verification/summary"), "rule");
    assertBadRequest(server.get("/replication/verification/summary?rule=team%2F("), "rule");
    assertBadRequest(server.get("/replication/verification/summary?rule=x&extra=1"), "extra");
    assertBadRequest(server.get("/replication/verification/entries?rule=x"), "buckets");
    assertBadRequest(server.get("/replication/verification/entries?rule=x&buckets=256"), "buckets");
    assertBadRequest(server.get("/replication/verification/entries?rule=x&buckets=a"), "buckets");
  }

  @Test
  void verificationList_emptyWithoutRemotes() {
    Response r = server.get("/replication/verification");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json()).isEmpty();
  }

  private static void assertBadRequest(Response r, String field) {
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().get("message").asText()).contains(field);
  }
}
