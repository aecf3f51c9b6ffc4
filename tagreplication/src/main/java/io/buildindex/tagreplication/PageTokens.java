package io.buildindex.tagreplication;

import io.buildindex.tagstore.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * Opaque offset tokens of {@link Replication#tasks}: the last task's id and destination, base64url.
 * Stateless.
 */
final class PageTokens {
  private static final String PREFIX = "t";
  private static final char SEPARATOR = ' ';

  private PageTokens() {}

  static String encode(TaskQueries.Cursor last) {
    String text = PREFIX + last.id() + SEPARATOR + last.destination();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Where to page from; the start for no token. Throws {@link InvalidInputException} for a token not made here. */
  static TaskQueries.Cursor decode(@Nullable String token) {
    if (token == null || token.isEmpty()) {
      return TaskQueries.Cursor.START;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      int separator = text.indexOf(SEPARATOR);
      if (!text.startsWith(PREFIX) || separator < 0) {
        throw new IllegalArgumentException(text);
      }
      long id = Long.parseLong(text.substring(PREFIX.length(), separator));
      if (id < 0) {
        throw new IllegalArgumentException(text);
      }
      return new TaskQueries.Cursor(text.substring(separator + 1), id);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("offset", "not an offset from a previous page");
    }
  }
}
