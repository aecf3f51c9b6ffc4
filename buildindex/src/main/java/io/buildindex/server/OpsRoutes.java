package io.buildindex.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.function.Supplier;

/** {@code /health}, {@code /readiness}, {@code /metrics} and {@code /origin}. */
final class OpsRoutes {
  private final Readiness readiness;
  private final MetricsExport metrics;
  private final Supplier<String> origin;

  OpsRoutes(Readiness readiness, MetricsExport metrics, Supplier<String> origin) {
    this.readiness = readiness;
    this.metrics = metrics;
    this.origin = origin;
  }

  void register(Javalin app) {
    app.get("/health", ctx -> ctx.contentType("text/plain").result("OK\n"), Scope.OPEN);
    app.get("/readiness", this::readiness, Scope.OPEN);
    app.get("/metrics", this::metrics, Scope.READ);
    app.get("/origin", ctx -> ctx.contentType("text/plain").result(origin.get()), Scope.READ);
  }

  private void readiness(Context ctx) {
    ctx.contentType("text/plain").result(readiness.check());
  }

  private void metrics(Context ctx) {
    ctx.contentType(metrics.contentType()).result(metrics.scrape());
  }
}
