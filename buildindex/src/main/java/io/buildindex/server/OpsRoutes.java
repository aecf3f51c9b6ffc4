package io.buildindex.server;

import io.buildindex.tagstore.StoreUnavailableException;
import io.buildindex.tagstore.TagStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.function.Supplier;

/** {@code /health}, {@code /readiness}, {@code /metrics} and {@code /origin}. */
final class OpsRoutes {
  private final TagStore store;
  private final MetricsExport metrics;
  private final Supplier<String> origin;

  OpsRoutes(TagStore store, MetricsExport metrics, Supplier<String> origin) {
    this.store = store;
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
    try {
      store.check();
    } catch (StoreUnavailableException e) {
      throw new HttpProblem(503, "store cannot serve: " + e.getMessage());
    }
    ctx.contentType("text/plain").result("OK\n");
  }

  private void metrics(Context ctx) {
    ctx.contentType(metrics.contentType()).result(metrics.scrape());
  }
}
