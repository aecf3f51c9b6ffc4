package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every route against every kind of caller: 401 without a known token, 403 without the scope. */
final class AuthTest {
  private static final String D = digest(1);
  private static final String AUTH = """
      auth:
        tokens:
          - token: reader-token
            scopes: [read]
          - token: writer-token
            scopes: [write]
          - token: cluster-token
            scopes: [cluster]
          - token: replicator-token
            scopes: [replicate]
          - token: ci-token
            scopes: [read, write]
      """;

  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perClass(dir -> TestServer.start(dir, AUTH));

  @BeforeAll
  static void seed() {
    Response seed = server.get().send("PUT", "/tags/team%2Fapp:v1/digest/" + D, bearer("writer-token"), "");
    assertThat(seed.status()).isEqualTo(200);
  }

  /** A route, the scope it needs (null: open) and its status once through auth. */
  record Route(String method, String path, String body, @Nullable String scope, int okStatus) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  /** A caller: its Authorization header (null: none) and the scopes its token grants. */
  record Caller(String name, @Nullable String authorization, List<String> scopes, boolean known) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final List<Route> ROUTES = List.of(
      new Route("GET", "/tags/team%2Fapp:v1", "", "read", 200),
      new Route("HEAD", "/tags/team%2Fapp:v1", "", "read", 200),
      new Route("GET", "/tags/team%2Fapp:v1/history", "", "read", 200),
      new Route("GET", "/list/team/app", "", "read", 200),
      new Route("GET", "/list", "", "read", 200),
      new Route("GET", "/repositories/team%2Fapp/tags", "", "read", 200),
      new Route("GET", "/metrics", "", "read", 200),
      new Route("GET", "/origin", "", "read", 200),
      new Route("GET", "/replication/verification/summary?rule=%5Eteam%2F", "", "replicate", 200),
      new Route("GET", "/replication/verification/entries?rule=%5Eteam%2F&buckets=0,1", "", "replicate", 200),
      new Route("PUT", "/tags/team%2Fapp:v1/digest/" + D, "", "write", 200),
      new Route("PUT", "/tags/team%2Fapp:v1/digest/" + D + "?replicate=true", "", "write", 200),
      new Route("DELETE", "/tags/team%2Fapp:absent", "", "write", 404),
      new Route("POST", "/remotes/tags/team%2Fapp:v1", "", "write", 200),
      new Route("POST", "/replication/writes", "{\"writes\":[{\"tag\":\"team/app:w\",\"digest\":\"" + D
          + "\",\"generation\":1}]}", "replicate", 200),
      new Route("PUT", "/internal/duplicate/tags/team%2Fapp:v1/digest/" + D, "{\"delay\":0}", "cluster", 200),
      new Route("POST", "/internal/duplicate/remotes/tags/team%2Fapp:v1/digest/" + D,
          "{\"dependencies\":[\"" + D + "\"],\"delay\":0}", "cluster", 200),
      new Route("GET", "/internal/list?prefix=team%2F", "", "cluster", 200),
      new Route("GET", "/health", "", null, 200),
      new Route("GET", "/readiness", "", null, 200));

  static final List<Caller> CALLERS = List.of(
      new Caller("no header", null, List.of(), false),
      new Caller("unknown token", "Bearer not-a-token", List.of(), false),
      new Caller("empty token", "Bearer ", List.of(), false),
      new Caller("basic auth", "Basic cmVhZGVyLXRva2VuOg==", List.of(), false),
      new Caller("token without scheme", "reader-token", List.of(), false),
      new Caller("token with a suffix", "Bearer reader-token-x", List.of(), false),
      new Caller("reader", "Bearer reader-token", List.of("read"), true),
      new Caller("writer", "Bearer writer-token", List.of("write"), true),
      new Caller("cluster peer", "Bearer cluster-token", List.of("cluster", "replicate"), true), // cluster grants replicate
      new Caller("replicator", "Bearer replicator-token", List.of("replicate"), true),
      new Caller("ci (read+write)", "Bearer ci-token", List.of("read", "write"), true),
      new Caller("lowercase scheme", "bearer reader-token", List.of("read"), true));

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (Route route : ROUTES) {
      for (Caller caller : CALLERS) {
        int expected = route.scope() == null || caller.scopes().contains(route.scope()) ? route.okStatus()
            : caller.known() ? 403 : 401;
        cases.add(Arguments.of(route, caller, expected));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "[{index}] {0} as {1} -> {2}")
  @MethodSource("matrix")
  void route_asCaller(Route route, Caller caller, int expected) {
    Map<String, String> headers = caller.authorization() == null ? Map.of() : Map.of("Authorization", caller.authorization());

    Response r = server.get().send(route.method(), route.path(), headers, route.body());

    assertThat(r.status()).as(r.toString()).isEqualTo(expected);
    if (expected == 401) {
      assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
    }
    if ((expected == 401 || expected == 403) && !route.method().equals("HEAD")) {
      assertThat(r.json().get("status").asInt()).isEqualTo(expected);
      assertThat(r.text()).doesNotContain("-token");
    }
    if (expected == 403 && !route.method().equals("HEAD")) {
      assertThat(r.json().get("message").asText()).contains(route.scope());
    }
  }

  @Test
  void unauthenticated_badInput_401NotValidation() {
    assertThat(server.get().get("/tags/Bad:v1").status()).isEqualTo(401);
    assertThat(server.get().put("/tags/app:v1/digest/sha256:x").status()).isEqualTo(401);
  }

  @Test
  void refusedWrite_changesNothing() {
    Response refused = server.get().send("PUT", "/tags/team%2Fapp:v1/digest/" + digest(2), bearer("reader-token"), "");
    Response get = server.get().send("GET", "/tags/team%2Fapp:v1", bearer("reader-token"), "");

    assertThat(refused.status()).isEqualTo(403);
    assertThat(get.text()).isEqualTo(D);
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }
}
