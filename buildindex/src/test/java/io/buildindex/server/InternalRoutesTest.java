package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.FreePorts;
import io.buildindex.testing.RunningServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kraken's neighbor calls: the neighbor stores the tag at once, whatever the delay. */
final class InternalRoutesTest {
  private static final String DUP_PUT = "/internal/duplicate/tags/team%2Fapp:v1/digest/";
  private static final String DUP_REPLICATE = "/internal/duplicate/remotes/tags/team%2Fapp:v1/digest/";

  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perTest(TestServer::start);

  @Test
  void duplicatePut_storesTag() {
    Response r = server.get().put(DUP_PUT + digest(1), "{\"delay\":1200000000000}");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("X-Tag-Outcome")).isEqualTo("applied");
    assertThat(server.get().getTag("team/app:v1").text()).isEqualTo(digest(1));
  }

  @Test
  void duplicatePut_zeroDelayAndUnknownFields_accepted() {
    Response r = server.get().put(DUP_PUT + digest(1), "{\"delay\":0,\"added_by_a_newer_kraken\":true}");

    assertThat(r.status()).isEqualTo(200);
    assertThat(server.get().getTag("team/app:v1").text()).isEqualTo(digest(1));
  }

  @Test
  void duplicatePut_keepsGivenGeneration() {
    long generation = Long.parseLong(server.get().putTag("other:x", digest(9)).header("X-Tag-Generation")) - 1000;

    Response r = server.get().send("PUT", DUP_PUT + digest(1), Map.of("X-Tag-Generation", Long.toString(generation)), "{\"delay\":0}");

    assertThat(r.header("X-Tag-Generation")).isEqualTo(Long.toString(generation));
    assertThat(server.get().getTag("team/app:v1").header("X-Tag-Generation")).isEqualTo(Long.toString(generation));
  }

  @Test
  void duplicatePut_olderGeneration_superseded() {
    long stored = Long.parseLong(server.get().putTag("team/app:v1", digest(1)).header("X-Tag-Generation"));

    Response r = server.get().send("PUT", DUP_PUT + digest(2), Map.of("X-Tag-Generation", Long.toString(stored - 1)), "{\"delay\":0}");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("X-Tag-Outcome")).isEqualTo("superseded");
    assertThat(server.get().getTag("team/app:v1").text()).isEqualTo(digest(1));
  }

  @Test
  void duplicateReplicate_storesTag() {
    Response r = server.get().post(DUP_REPLICATE + digest(1),
        "{\"dependencies\":[\"" + digest(1) + "\",\"" + digest(2) + "\"],\"delay\":2400000000000}");

    assertThat(r.status()).isEqualTo(200);
    assertThat(server.get().getTag("team/app:v1").text()).isEqualTo(digest(1));
  }

  @Test
  void duplicateReplicate_storesTagWithItsDelayedTasks() {
    // A remote nothing listens on: the task stays queued where the test can see it.
    server.replace(dir -> TestServer.start(dir, "remotes:\n  \"127.0.0.1:" + FreePorts.one() + "\": [\"^team/\"]\n"));
    long before = System.currentTimeMillis();

    Response r = server.get().post(DUP_REPLICATE + digest(1), "{\"dependencies\":[\"" + digest(1) + "\"],\"delay\":3600000000000}");

    assertThat(r.status()).isEqualTo(200);
    var tasks = server.get().get("/tags/team%2Fapp:v1/replication").json();
    assertThat(tasks.size()).isEqualTo(1);
    assertThat(tasks.get(0).get("state").asText()).isEqualTo("pending");
    assertThat(tasks.get(0).get("generation").asText()).isEqualTo(r.header("X-Tag-Generation"));
    assertThat(java.time.Instant.parse(tasks.get(0).get("next_attempt").asText()))
        .as("first due after the delay").isAfterOrEqualTo(java.time.Instant.ofEpochMilli(before).plusSeconds(3600));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"{\"dependencies\":[],\"delay\":0}", "{\"delay\":0}", "{\"dependencies\":null,\"delay\":0}"})
  void duplicateReplicate_noDependencies_accepted(String body) {
    assertThat(server.get().post(DUP_REPLICATE + digest(1), body).status()).isEqualTo(200);
    assertThat(server.get().getTag("team/app:v1").text()).isEqualTo(digest(1));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"", "{", "{\"delay\":-1}", "{\"delay\":\"1s\"}", "[1]"})
  void duplicatePut_invalid_400StoresNothing(String body) {
    Response r = server.get().put(DUP_PUT + digest(1), body);

    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().get("message").asText()).isNotBlank();
    assertThat(server.get().getTag("team/app:v1").status()).isEqualTo(404);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "", "{", "{\"dependencies\":[],\"delay\":-1}", "{\"dependencies\":[\"sha256:abc\"],\"delay\":0}",
      "{\"dependencies\":[\"SHA256:0000000000000000000000000000000000000000000000000000000000000001\"],\"delay\":0}",
      "{\"dependencies\":\"x\",\"delay\":0}"})
  void duplicateReplicate_invalid_400StoresNothing(String body) {
    Response r = server.get().post(DUP_REPLICATE + digest(1), body);

    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().get("message").asText()).isNotBlank();
    assertThat(server.get().getTag("team/app:v1").status()).isEqualTo(404);
  }

  @Test
  void duplicateReplicate_badDependency_messageNamesIt() {
    Response r = server.get().post(DUP_REPLICATE + digest(1), "{\"dependencies\":[\"sha256:nothex\"],\"delay\":0}");

    assertThat(r.json().get("message").asText()).contains("digest").contains("nothex");
  }

  @Test
  void duplicatePut_negativeDelay_messageNamesDelay() {
    Response r = server.get().put(DUP_PUT + digest(1), "{\"delay\":-5}");

    assertThat(r.json().get("message").asText()).contains("delay").contains("-5");
  }
}
