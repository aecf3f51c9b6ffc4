package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and malformed requests: each gets a 4xx with a JSON body naming the problem, never a
 * 500, and the server keeps serving afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class BadInputTest {
  private static final String D = digest(1);
  private static final String PUT_TAG = "/tags/team%2Fapp:v1/digest/" + D;
  private static final String DUP_PUT = "/internal/duplicate/tags/team%2Fapp:dup/digest/" + D;
  private static final String DUP_REPLICATE = "/internal/duplicate/remotes/tags/team%2Fapp:dup/digest/" + D;
  /** One byte more than the 1 MiB body cap. */
  private static final String OVERSIZED = "{\"delay\":0,\"pad\":\"" + "x".repeat(1024 * 1024) + "\"}";

  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perClass(TestServer::start);

  /** {@code message} is a case-insensitive regex the error message must contain a match of. */
  record Row(String method, String path, String body, int status, String message) {
    @Override
    public String toString() {
      String shown = path.length() > 90 ? path.substring(0, 90) + "...(" + path.length() + ")" : path;
      String b = body.length() > 40 ? body.substring(0, 40) + "...(" + body.length() + ")" : body;
      return method + " " + shown + (b.isEmpty() ? "" : " " + b) + " -> " + status;
    }
  }

  private static Row row(String method, String path, int status, String message) {
    return new Row(method, path, "", status, message);
  }

  private static Row row(String method, String path, String body, int status, String message) {
    return new Row(method, path, body, status, message);
  }

  static Stream<Row> table() {
    return Stream.of(
        // Tag grammar.
        row("GET", "/tags/nocolon", 400, "tag"),
        row("GET", "/tags/Team%2Fapp:v1", 400, "repository"),
        row("GET", "/tags/team%2F:v1", 400, "repository"),
        row("GET", "/tags/%2Fteam:v1", 400, "repository"),
        row("GET", "/tags/team%2F%2Fapp:v1", 400, "repository"),
        row("GET", "/tags/-team:v1", 400, "repository"),
        row("GET", "/tags/team_:v1", 400, "repository"),
        row("GET", "/tags/te___am:v1", 400, "repository"),
        row("GET", "/tags/:v1", 400, "repository"),
        row("GET", "/tags/..%2F..%2Fetc:passwd", 400, "repository|uri|path"),
        row("GET", "/tags/%E2%82%AC:v1", 400, "repository"),
        row("GET", "/tags/app:", 400, "tag"),
        row("GET", "/tags/app:.v1", 400, "tag"),
        row("GET", "/tags/app:-v1", 400, "tag"),
        row("GET", "/tags/app:v1%20x", 400, "tag"),
        row("GET", "/tags/app:v1+x", 400, "tag"),
        row("GET", "/tags/app:v%E2%82%AC", 400, "tag"),
        row("GET", "/tags/app:" + "a".repeat(129), 400, "tag"),
        row("GET", "/tags/" + "r".repeat(256) + ":v1", 400, "repository|255"),
        row("GET", "/tags/" + "r".repeat(300) + ":v1", 400, "repository|255"),
        row("GET", "/tags/app:v1%3Ab", 400, "tag|repository"),
        // Escapes.
        row("GET", "/tags/app:v%zz", 400, "escape|uri"),
        row("GET", "/tags/%zz", 400, "escape|uri"),
        row("GET", "/tags/app:v%2", 400, "escape|uri"),
        row("GET", "/tags/app:v%ff", 400, "utf-8|tag"),
        row("GET", "/tags/app:v%00", 400, "nul|uri"),
        row("GET", "/tags/app:v%0A", 400, "tag|uri"),
        row("GET", "/tags/app:v%2500", 400, "nul"),
        row("GET", "/tags/app:v%25zz", 400, "escape"),
        row("GET", "/tags/app:v%25ff", 400, "utf-8"),
        row("GET", "/tags/app:v%25C3%2528", 400, "utf-8"),
        row("HEAD", "/tags/Team:v1", 400, ""),
        row("HEAD", "/tags/app:v%zz", 400, ""),
        // Other routes with bad tags.
        row("PUT", "/tags/Team:v1/digest/" + D, 400, "repository"),
        row("DELETE", "/tags/Team:v1", 400, "repository"),
        row("DELETE", "/tags/app:v%2500", 400, "nul"),
        row("GET", "/tags/Team:v1/history", 400, "repository"),
        row("POST", "/remotes/tags/Team:v1", 400, "repository"),
        row("GET", "/repositories/Team/tags", 400, "repository"),
        row("GET", "/repositories/team%2F/tags", 400, "repository"),
        row("GET", "/repositories/%zz/tags", 400, "escape|uri"),
        row("GET", "/list/team%2500", 400, "nul"),
        row("GET", "/list/team%25zz", 400, "escape"),
        // Digests.
        row("PUT", "/tags/app:v1/digest/sha256:abc", 400, "digest"),
        row("PUT", "/tags/app:v1/digest/md5:" + "a".repeat(32), 400, "digest"),
        row("PUT", "/tags/app:v1/digest/sha256:" + "A".repeat(63) + "G", 400, "digest"),
        row("PUT", "/tags/app:v1/digest/sha256:" + "a".repeat(65), 400, "digest"),
        row("PUT", "/tags/app:v1/digest/sha256:" + "a".repeat(63) + "g", 400, "digest"),
        row("PUT", "/tags/app:v1/digest/" + "a".repeat(64), 400, "digest"),
        row("PUT", "/tags/app:v1/digest/sha256%3A" + "a".repeat(63) + "%00", 400, "digest|nul|uri"),
        // Query parameters.
        row("PUT", PUT_TAG + "?replicate=yes", 400, "replicate"),
        row("PUT", PUT_TAG + "?replicate=", 400, "replicate"),
        row("GET", "/list/team?limit=0", 400, "limit"),
        row("GET", "/list/team?limit=-3", 400, "limit"),
        row("GET", "/list/team?limit=ten", 400, "limit"),
        row("GET", "/list/team?offset=garbage", 400, "offset"),
        row("GET", "/list/team?offset=%%%", 400, "offset|escape|query"),
        row("GET", "/list/team?limit=0%zz", 400, "limit|escape|query"),
        row("GET", "/list/team?colour=red", 400, "colour"),
        row("GET", "/repositories/team/tags?limit=0", 400, "limit"),
        // Internal bodies.
        row("PUT", DUP_PUT, "", 400, "body"),
        row("PUT", DUP_PUT, "{", 400, "json"),
        row("PUT", DUP_PUT, "[]", 400, "json"),
        row("PUT", DUP_PUT, "null", 400, "json|body"),
        row("PUT", DUP_PUT, "\"delay\"", 400, "json"),
        row("PUT", DUP_PUT, "{\"delay\":-1}", 400, "delay"),
        row("PUT", DUP_PUT, "{\"delay\":\"soon\"}", 400, "json"),
        row("PUT", DUP_PUT, "{\"delay\":null}", 400, "json"),
        row("PUT", DUP_PUT, "{\"delay\":99999999999999999999}", 400, "json"),
        row("PUT", DUP_PUT, "{\"delay\":1}{}", 400, "json"),
        row("PUT", DUP_PUT, "{\"delay\":0,\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400, "json|nesting|depth"),
        row("PUT", DUP_PUT, OVERSIZED, 413, "large|size"),
        row("POST", DUP_REPLICATE, "", 400, "body"),
        row("POST", DUP_REPLICATE, "null", 400, "json|body"),
        row("POST", DUP_REPLICATE, "{\"dependencies\":[\"sha256:x\"],\"delay\":0}", 400, "digest"),
        row("POST", DUP_REPLICATE, "{\"dependencies\":[\"" + D + "\",\"md5:x\"],\"delay\":0}", 400, "digest"),
        row("POST", DUP_REPLICATE, "{\"dependencies\":[null],\"delay\":0}", 400, "json|digest|dependencies"),
        row("POST", DUP_REPLICATE, "{\"dependencies\":\"" + D + "\",\"delay\":0}", 400, "json"),
        row("POST", DUP_REPLICATE, "{\"dependencies\":{},\"delay\":0}", 400, "json"),
        row("POST", DUP_REPLICATE, "{\"dependencies\":[],\"delay\":-5}", 400, "delay"),
        row("POST", DUP_REPLICATE, OVERSIZED, 413, "large|size"),
        row("PUT", "/internal/duplicate/tags/Team:v1/digest/" + D, "{\"delay\":0}", 400, "repository"),
        row("PUT", "/internal/duplicate/tags/app:v1/digest/sha256:x", "{\"delay\":0}", 400, "digest"),
        // No such route.
        row("GET", "/nope", 404, "nope"),
        row("GET", "/tags/", 404, "tags"),
        row("GET", "/tags/team/app:v1", 404, "tags"),
        row("GET", "/" + "x".repeat(20_000), 414, "uri|long|large"));
  }

  @Order(1)
  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("table")
  void badInput_4xxNamingTheProblem(Row row) {
    Response r = server.get().send(row.method(), row.path(), java.util.Map.of(), row.body());

    assertThat(r.status()).as(r.toString()).isEqualTo(row.status());
    if (row.method().equals("HEAD")) {
      return; // no body
    }
    assertThat(r.header("Content-Type")).as(r.toString()).startsWith("application/json");
    JsonNode error = r.json();
    assertThat(error.get("status").asInt()).as(r.toString()).isEqualTo(row.status());
    assertThat(error.get("message").asText()).as(r.toString()).containsPattern("(?i)" + row.message());
    assertThat(error.has("id")).as("only 5xx carry an id: " + r).isFalse();
  }

  @Order(2)
  @Test
  void afterTheTable_serverStillServes() {
    assertThat(server.get().get("/health").text()).isEqualTo("OK\n");
    assertThat(server.get().put("/tags/team%2Fapp:after/digest/" + digest(2)).status()).isEqualTo(200);
    assertThat(server.get().get("/tags/team%2Fapp:after").text()).isEqualTo(digest(2));
  }

  @Order(2)
  @Test
  void badInput_storedNothing() {
    assertThat(server.get().get("/list").json().get("result").toString()).doesNotContain("team/app:v1", "team/app:dup", "Team");
  }
}
