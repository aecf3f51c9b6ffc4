package io.buildindex.server;

import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.PutResult;
import io.javalin.http.Context;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The headers build-index nodes use among themselves (Kraken clients neither send nor need them). */
final class Headers {
  /** The generation of a replicated or duplicated write, and of the state a response reports. */
  static final String GENERATION = "X-Tag-Generation";
  /** What a write did: applied, unchanged or superseded. */
  static final String OUTCOME = "X-Tag-Outcome";

  private Headers() {}

  static @Nullable Generation generation(Context ctx) {
    String value = ctx.header(GENERATION);
    return value == null ? null : Generation.parse(value);
  }

  static void writeResult(Context ctx, PutResult result) {
    ctx.header(OUTCOME, result.outcome().name().toLowerCase(Locale.ROOT));
    ctx.header(GENERATION, result.current().generation().toString());
  }
}
