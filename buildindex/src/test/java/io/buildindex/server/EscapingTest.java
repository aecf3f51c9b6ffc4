package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kraken clients send {@code url.PathEscape(tag)}; proxies may escape {@code :} or escape twice. */
final class EscapingTest {
  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perClass(TestServer::start);

  @BeforeAll
  static void seed() {
    server.get().putTag("team/app:v1", digest(1));
  }

  @ParameterizedTest(name = "[{index}] /tags/{0}")
  @ValueSource(strings = {
      "team%2Fapp:v1", "team%2fapp:v1", "team%2Fapp%3Av1", "team%2Fapp%3av1", "team%252Fapp:v1",
      "team%252Fapp%253Av1", "team%252fapp%253av1", "%74eam%2Fapp:v1"})
  void get_anyEscaping_findsTag(String escaped) {
    Response get = server.get().get("/tags/" + escaped);

    assertThat(get.status()).isEqualTo(200);
    assertThat(get.text()).isEqualTo(digest(1));
  }

  @ParameterizedTest(name = "[{index}] /tags/{0}")
  @ValueSource(strings = {"team%2Fapp:v1", "team%2Fapp%3Av1", "team%252Fapp:v1", "team%252Fapp%253Av1"})
  void head_anyEscaping_findsTag(String escaped) {
    assertThat(server.get().head("/tags/" + escaped).status()).isEqualTo(200);
  }

  @ParameterizedTest(name = "[{index}] PUT /tags/{0}")
  @ValueSource(strings = {"multi%2Flevel%2Frepo:v2", "multi%2Flevel%2Frepo%3Av2", "multi%252Flevel%252Frepo:v2"})
  void put_anyEscaping_storesTheSameTag(String escaped) {
    Response put = server.get().put("/tags/" + escaped + "/digest/" + digest(2));

    assertThat(put.status()).isEqualTo(200);
    assertThat(server.get().get("/tags/multi%2Flevel%2Frepo:v2").text()).isEqualTo(digest(2));
    assertThat(server.get().get("/list/multi/level/repo").json().get("result").toString())
        .isEqualTo("[\"multi/level/repo:v2\"]");
  }

  @ParameterizedTest(name = "[{index}] digest {0}")
  @ValueSource(strings = {"sha256%3A", "sha256%253A"})
  void put_escapedDigestColon_accepted(String prefix) {
    Response put = server.get().put("/tags/team%2Fapp:escaped-digest/digest/" + prefix + "0".repeat(63) + "3");

    assertThat(put.status()).isEqualTo(200);
    assertThat(server.get().get("/tags/team%2Fapp:escaped-digest").text()).isEqualTo(digest(3));
  }

  @ParameterizedTest(name = "[{index}] /repositories/{0}/tags")
  @ValueSource(strings = {"team%2Fapp", "team%252Fapp", "team%2fapp"})
  void repositories_anyEscaping(String escaped) {
    Response list = server.get().get("/repositories/" + escaped + "/tags");

    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().get("result").toString()).contains("\"v1\"");
  }

  @ParameterizedTest(name = "[{index}] /list/{0}")
  @ValueSource(strings = {"team/app", "team%2Fapp", "team%252Fapp", "team/ap"})
  void list_prefixSlashRawOrEscaped(String prefix) {
    Response list = server.get().get("/list/" + prefix);

    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().get("result").toString()).contains("\"team/app:v1\"");
  }

  @Test
  void get_tagWithoutSlash_needsNoEscaping() {
    server.get().put("/tags/plain:v1/digest/" + digest(4));

    assertThat(server.get().get("/tags/plain:v1").text()).isEqualTo(digest(4));
    assertThat(server.get().get("/tags/plain%3Av1").text()).isEqualTo(digest(4));
  }

  @Test
  void delete_escapedTag() {
    server.get().putTag("team/app:to-delete", digest(5));

    assertThat(server.get().delete("/tags/team%252Fapp%3Ato-delete").status()).isEqualTo(204);
    assertThat(server.get().get("/tags/team%2Fapp:to-delete").status()).isEqualTo(404);
  }
}
