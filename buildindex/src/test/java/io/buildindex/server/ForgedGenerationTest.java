package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller that may choose a write's generation can pin a tag: a generation far in the future
 * supersedes every later write, and a forged tombstone keeps the tag from ever being created.
 * Generations need the {@code replicate} (or {@code cluster}) scope, and one further ahead of the
 * node's clock than {@code tagserver.max_clock_skew} is refused with 400.
 */
final class ForgedGenerationTest {
  private static final String AUTH = """
      auth:
        tokens:
          - {token: writer-token, scopes: [read, write]}
          - {token: replicator-token, scopes: [read, write, replicate]}
          - {token: peer-token, scopes: [read, write, cluster]}
      """;
  private static final String MAX = Long.toString(Long.MAX_VALUE);

  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perClass(dir -> TestServer.start(dir, AUTH)); // max_clock_skew: the default 5m

  @Test
  void put_generationWithWriteScopeOnly_403_laterWritesApply() {
    Response forged = send("PUT", "/tags/team%2Fapp:put/digest/" + digest(1), "writer-token", MAX, "");

    assertThat(forged.status()).as(forged.toString()).isEqualTo(403);
    assertThat(forged.json().get("message").asText()).contains("replicate");
    Response later = send("PUT", "/tags/team%2Fapp:put/digest/" + digest(2), "writer-token", null, "");
    assertThat(later.header("X-Tag-Outcome")).isEqualTo("applied");
    assertThat(send("GET", "/tags/team%2Fapp:put", "writer-token", null, "").text()).isEqualTo(digest(2));
  }

  @Test
  void delete_absentTagWithGenerationWriteScopeOnly_403_tagCanBeCreated() {
    Response forged = send("DELETE", "/tags/team%2Fapp:tomb", "writer-token", MAX, "");

    assertThat(forged.status()).as(forged.toString()).isEqualTo(403);
    Response create = send("PUT", "/tags/team%2Fapp:tomb/digest/" + digest(3), "writer-token", null, "");
    assertThat(create.header("X-Tag-Outcome")).isEqualTo("applied");
  }

  @Test
  void replicationWrites_writeScopeOnly_403() {
    Response forged = send("POST", "/replication/writes", "writer-token", null, batch("team/app:batch", MAX));

    assertThat(forged.status()).as(forged.toString()).isEqualTo(403);
    assertThat(send("GET", "/tags/team%2Fapp:batch", "writer-token", null, "").status()).isEqualTo(404);
  }

  @Test
  void put_generationFarAhead_400EvenWithReplicateScope() {
    Response forged = send("PUT", "/tags/team%2Fapp:far/digest/" + digest(4), "replicator-token", MAX, "");

    assertThat(forged.status()).as(forged.toString()).isEqualTo(400);
    assertThat(forged.json().get("message").asText()).contains("generation").contains("ahead");
    Response later = send("PUT", "/tags/team%2Fapp:far/digest/" + digest(5), "writer-token", null, "");
    assertThat(later.header("X-Tag-Outcome")).isEqualTo("applied");
    assertThat(Long.parseLong(later.header("X-Tag-Generation"))).isLessThan(Long.MAX_VALUE);
  }

  @Test
  void delete_absentTagFarAheadFromPeer_400_tagCanBeCreated() {
    Response forged = send("DELETE", "/tags/team%2Fapp:fartomb", "peer-token", MAX, "");

    assertThat(forged.status()).as(forged.toString()).isEqualTo(400);
    Response create = send("PUT", "/tags/team%2Fapp:fartomb/digest/" + digest(6), "writer-token", null, "");
    assertThat(create.header("X-Tag-Outcome")).isEqualTo("applied");
  }

  @Test
  void replicationWrites_farAheadWriteRefusedAlone() {
    String ok = Long.toString(aheadOfNow(Duration.ofSeconds(30)));
    String body = "{\"writes\":[{\"tag\":\"team/app:b1\",\"digest\":\"" + digest(7) + "\",\"generation\":" + MAX + "},"
        + "{\"tag\":\"team/app:b2\",\"digest\":\"" + digest(8) + "\",\"generation\":" + ok + "}]}";

    Response r = send("POST", "/replication/writes", "replicator-token", null, body);

    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().get("results").get(0).get("status").asInt()).isEqualTo(400);
    assertThat(r.json().get("results").get(0).get("error").asText()).contains("ahead");
    assertThat(r.json().get("results").get(1).get("outcome").asText()).isEqualTo("applied");
    assertThat(send("GET", "/tags/team%2Fapp:b1", "writer-token", null, "").status()).isEqualTo(404);
  }

  @Test
  void put_generationWithinSkew_replicateOrClusterScope_applied() {
    String withinSkew = Long.toString(aheadOfNow(Duration.ofMinutes(1)));

    Response replicated = send("PUT", "/tags/team%2Fapp:ok1/digest/" + digest(9), "replicator-token", withinSkew, "");
    Response fromPeer = send("PUT", "/tags/team%2Fapp:ok2/digest/" + digest(9), "peer-token", withinSkew, "");

    assertThat(replicated.header("X-Tag-Outcome")).as(replicated.toString()).isEqualTo("applied");
    assertThat(replicated.header("X-Tag-Generation")).isEqualTo(withinSkew);
    assertThat(fromPeer.header("X-Tag-Outcome")).as(fromPeer.toString()).isEqualTo("applied");
  }

  /* A database that already holds a forged generation (stored before they were bounded): after a
   * restart the node's clock must not follow it, or every local write to any tag would take it. */
  @Test
  void restart_withForgedGenerationStored_otherTagsKeepWallClockGenerations(@TempDir Path own) throws Exception {
    TestServer node = TestServer.start(own);
    node.putTag("team/app:pinned", digest(1));
    node.close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + node.db());
         PreparedStatement u = c.prepareStatement("UPDATE tags SET generation = ? WHERE tag = 'team/app:pinned'")) {
      u.setLong(1, Long.MAX_VALUE);
      assertThat(u.executeUpdate()).isEqualTo(1);
    }
    try (TestServer restarted = TestServer.start(own)) {
      Response put = restarted.putTag("team/app:other", digest(2));

      assertThat(put.header("X-Tag-Outcome")).isEqualTo("applied");
      assertThat(Long.parseLong(put.header("X-Tag-Generation"))).isLessThan(aheadOfNow(Duration.ofMinutes(5)));
    }
  }

  /** A generation {@code ahead} of this machine's clock, counter zero. */
  private static long aheadOfNow(Duration ahead) {
    return (System.currentTimeMillis() + ahead.toMillis()) << 16; // Generation.COUNTER_BITS
  }

  private static String batch(String tag, String generation) {
    return "{\"writes\":[{\"tag\":\"" + tag + "\",\"digest\":\"" + digest(1) + "\",\"generation\":" + generation + "}]}";
  }

  private static Response send(String method, String path, String token, String generation, String body) {
    Map<String, String> headers = new HashMap<>();
    headers.put("Authorization", "Bearer " + token);
    if (generation != null) {
      headers.put("X-Tag-Generation", generation);
    }
    return server.get().send(method, path, headers, body);
  }
}
