package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed %-escapes that get past Jetty ({@code %:}, {@code %2:}, {@code %u002F}) fail in the
 * router's unescaping, before auth: on a real server process they are 400s with the JSON error
 * body, authenticated or not, and leave no ERROR (nor stack trace) in the log.
 */
final class MalformedEscapeTest {
  private static final String DIGEST = "sha256:abababababababababababababababababababababababababababababababab";
  private static final String HEX = "abababababababababababababababababababababababababababababababab";

  @RegisterExtension
  static final RunningServer<ServerProcess> server = RunningServer.perClass(dir -> ServerProcess.startWithYaml(dir,
      "auth:\n  tokens:\n    - {token: rw-token, scopes: [read, write]}\n"));

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "GET /tags/a%:1", "GET /tags/a%2:1", "GET /tags/a%u002F:1", "GET /tags/a%u002F:1/history",
      "PUT /tags/a%:1/digest/" + DIGEST, "PUT /tags/a:1/digest/sha256%:" + HEX, "DELETE /tags/a%2:1",
      "POST /remotes/tags/a%u002F:1", "GET /repositories/a%:b/tags"})
  void malformedEscape_400JsonWithOrWithoutToken(String request) {
    String method = request.substring(0, request.indexOf(' '));
    String path = request.substring(request.indexOf(' ') + 1);

    for (Map<String, String> headers : java.util.List.of(Map.<String, String>of(), Map.of("Authorization", "Bearer rw-token"))) {
      Response r = server.get().http().send(method, path, headers, new byte[0]);

      assertThat(r.status()).as(headers + " " + r).isEqualTo(400);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      assertThat(r.json().get("status").asInt()).isEqualTo(400);
      assertThat(r.json().get("message").asText()).contains("escape");
      assertThat(r.json().has("id")).isFalse();
    }
    assertThat(server.get().log()).doesNotContain(" ERROR ").doesNotContain("IllegalArgumentException");
  }

  @Test
  void malformedEscape_head_400() {
    assertThat(server.get().http().send("HEAD", "/tags/a%:1", Map.of(), new byte[0]).status()).isEqualTo(400);
  }

  @Test
  void wellFormedEscape_stillReachesAuth() {
    assertThat(server.get().send("GET", "/tags/team%2Fapp:v1").status()).isEqualTo(401);
  }
}
