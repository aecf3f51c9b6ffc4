package io.buildindex.server;

import io.buildindex.tagreplication.wire.PageTokens;
import io.buildindex.tagstore.InvalidInputException;
import io.javalin.http.Context;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code ?limit=N&offset=TOKEN} of a listing, validated: unknown keys and bad values are 400s. A
 * limit above {@link #MAX_LIMIT} is clamped to it ({@code clamped}), as Kraken refuses only 0 and
 * non-numbers and its proxy passes Docker's {@code /v2/_catalog?n=} straight through.
 */
record ListQuery(int limit, @Nullable String after, boolean clamped) {
  /** Kraken's clients follow {@code Links.next}, so a default page loses nothing. */
  static final int DEFAULT_LIMIT = 1000;
  static final int MAX_LIMIT = 10_000;
  private static final Set<String> KEYS = Set.of("limit", "offset");

  static ListQuery from(Context ctx) {
    checkKeys(ctx, KEYS);
    String offset = ctx.queryParam("offset");
    String after = PageTokens.decode(PageTokens.TAGS, offset).orElse(null);
    String text = ctx.queryParam("limit");
    if (text != null && isDigits(text) && (text.length() > 9 || Integer.parseInt(text) > MAX_LIMIT)) {
      return new ListQuery(MAX_LIMIT, after, true);
    }
    return new ListQuery(limit(ctx, DEFAULT_LIMIT, MAX_LIMIT), after, false);
  }

  private static boolean isDigits(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return !text.isEmpty();
  }

  static void checkKeys(Context ctx, Set<String> allowed) {
    ctx.queryParamMap().forEach((key, values) -> {
      if (!allowed.contains(key)) {
        throw new InvalidInputException("query", "unknown parameter \"" + key + "\"");
      }
      checkDecodable(key, values);
    });
  }

  /** Javalin maps a value it cannot decode (e.g. {@code %zz}) to no value at all; refuse rather than ignore it. */
  static void checkDecodable(String key, java.util.List<String> values) {
    if (values.isEmpty()) {
      throw new InvalidInputException(key, "invalid %-escape in query value");
    }
  }

  static int limit(Context ctx, int fallback, int max) {
    String text = ctx.queryParam("limit");
    if (text == null) {
      return fallback;
    }
    int limit;
    try {
      limit = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new InvalidInputException("limit", "not a number: \"" + text + "\"");
    }
    if (limit < 1 || limit > max) {
      throw new InvalidInputException("limit", "must be 1 to " + max + ", got " + limit);
    }
    return limit;
  }
}
