package io.buildindex.tagreplication.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.buildindex.tagreplication.WriteBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON settings both ends of node-to-node calls share. */
final class NodeJsonTest {
  @Test
  void unknownFields_areIgnoredAtEveryLevel() throws Exception {
    WriteBatch.Request request = NodeJson.MAPPER.readValue(
        "{\"writes\":[{\"tag\":\"a:1\",\"digest\":null,\"generation\":7,\"new\":1}],\"newer\":{\"x\":[1]}}",
        WriteBatch.Request.class);

    assertThat(request.writes()).containsExactly(new WriteBatch.Write("a:1", null, 7L));
  }

  @Test
  void typesStayStrict() {
    // A second value after the body is a broken or spliced answer, not a newer one.
    assertThatThrownBy(() -> NodeJson.MAPPER.readValue("{\"results\":[]} {}", WriteBatch.Response.class))
        .isInstanceOf(MismatchedInputException.class).hasMessageContaining("Trailing token");
  }

  @Test
  void writesWhatItReads() throws Exception {
    WriteBatch.Response response = new WriteBatch.Response(List.of(WriteBatch.Result.written("applied", 5)));
    assertThat(NodeJson.MAPPER.readValue(NodeJson.MAPPER.writeValueAsBytes(response), WriteBatch.Response.class))
        .isEqualTo(response);
  }
}
