package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HEAD answers what GET answers, auth included, on a real server process: Javalin alone would
 * answer HEAD of any GET route 200 without running it (no auth check, 200 for a missing tag).
 */
final class HeadRequestTest {
  private static final String DIGEST = "sha256:abababababababababababababababababababababababababababababababab";
  private static final Map<String, String> NO_TOKEN = Map.of();
  private static final Map<String, String> READER = Map.of("Authorization", "Bearer reader-token");
  private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin-token");

  @RegisterExtension
  static final RunningServer<ServerProcess> server = RunningServer.perClass(dir -> ServerProcess.startWithYaml(dir,
      "auth:\n  tokens:\n    - {token: reader-token, scopes: [read]}\n"
          + "    - {token: admin-token, scopes: [read, write, admin, cluster]}\n"));

  @BeforeAll
  static void seed() {
    Response put = server.get().http().send("PUT", "/tags/team%2Fapp:v1/digest/" + DIGEST, ADMIN, new byte[0]);
    assertThat(put.status()).isEqualTo(200);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "/replication/tasks", "/replication/backfill", "/metrics", "/origin", "/list", "/list/team",
      "/repositories/team%2Fapp/tags", "/tags/team%2Fapp:v1", "/tags/team%2Fapp:absent", "/tags/team%2Fapp:v1/history",
      "/tags/team%2Fapp:absent/history", "/tags/team%2Fapp:v1/replication", "/remotes/match?tag=team/app:v1",
      "/internal/antientropy/summary?peer=127.0.0.1:1", "/health", "/readiness", "/tags/Bad:v1"})
  void head_answersWhatGetAnswers(String path) {
    for (Map<String, String> caller : List.of(NO_TOKEN, READER, ADMIN)) {
      Response get = server.get().http().send("GET", path, caller, new byte[0]);
      Response head = server.get().http().send("HEAD", path, caller, new byte[0]);

      assertThat(head.status()).as(caller + " HEAD " + path + " vs GET " + get).isEqualTo(get.status());
      assertThat(head.body()).isEmpty();
    }
  }

  @Test
  void head_getOnlyRoutesWithoutToken_401() {
    assertThat(server.get().http().send("HEAD", "/replication/tasks", NO_TOKEN, new byte[0]).status()).isEqualTo(401);
    assertThat(server.get().http().send("HEAD", "/metrics", NO_TOKEN, new byte[0]).status()).isEqualTo(401);
    assertThat(server.get().http().send("HEAD", "/replication/tasks", READER, new byte[0]).status()).isEqualTo(403);
  }

  @Test
  void head_historyOfAMissingTag_404() {
    assertThat(server.get().http().send("HEAD", "/tags/team%2Fapp:absent/history", READER, new byte[0]).status()).isEqualTo(404);
    assertThat(server.get().http().send("HEAD", "/tags/team%2Fapp:v1/history", READER, new byte[0]).status()).isEqualTo(200);
  }
}
