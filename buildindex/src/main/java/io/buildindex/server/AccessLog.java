package io.buildindex.server;

import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional access log ({@code logging.access_log}): one INFO line per request on the logger
 * {@code io.buildindex.access}, e.g. {@code GET /tags/team%2Fapp:v1 200 1.2ms 10.0.0.7}, with
 * the same as key-values (method, path, status, duration_ms, remote) for JSON logs. Thread-safe.
 */
final class AccessLog {
  private static final Logger log = LoggerFactory.getLogger("io.buildindex.access");

  private AccessLog() {}

  /** Logs the request {@code ctx} answered in {@code executionMillis}; called after the response is complete. */
  static void record(Context ctx, float executionMillis) {
    String duration = String.format(java.util.Locale.ROOT, "%.1f", executionMillis);
    log.atInfo()
        .addKeyValue("method", ctx.method().name())
        .addKeyValue("path", ctx.path())
        .addKeyValue("status", ctx.statusCode())
        .addKeyValue("duration_ms", duration)
        .addKeyValue("remote", ctx.ip())
        .log("{} {} {} {}ms {}", ctx.method().name(), ctx.path(), ctx.statusCode(), duration, ctx.ip());
  }
}
