package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.tagstore.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The task listing's page tokens, through the shared codec ({@link io.buildindex.tagreplication.wire.PageTokens}). */
final class PageTokensTest {
  @Test
  void decode_roundTrip() {
    TaskQueries.Cursor c = new TaskQueries.Cursor("[::1]:15004", 42);
    assertThat(TaskQueries.Cursor.fromToken(c.token())).isEqualTo(c);
  }

  @Test
  void decode_noTokenIsStart() {
    assertThat(TaskQueries.Cursor.fromToken(null)).isEqualTo(TaskQueries.Cursor.START);
    assertThat(TaskQueries.Cursor.fromToken("")).isEqualTo(TaskQueries.Cursor.START);
  }

  @Test
  void decode_foreignToken() {
    String forged = Base64.getUrlEncoder().encodeToString("x1 dc".getBytes(StandardCharsets.UTF_8));
    for (String bad : new String[] {"!!!", forged, "dDE", new TaskQueries.Cursor("d", 1).token() + "%"}) {
      assertThatThrownBy(() -> TaskQueries.Cursor.fromToken(bad)).isInstanceOf(InvalidInputException.class).hasMessageContaining("offset");
    }
  }
}
