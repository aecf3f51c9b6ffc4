package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

final class HistoryDeleteTest {
  private static final String TAG = "/tags/team%2Fapp:v1";

  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perTest(TestServer::start);

  @Test
  void history_newestFirst() {
    List<Long> generations = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      generations.add(Long.parseLong(server.get().put(TAG + "/digest/" + digest(i)).header("X-Tag-Generation")));
    }

    JsonNode history = history(TAG);

    assertThat(history).hasSize(3);
    assertThat(digests(history)).containsExactly(digest(3), digest(2), digest(1));
    assertThat(history.get(0).get("generation").asLong()).isEqualTo(generations.get(2));
    assertThat(history.get(2).get("generation").asLong()).isEqualTo(generations.get(0));
  }

  @Test
  void history_timeIsRfc3339() {
    Instant before = Instant.now().minusSeconds(60);
    server.get().put(TAG + "/digest/" + digest(1));

    JsonNode entry = history(TAG).get(0);

    assertThat(entry.get("time").isTextual()).as("time as a string: " + entry).isTrue();
    Instant time = OffsetDateTime.parse(entry.get("time").asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    assertThat(time).isBetween(before, Instant.now().plusSeconds(60));
  }

  @Test
  void history_entryFields() {
    server.get().put(TAG + "/digest/" + digest(1));

    JsonNode entry = history(TAG).get(0);

    List<String> fields = new ArrayList<>();
    entry.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactlyInAnyOrder("digest", "time", "generation");
    assertThat(entry.get("generation").isIntegralNumber()).isTrue();
  }

  @Test
  void history_unknownTag_404() {
    assertThat(server.get().get("/tags/team%2Fapp:nope/history").status()).isEqualTo(404);
  }

  @Test
  void history_samePutTwice_recordedOnce() {
    server.get().put(TAG + "/digest/" + digest(1));
    server.get().put(TAG + "/digest/" + digest(1));

    assertThat(history(TAG)).hasSize(1);
  }

  @Test
  void history_supersededPut_notRecorded() {
    long stored = Long.parseLong(server.get().put(TAG + "/digest/" + digest(1)).header("X-Tag-Generation"));
    server.get().send("PUT", TAG + "/digest/" + digest(2), Map.of("X-Tag-Generation", Long.toString(stored - 1)), "");

    assertThat(digests(history(TAG))).containsExactly(digest(1));
  }

  @Test
  void delete_204ThenGet404() {
    server.get().put(TAG + "/digest/" + digest(1));

    Response delete = server.get().delete(TAG);

    assertThat(delete.status()).isEqualTo(204);
    assertThat(delete.body()).isEmpty();
    assertThat(server.get().get(TAG).status()).isEqualTo(404);
    assertThat(server.get().get(TAG).body()).isEmpty();
    assertThat(server.get().head(TAG).status()).isEqualTo(404);
  }

  @Test
  void delete_unknownTag_404() {
    assertThat(server.get().delete("/tags/team%2Fapp:nope").status()).isEqualTo(404);
  }

  @Test
  void delete_twice_second404() {
    server.get().put(TAG + "/digest/" + digest(1));
    server.get().delete(TAG);

    assertThat(server.get().delete(TAG).status()).isEqualTo(404);
  }

  @Test
  void delete_keepsOtherTags() {
    server.get().put(TAG + "/digest/" + digest(1));
    server.get().put("/tags/team%2Fapp:v2/digest/" + digest(2));

    server.get().delete(TAG);

    assertThat(server.get().get("/tags/team%2Fapp:v2").text()).isEqualTo(digest(2));
  }

  @Test
  void history_survivesDelete() {
    server.get().put(TAG + "/digest/" + digest(1));
    server.get().put(TAG + "/digest/" + digest(2));

    server.get().delete(TAG);

    assertThat(digests(history(TAG))).containsExactly(digest(2), digest(1));
  }

  @Test
  void put_afterDelete_tagIsBack() {
    server.get().put(TAG + "/digest/" + digest(1));
    server.get().delete(TAG);

    Response put = server.get().put(TAG + "/digest/" + digest(1));

    assertThat(put.header("X-Tag-Outcome")).isEqualTo("applied");
    assertThat(server.get().get(TAG).text()).isEqualTo(digest(1));
    assertThat(digests(history(TAG))).containsExactly(digest(1), digest(1));
  }

  @Test
  void put_olderThanDelete_doesNotResurrect() {
    long put = Long.parseLong(server.get().put(TAG + "/digest/" + digest(1)).header("X-Tag-Generation"));
    server.get().delete(TAG);

    Response stale = server.get().send("PUT", TAG + "/digest/" + digest(2), Map.of("X-Tag-Generation", Long.toString(put + 1)), "");

    assertThat(stale.header("X-Tag-Outcome")).isEqualTo("superseded");
    assertThat(server.get().get(TAG).status()).isEqualTo(404);
  }

  @Test
  void delete_olderGeneration_keepsTag() {
    long stored = Long.parseLong(server.get().put(TAG + "/digest/" + digest(1)).header("X-Tag-Generation"));

    Response delete = server.get().send("DELETE", TAG, Map.of("X-Tag-Generation", Long.toString(stored - 1)), "");

    assertThat(delete.header("X-Tag-Outcome")).isEqualTo("superseded");
    assertThat(server.get().get(TAG).text()).isEqualTo(digest(1));
  }

  @Test
  void overwrite_recordedInHistory() {
    server.get().put(TAG + "/digest/" + digest(1));
    server.get().put(TAG + "/digest/" + digest(2));
    server.get().put(TAG + "/digest/" + digest(1));

    assertThat(server.get().get(TAG).text()).isEqualTo(digest(1));
    assertThat(digests(history(TAG))).containsExactly(digest(1), digest(2), digest(1));
  }

  private JsonNode history(String tagPath) {
    Response r = server.get().get(tagPath + "/history");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().isArray()).isTrue();
    return r.json();
  }

  private static List<String> digests(JsonNode history) {
    List<String> out = new ArrayList<>();
    history.forEach(e -> out.add(e.get("digest").asText()));
    return out;
  }
}
