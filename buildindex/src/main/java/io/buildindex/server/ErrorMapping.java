package io.buildindex.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.buildindex.docker.InvalidManifestException;
import io.buildindex.docker.ManifestNotFoundException;
import io.buildindex.docker.OriginException;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.StoreUnavailableException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place exceptions become HTTP statuses. Bad input is 400 with a message naming the
 * problem; a store that cannot serve is 503; anything else is a 500 whose id is in the body and
 * in the log line. Expected 404s are not logged (a tag lookup miss is normal traffic).
 */
final class ErrorMapping {
  private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

  private ErrorMapping() {}

  static void register(Javalin app) {
    app.exception(HttpProblem.class, (e, ctx) -> respond(ctx, e.status(), e.getMessage()));
    app.exception(InvalidInputException.class, (e, ctx) -> respond(ctx, 400, e.getMessage()));
    app.exception(JsonProcessingException.class, (e, ctx) -> respond(ctx, 400, "bad JSON body: " + e.getOriginalMessage()));
    app.exception(HttpResponseException.class, (e, ctx) -> respond(ctx, e.getStatus(), e.getMessage()));
    app.exception(ManifestNotFoundException.class, (e, ctx) -> respond(ctx, 404,
        "manifest " + e.digest() + " of " + e.repository() + " not found in the origin"));
    app.exception(InvalidManifestException.class, (e, ctx) -> respond(ctx, 400, "manifest " + e.digest() + ": " + e.problem()));
    app.exception(OriginException.class, (e, ctx) -> respond(ctx, 502, e.getMessage()));
    app.exception(StoreUnavailableException.class, (e, ctx) -> serverError(ctx, 503, e));
    app.exception(Exception.class, (e, ctx) -> serverError(ctx, 500, e));
    // Javalin's own 404 for unknown paths and 405s get a JSON body too.
    app.error(404, ctx -> {
      if (ctx.attribute(EMPTY_NOT_FOUND) == null && ctx.result() == null) {
        ctx.json(new ErrorBody(404, "no route for " + ctx.method() + " " + ctx.path(), null));
      }
    });
  }

  private static final String EMPTY_NOT_FOUND = "buildindex.emptyNotFound";

  /** A 404 for a missing tag: empty body, as Kraken's clients expect. */
  static void emptyNotFound(Context ctx) {
    ctx.attribute(EMPTY_NOT_FOUND, Boolean.TRUE);
    ctx.status(404).result("");
  }

  private static void respond(Context ctx, int status, String message) {
    if (status == 404 && message.isEmpty()) {
      emptyNotFound(ctx);
      return;
    }
    ctx.status(status).json(new ErrorBody(status, message, null));
  }

  private static void serverError(Context ctx, int status, Exception e) {
    String id = UUID.randomUUID().toString();
    log.error("{} {} failed with {} (error id {})", ctx.method(), ctx.path(), status, id, e);
    String message = status == 503 ? "store unavailable: " + e.getMessage() : "internal error";
    ctx.status(status).json(new ErrorBody(status, message, id));
  }
}
