package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.tagstore.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

final class PageTokensTest {
  @Test
  void decode_roundTrip() {
    TaskQueries.Cursor c = new TaskQueries.Cursor("[::1]:15004", 42);
    assertThat(PageTokens.decode(PageTokens.encode(c))).isEqualTo(c);
  }

  @Test
  void decode_noTokenIsStart() {
    assertThat(PageTokens.decode(null)).isEqualTo(TaskQueries.Cursor.START);
    assertThat(PageTokens.decode("")).isEqualTo(TaskQueries.Cursor.START);
  }

  @Test
  void decode_foreignToken() {
    String forged = Base64.getUrlEncoder().encodeToString("x1 dc".getBytes(StandardCharsets.UTF_8));
    for (String bad : new String[] {"!!!", forged, "dDE", PageTokens.encode(new TaskQueries.Cursor("d", 1)) + "%"}) {
      assertThatThrownBy(() -> PageTokens.decode(bad)).isInstanceOf(InvalidInputException.class).hasMessageContaining("offset");
    }
  }
}
