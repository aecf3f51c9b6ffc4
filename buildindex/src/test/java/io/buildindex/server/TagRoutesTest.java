package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class TagRoutesTest {
  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perTest(TestServer::start);

  @Test
  void put_thenGet_returnsDigestAsPlainText() {
    Response put = server.get().put("/tags/team%2Fapp:v1/digest/" + digest(1));
    Response get = server.get().get("/tags/team%2Fapp:v1");

    assertThat(put.status()).isEqualTo(200);
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.header("Content-Type")).startsWith("text/plain");
    assertThat(get.text()).isEqualTo(digest(1)); // exactly, no trailing newline
  }

  @Test
  void put_reportsOutcomeAndGeneration() {
    Response put = server.get().putTag("team/app:v1", digest(1));

    assertThat(put.header("X-Tag-Outcome")).isEqualTo("applied");
    assertThat(Long.parseLong(put.header("X-Tag-Generation"))).isPositive();
    assertThat(server.get().getTag("team/app:v1").header("X-Tag-Generation")).isEqualTo(put.header("X-Tag-Generation"));
  }

  @Test
  void put_sameDigestAgain_unchanged() {
    server.get().putTag("team/app:v1", digest(1));

    Response again = server.get().putTag("team/app:v1", digest(1));

    assertThat(again.status()).isEqualTo(200);
    assertThat(again.header("X-Tag-Outcome")).isEqualTo("unchanged");
    assertThat(server.get().getTag("team/app:v1").text()).isEqualTo(digest(1));
  }

  @Test
  void put_overwrite_lastWriteWins() {
    Response first = server.get().putTag("team/app:latest", digest(1));

    Response second = server.get().putTag("team/app:latest", digest(2));

    assertThat(second.header("X-Tag-Outcome")).isEqualTo("applied");
    assertThat(Long.parseLong(second.header("X-Tag-Generation")))
        .isGreaterThan(Long.parseLong(first.header("X-Tag-Generation")));
    assertThat(server.get().getTag("team/app:latest").text()).isEqualTo(digest(2));
  }

  @Test
  void put_olderGeneration_superseded() {
    long stored = Long.parseLong(server.get().putTag("team/app:v1", digest(1)).header("X-Tag-Generation"));

    Response older = server.get().send("PUT", "/tags/team%2Fapp:v1/digest/" + digest(2),
        Map.of("X-Tag-Generation", Long.toString(stored - 1)), "");

    assertThat(older.status()).isEqualTo(200);
    assertThat(older.header("X-Tag-Outcome")).isEqualTo("superseded");
    assertThat(older.header("X-Tag-Generation")).isEqualTo(Long.toString(stored));
    assertThat(server.get().getTag("team/app:v1").text()).isEqualTo(digest(1));
  }

  @Test
  void put_newerGeneration_applied() {
    long stored = Long.parseLong(server.get().putTag("team/app:v1", digest(1)).header("X-Tag-Generation"));

    Response newer = server.get().send("PUT", "/tags/team%2Fapp:v1/digest/" + digest(2),
        Map.of("X-Tag-Generation", Long.toString(stored + 1)), "");

    assertThat(newer.header("X-Tag-Outcome")).isEqualTo("applied");
    assertThat(newer.header("X-Tag-Generation")).isEqualTo(Long.toString(stored + 1));
    assertThat(server.get().getTag("team/app:v1").text()).isEqualTo(digest(2));
  }

  @Test
  void put_afterObservingFutureGeneration_localWriteStillWins() {
    // Two minutes ahead: within tagserver.max_clock_skew (5m), so observed rather than refused.
    long future = Long.parseLong(server.get().putTag("team/app:v1", digest(1)).header("X-Tag-Generation"))
        + (Duration.ofMinutes(2).toMillis() << 16);
    server.get().send("PUT", "/tags/team%2Fapp:v2/digest/" + digest(2), Map.of("X-Tag-Generation", Long.toString(future)), "");

    Response local = server.get().putTag("team/app:v2", digest(3));

    assertThat(local.header("X-Tag-Outcome")).isEqualTo("applied");
    assertThat(Long.parseLong(local.header("X-Tag-Generation"))).isGreaterThan(future);
    assertThat(server.get().getTag("team/app:v2").text()).isEqualTo(digest(3));
  }

  /* Many writers race on one tag: the stored state is the write with the highest generation, and
   * every applied write (and only those) is in the history. */
  @Test
  void put_concurrentWritersOneTag_highestGenerationWins() throws Exception {
    record Write(String digest, long generation, String outcome) {}
    List<Write> writes = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      threads.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 20; i++) {
          String d = digest(thread * 100 + i);
          Response r = server.get().putTag("team/app:hot", d);
          writes.add(new Write(d, Long.parseLong(r.header("X-Tag-Generation")), r.header("X-Tag-Outcome")));
        }
      }));
    }
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(60));
      assertThat(t.isAlive()).isFalse();
    }

    // A superseded write answers the generation that beat it, not its own: only applied writes
    // pair a digest with its generation.
    Write newest = writes.stream().filter(w -> w.outcome().equals("applied"))
        .max(Comparator.comparingLong(Write::generation)).orElseThrow();
    assertThat(writes).allSatisfy(w -> assertThat(w.generation()).isLessThanOrEqualTo(newest.generation()));
    Response get = server.get().getTag("team/app:hot");
    assertThat(writes).hasSize(160);
    assertThat(get.text()).isEqualTo(newest.digest());
    assertThat(get.header("X-Tag-Generation")).isEqualTo(Long.toString(newest.generation()));
    long applied = writes.stream().filter(w -> w.outcome().equals("applied")).count();
    assertThat(server.get().get("/tags/team%2Fapp:hot/history").json()).hasSize((int) applied);
  }

  @ParameterizedTest(name = "[{index}] ?replicate={0}")
  @ValueSource(strings = {"true", "false"})
  void put_replicateParam_accepted(String value) {
    Response put = server.get().put("/tags/team%2Fapp:v1/digest/" + digest(1) + "?replicate=" + value);

    assertThat(put.status()).isEqualTo(200);
    assertThat(server.get().getTag("team/app:v1").text()).isEqualTo(digest(1));
  }

  @ParameterizedTest(name = "[{index}] X-Tag-Generation: {0}")
  @ValueSource(strings = {"abc", "-5", "1.5", "99999999999999999999"})
  void put_badGenerationHeader_400(String value) {
    Response put = server.get().send("PUT", "/tags/team%2Fapp:v1/digest/" + digest(1), Map.of("X-Tag-Generation", value), "");

    assertThat(put.status()).isEqualTo(400);
    assertThat(put.json().get("message").asText()).contains("generation");
    assertThat(server.get().getTag("team/app:v1").status()).isEqualTo(404);
  }

  @Test
  void put_isCommittedBeforeTheResponse() throws Exception {
    server.get().putTag("team/app:v1", digest(7));

    // A separate connection on the file sees the row as soon as the PUT has returned.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.get().db());
         PreparedStatement q = c.prepareStatement("SELECT digest FROM tags WHERE tag = ?")) {
      q.setString(1, "team/app:v1");
      try (ResultSet rs = q.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(digest(7));
      }
    }
  }

  @Test
  void get_unknownTag_404EmptyBody() {
    Response get = server.get().getTag("team/app:nope");

    assertThat(get.status()).isEqualTo(404);
    assertThat(get.body()).isEmpty();
  }

  @Test
  void head_existingTag_200() {
    server.get().putTag("team/app:v1", digest(1));

    Response head = server.get().head("/tags/team%2Fapp:v1");

    assertThat(head.status()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void head_unknownTag_404() {
    assertThat(server.get().head("/tags/team%2Fapp:nope").status()).isEqualTo(404);
  }

  @Test
  void tags_areIndependent() {
    server.get().putTag("team/app:v1", digest(1));
    server.get().putTag("team/app:v2", digest(2));
    server.get().putTag("team/app2:v1", digest(3));
    server.get().putTag("app:v1", digest(4));

    assertThat(server.get().getTag("team/app:v1").text()).isEqualTo(digest(1));
    assertThat(server.get().getTag("team/app:v2").text()).isEqualTo(digest(2));
    assertThat(server.get().getTag("team/app2:v1").text()).isEqualTo(digest(3));
    assertThat(server.get().getTag("app:v1").text()).isEqualTo(digest(4));
  }

  @Test
  void put_longestValidTag_accepted() {
    String name = "V".repeat(128);
    String repo = "r".repeat(255 - 1 - name.length());

    assertThat(server.get().putTag(repo + ":" + name, digest(1)).status()).isEqualTo(200);
    assertThat(server.get().getTag(repo + ":" + name).text()).isEqualTo(digest(1));
  }

  @Test
  void put_grammarEdgeCases_accepted() {
    for (String tag : new String[] {"a:_", "a.b_c-d/e0:T.1-x_", "0/1/2:0", "library/ubuntu:22.04"}) {
      assertThat(server.get().putTag(tag, digest(1)).status()).as(tag).isEqualTo(200);
      assertThat(server.get().getTag(tag).text()).as(tag).isEqualTo(digest(1));
    }
  }
}
