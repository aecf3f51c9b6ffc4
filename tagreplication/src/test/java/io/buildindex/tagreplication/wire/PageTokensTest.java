package io.buildindex.tagreplication.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.tagstore.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The one page-token codec of the tag listings and the task listing. */
final class PageTokensTest {
  @Test
  void roundTrip_eachKind() {
    assertThat(PageTokens.decode(PageTokens.TAGS, PageTokens.encode(PageTokens.TAGS, "team/app:v1"))).contains("team/app:v1");
    assertThat(PageTokens.decode(PageTokens.TASKS, PageTokens.encode(PageTokens.TASKS, "42 dc2:15004"))).contains("42 dc2:15004");
  }

  @Test
  void encode_keepsTheFormatTokensAlreadyIssuedHave() {
    // Tokens handed out before the codecs were merged keep working: base64url, no padding, "1:" + key.
    String before = Base64.getUrlEncoder().withoutPadding().encodeToString("1:team/app:v1".getBytes(StandardCharsets.UTF_8));
    assertThat(PageTokens.encode(PageTokens.TAGS, "team/app:v1")).isEqualTo(before);
  }

  @Test
  void decode_noTokenIsTheStart() {
    assertThat(PageTokens.decode(PageTokens.TAGS, null)).isEmpty();
    assertThat(PageTokens.decode(PageTokens.TAGS, "")).isEmpty();
  }

  @Test
  void decode_foreignTokens() {
    String taskToken = PageTokens.encode(PageTokens.TASKS, "1 dc2:15004");
    String empty = PageTokens.encode(PageTokens.TAGS, "");
    String tooLong = PageTokens.encode(PageTokens.TAGS, "a".repeat(PageTokens.MAX_TEXT));
    for (String bad : new String[] {"!!!", taskToken, empty, tooLong}) {
      assertThatThrownBy(() -> PageTokens.decode(PageTokens.TAGS, bad)).as(bad)
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("offset");
    }
  }
}
