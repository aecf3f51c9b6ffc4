package io.buildindex.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.buildindex.cluster.ListingIncompleteException;
import io.buildindex.database.StoreUnavailableException;
import io.buildindex.docker.InvalidManifestException;
import io.buildindex.docker.ManifestNotFoundException;
import io.buildindex.docker.OriginException;
import io.buildindex.tagstore.InvalidInputException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.List;
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

  /** The status and message an exception answers with; {@code serverFault} for 5xx that are logged with an id. */
  record Problem(int status, String message, boolean serverFault) {}

  /** How {@code e} maps to a status: the one table, for whole requests and for the writes of a batch. */
  static Problem problem(Exception e) {
    return switch (e) {
      case HttpProblem p -> new Problem(p.status(), p.getMessage(), false);
      case InvalidInputException x -> new Problem(400, x.getMessage(), false);
      case JsonProcessingException x -> new Problem(400, "bad JSON body: " + x.getOriginalMessage(), false);
      case HttpResponseException x -> new Problem(x.getStatus(), x.getMessage(), false);
      case ManifestNotFoundException x ->
          new Problem(404, "manifest " + x.digest() + " of " + x.repository() + " not found in the origin", false);
      case InvalidManifestException x -> new Problem(400, "manifest " + x.digest() + ": " + x.problem(), false);
      case OriginException x -> new Problem(502, x.getMessage(), false);
      case StoreUnavailableException x -> new Problem(503, "store unavailable: " + x.getMessage(), true);
      case ListingIncompleteException x -> new Problem(503, x.getMessage(), false);
      default -> new Problem(500, "internal error", true);
    };
  }

  /** Logs a server fault of {@code what} under a new error id, and returns the id. */
  static String logFault(String what, int status, Exception e) {
    String id = UUID.randomUUID().toString();
    log.error("{} failed with {} (error id {})", what, status, id, e);
    return id;
  }

  static void register(Javalin app) {
    // Each type by name: Javalin answers its own HttpResponseException in plain text unless that
    // type has a handler of its own.
    List.of(HttpProblem.class, InvalidInputException.class, JsonProcessingException.class, HttpResponseException.class,
        ManifestNotFoundException.class, InvalidManifestException.class, OriginException.class,
        StoreUnavailableException.class, ListingIncompleteException.class, Exception.class).forEach(type -> app.exception(type, ErrorMapping::handle));
    // Javalin's own 404 for unknown paths and 405s get a JSON body too.
    app.error(404, ctx -> {
      if (ctx.attribute(EMPTY_NOT_FOUND) == null && ctx.result() == null) {
        ctx.json(new ErrorBody(404, "no route for " + ctx.method() + " " + ctx.path(), null));
      }
    });
  }

  private static void handle(Exception e, Context ctx) {
    Problem p = e instanceof IllegalArgumentException && PathParams.hasMalformedEscape(ctx.req().getRequestURI())
        ? MALFORMED_PATH : problem(e);
    if (p.serverFault()) {
      String id = logFault(ctx.method() + " " + ctx.path(), p.status(), e);
      ctx.status(p.status()).json(new ErrorBody(p.status(), p.message(), id));
    } else {
      respond(ctx, p.status(), p.message());
    }
  }

  /**
   * The {@link Router} unescapes path parameters before any handler or auth check runs, and fails
   * with an IllegalArgumentException on a malformed escape: that is the client's bad request, not
   * a fault.
   */
  private static final Problem MALFORMED_PATH = new Problem(400,
      "malformed request: bad %-escape in the path (want % followed by two hex digits)", false);

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
}
