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

  static ListQuery from(Context ctx, Set<String> extraKeys) {
    for (String key : ctx.queryParamMap().keySet()) {
      if (!key.equals("limit") && !key.equals("offset") && !extraKeys.contains(key)) {
        throw new InvalidInputException("query", "unknown parameter \"" + key + "\"");
      }
    }
    String limitText = ctx.queryParam("limit");
    int limit = DEFAULT_LIMIT;
    if (limitText != null) {
      try {
        limit = Integer.parseInt(limitText);
      } catch (NumberFormatException e) {
        throw new InvalidInputException("limit", "not a number");
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new InvalidInputException("limit", "must be 1 to " + MAX_LIMIT + ", got " + limit);
      }
    }
    String offset = ctx.queryParam("offset");
    return new ListQuery(limit, offset == null || offset.isEmpty() ? null : PageToken.decode(offset));
  }
}
