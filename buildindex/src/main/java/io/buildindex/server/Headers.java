package io.buildindex.server;

import io.buildindex.tagreplication.wire.NodeHeaders;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.PutResult;
import io.javalin.http.Context;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The server's side of {@link NodeHeaders}: reading a request's generation, writing a write's result. */
final class Headers {
  private Headers() {}

  static @Nullable Generation generation(Context ctx) {
    String value = ctx.header(NodeHeaders.GENERATION);
    return value == null ? null : Generation.parse(value);
  }

  static void writeResult(Context ctx, PutResult result) {
    ctx.header(NodeHeaders.OUTCOME, result.outcome().name().toLowerCase(Locale.ROOT));
    ctx.header(NodeHeaders.GENERATION, result.current().generation().toString());
  }
}
