package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The calls Kraken's proxy and its Go {@code tagclient} make, with their exact paths and bodies,
 * against a real server: each answers as Kraken's build-index would.
 */
final class KrakenDropInTest {
  private static final String UPPER = "sha256:" + "AB".repeat(32);
  private static final String LONG_REPO = repository(205);
  private static final String LONG_NAME = "t".repeat(60);

  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perClass(TestServer::start);

  @BeforeAll
  static void seed() {
    for (String tag : List.of("team/app:v1", "team/app:v2", "team/app/sub:v1", "team/app2:v1", "team/ap:v1")) {
      assertThat(server.get().putTag(tag, digest(1)).status()).as(tag).isEqualTo(200);
    }
  }

  /** One Kraken call: who makes it, the request as it goes on the wire, and what it must get back. */
  record Call(String who, String method, String path, String body, int status, Consumer<Response> check) {
    @Override
    public String toString() {
      return who + ": " + method + " " + (path.length() > 80 ? path.substring(0, 80) + "..." : path);
    }
  }

  private static Call call(String who, String method, String path, int status, Consumer<Response> check) {
    return new Call(who, method, path, "", status, check);
  }

  static Stream<Call> calls() {
    return Stream.of(
        // Kraken's proxy, GET /v2/<repo>/tags/list: tagclient.List("/" + repo + "/_manifests/tags").
        call("proxy tag list", "GET", "/list//team/app/_manifests/tags", 200,
            r -> assertThat(result(r)).containsExactly("team/app:v1", "team/app:v2")),
        call("proxy tag list, no leading slash", "GET", "/list/team/app/_manifests/tags", 200,
            r -> assertThat(result(r)).containsExactly("team/app:v1", "team/app:v2")),
        call("proxy tag list, unknown repository", "GET", "/list//no/such/_manifests/tags", 200,
            r -> assertThat(result(r)).isEmpty()),
        call("proxy tag list, nested repository", "GET", "/list//team/app/sub/_manifests/tags", 200,
            r -> assertThat(result(r)).containsExactly("team/app/sub:v1")),
        call("proxy tag list, bad repository", "GET", "/list//Team/_manifests/tags", 400,
            r -> assertThat(r.json().get("message").asText()).contains("repository")),
        // Kraken's proxy, GET /v2/_catalog?n=: tagclient.ListWithPagination("", {Limit: n}).
        call("proxy catalog, n above the maximum", "GET", "/list/?limit=50000", 200, r -> {
          assertThat(result(r)).contains("team/app:v1", "team/ap:v1");
          assertThat(r.json().get("Links").get("self").asText()).isEqualTo("/list/?limit=10000");
        }),
        call("tagclient.ListWithPagination, limit 0", "GET", "/list/team?limit=0", 400, r -> {}),
        call("tagclient.ListWithPagination", "GET", "/list/team/app?limit=2", 200, r -> {
          assertThat(result(r)).containsExactly("team/app/sub:v1", "team/app2:v1");
          assertThat(r.json().get("Links").get("next").asText()).startsWith("/list/team/app?limit=2&offset=");
        }),
        call("tagclient.ListRepository", "GET", "/repositories/team%2Fapp/tags", 200,
            r -> assertThat(result(r)).containsExactly("v1", "v2")),
        call("tagclient.Get", "GET", "/tags/team%2Fapp:v1", 200, r -> assertThat(r.text()).isEqualTo(digest(1))),
        call("tagclient.Has", "HEAD", "/tags/team%2Fapp:v2", 200, r -> {}),
        call("tagclient.Get, absent", "GET", "/tags/team%2Fapp:v9", 404, r -> {}),
        // OCI grammar: "__" and any number of "-" inside a component.
        call("tagclient.Put, my__app", "PUT", "/tags/my__app:v1/digest/" + digest(2), 200, r -> {}),
        call("tagclient.Put, my--app", "PUT", "/tags/team%2Fmy--app:v1/digest/" + digest(3), 200, r -> {}),
        call("tagclient.Put, my___app", "PUT", "/tags/my___app:v1/digest/" + digest(2), 400,
            r -> assertThat(r.json().get("message").asText()).contains("repository")),
        // 255 is the repository's limit; the tag name has its own 128.
        call("tagclient.Put, 205-character repository, 60-character tag", "PUT",
            "/tags/" + LONG_REPO.replace("/", "%2F") + ":" + LONG_NAME + "/digest/" + digest(4), 200, r -> {}),
        // Kraken's core.Digest accepts upper-case hex.
        call("tagclient.Put, upper-case digest", "PUT", "/tags/team%2Fupper:v1/digest/" + UPPER, 200, r -> {}),
        call("tagclient.Replicate", "POST", "/remotes/tags/team%2Fapp:v1", 200, r -> {}),
        call("tagclient.Origin", "GET", "/origin", 200, r -> assertThat(r.text()).isEmpty()),
        new Call("tagclient.DuplicatePut", "PUT", "/internal/duplicate/tags/team%2Fdup:v1/digest/" + digest(5),
            "{\"delay\":0}", 200, r -> {}),
        new Call("tagclient.DuplicateReplicate", "POST", "/internal/duplicate/remotes/tags/team%2Fdup:v2/digest/" + digest(5),
            "{\"dependencies\":[\"" + digest(5) + "\"],\"delay\":0}", 200, r -> {}));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("calls")
  void krakenCall_answersAsKraken(Call c) {
    Response r = server.get().send(c.method(), c.path(), Map.of(), c.body());

    assertThat(r.status()).as(c + " -> " + r.text()).isEqualTo(c.status());
    c.check().accept(r);
  }

  @Test
  void proxyTagList_pagesThroughLinksWithExactlyThatRepository() {
    for (int i = 0; i < 5; i++) {
      assertThat(server.get().putTag("paged/repo:v" + i, digest(1)).status()).isEqualTo(200);
    }
    assertThat(server.get().putTag("paged/repo2:v0", digest(1)).status()).isEqualTo(200);
    assertThat(server.get().putTag("paged/repo/x:v0", digest(1)).status()).isEqualTo(200);

    List<String> names = new ArrayList<>();
    int pages = 0;
    for (String next = "/list//paged/repo/_manifests/tags?limit=2"; !next.isEmpty(); pages++) {
      assertThat(pages).as("runaway paging").isLessThan(10);
      JsonNode body = server.get().get(next).json();
      names.addAll(result(body));
      // Kraken's client re-sends its own path with the offset of Links.next.
      String offset = body.get("Links").get("next").asText().replaceFirst("^[^?]*\\?limit=2&offset=", "");
      next = body.get("Links").get("next").asText().isEmpty() ? "" : "/list//paged/repo/_manifests/tags?limit=2&offset=" + offset;
    }

    assertThat(pages).isEqualTo(3);
    assertThat(names).containsExactly("paged/repo:v0", "paged/repo:v1", "paged/repo:v2", "paged/repo:v3", "paged/repo:v4");
  }

  @Test
  void upperCaseDigest_storedLowerCase() {
    assertThat(server.get().put("/tags/team%2Fcase:v1/digest/" + UPPER).status()).isEqualTo(200);

    assertThat(server.get().get("/tags/team%2Fcase:v1").text()).isEqualTo(UPPER.toLowerCase(java.util.Locale.ROOT));
    assertThat(server.get().put("/tags/team%2Fcase:v1/digest/" + UPPER.toLowerCase(java.util.Locale.ROOT))
        .header("X-Tag-Outcome")).isEqualTo("unchanged");
  }

  @Test
  void longRepositoryWithLongTag_storedAndListed() {
    String tag = LONG_REPO + ":" + LONG_NAME;
    assertThat(server.get().putTag(tag, digest(6)).status()).isEqualTo(200);

    assertThat(server.get().getTag(tag).text()).isEqualTo(digest(6));
    assertThat(result(server.get().get("/list//" + LONG_REPO + "/_manifests/tags").json())).containsExactly(tag);
  }

  private static List<String> result(Response r) {
    return result(r.json());
  }

  private static List<String> result(JsonNode body) {
    List<String> out = new ArrayList<>();
    body.get("result").forEach(n -> out.add(n.asText()));
    assertThat(body.get("size").asInt()).isEqualTo(out.size());
    return out;
  }

  /** A valid repository of exactly {@code length} characters: components "ab" joined by "/". */
  private static String repository(int length) {
    StringBuilder b = new StringBuilder("a");
    while (b.length() < length) {
      b.append(b.length() + 2 <= length ? "/a" : "b");
    }
    return b.toString();
  }
}
