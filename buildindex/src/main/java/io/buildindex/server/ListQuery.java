package io.buildindex.server;

import io.buildindex.tagstore.InvalidInputException;
import io.javalin.http.Context;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** {@code ?limit=N&offset=TOKEN} of a listing, validated: unknown keys and bad values are 400s. */
record ListQuery(int limit, @Nullable String after) {
  /** Kraken's clients follow {@code Links.next}, so a default page loses nothing. */
  static final int DEFAULT_LIMIT = 1000;
  static final int MAX_LIMIT = 10_000;
  private static final Set<String> KEYS = Set.of("limit", "offset");

  static ListQuery from(Context ctx) {
    checkKeys(ctx, KEYS);
    String offset = ctx.queryParam("offset");
    return new ListQuery(limit(ctx, DEFAULT_LIMIT, MAX_LIMIT), offset == null || offset.isEmpty() ? null : PageToken.decode(offset));
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
