package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.server.RawHttp.Response;
import io.buildindex.tagreplication.wire.MemberList;
import io.buildindex.tagreplication.wire.NodeJson;
import io.buildindex.testing.RunningServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code GET /internal/list}, the members' side of a ring listing, on a single node: its own
 * records with generations, tombstones included, in the wire format {@link MemberList} reads.
 */
final class MemberListRouteTest {
  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perTest(TestServer::start);

  @Test
  void memberList_recordsWithGenerationsAndTombstones_inKeyOrder() throws Exception {
    long v1 = generation(server.get().putTag("team/app:v1", digest(1)));
    server.get().putTag("team/app:v2", digest(2));
    server.get().putTag("team/other:v1", digest(3));
    assertThat(server.get().delete("/tags/team%2Fapp:v2").status()).isEqualTo(204);

    Response r = server.get().get(MemberList.PATH + "?prefix=team%2Fapp%3A&limit=10");

    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    MemberList.Records page = NodeJson.MAPPER.readValue(r.body(), MemberList.Records.class);
    assertThat(page.records()).hasSize(2);
    assertThat(page.records().get(0)).isEqualTo(new MemberList.Entry("team/app:v1", v1, false));
    assertThat(page.records().get(1).tag()).isEqualTo("team/app:v2");
    assertThat(page.records().get(1).deleted()).isTrue();
    assertThat(page.more()).isFalse();
  }

  @Test
  void memberList_pagesAfterAKey() {
    for (int i = 0; i < 5; i++) {
      server.get().putTag("team/app:v" + i, digest(i + 1));
    }

    JsonNode first = server.get().get(MemberList.PATH + "?prefix=team%2F&limit=2").json();
    JsonNode rest = server.get().get(MemberList.PATH + "?prefix=team%2F&limit=10&after=team%2Fapp%3Av1").json();

    assertThat(tags(first)).containsExactly("team/app:v0", "team/app:v1");
    assertThat(first.get("more").asBoolean()).isTrue();
    assertThat(tags(rest)).containsExactly("team/app:v2", "team/app:v3", "team/app:v4");
    assertThat(rest.get("more").asBoolean()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "?limit=5", "?prefix=a&limit=0", "?prefix=a&limit=10001", "?prefix=a&limit=x",
      "?prefix=a&offset=b"})
  void memberList_badQuery_400(String query) {
    Response r = server.get().get(MemberList.PATH + query);

    assertThat(r.status()).as(r.toString()).isEqualTo(400);
  }

  @Test
  void forwardedList_isThisNodesOwn() {
    server.get().putTag("team/app:v1", digest(1));

    Response r = server.get().send("GET", "/list/team/app", java.util.Map.of("X-Build-Index-Forwarded", "1"), "");

    assertThat(tags(r.json(), "result")).containsExactly("team/app:v1");
  }

  private static long generation(Response put) {
    return Long.parseLong(put.header("X-Tag-Generation"));
  }

  private static List<String> tags(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.get("records").forEach(r -> out.add(r.get("tag").asText()));
    return out;
  }

  private static List<String> tags(JsonNode body, String field) {
    List<String> out = new ArrayList<>();
    body.get(field).forEach(r -> out.add(r.asText()));
    return out;
  }
}
