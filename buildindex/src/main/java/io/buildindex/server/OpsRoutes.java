package io.buildindex.server;

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

  void register(Router r) {
    r.get("/health", Scope.OPEN, ctx -> ctx.contentType("text/plain").result("OK\n"));
    r.get("/readiness", Scope.OPEN, this::readiness);
    r.get("/metrics", Scope.READ, this::metrics);
    r.get("/origin", Scope.READ, ctx -> ctx.contentType("text/plain").result(origin.get()));
  }

  private void readiness(Context ctx) {
    ctx.contentType("text/plain").result(readiness.check());
  }

  private void metrics(Context ctx) {
    ctx.contentType(metrics.contentType()).result(metrics.scrape());
  }
}
