package io.buildindex.tagreplication.wire;

import io.buildindex.tagstore.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The opaque {@code offset} tokens of every paged listing: where the previous page ended, behind
 * a prefix naming the listing (and its version, so what a token holds may change), base64url
 * without padding so clients treat it as a token. Stateless.
 */
public final class PageTokens {
  /** {@code GET /list/...} and {@code GET /repositories/.../tags}: the last tag key of the page. */
  public static final String TAGS = "1:";
  /** {@code GET /replication/tasks}: the last task's id and destination. */
  public static final String TASKS = "t";
  /** Longest position a token may hold; a tag key is at most 384 characters. */
  static final int MAX_TEXT = 600;

  private PageTokens() {}

  /** The token for a page that ended at {@code position} (not empty) in the listing {@code kind}. */
  public static String encode(String kind, String position) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((kind + position).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Where to page from in the listing {@code kind}: empty for no token (the start).
   *
   * @throws InvalidInputException for a token {@link #encode} did not make for {@code kind}
   */
  public static Optional<String> decode(String kind, @Nullable String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw foreign();
    }
    if (!text.startsWith(kind) || text.length() == kind.length() || text.length() > MAX_TEXT) {
      throw foreign();
    }
    return Optional.of(text.substring(kind.length()));
  }

  /** What a token this server did not issue is; also for a position that decodes but does not parse. */
  public static InvalidInputException foreign() {
    return new InvalidInputException("offset", "not a token this server issued");
  }
}
