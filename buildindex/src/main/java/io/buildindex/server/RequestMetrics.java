package io.buildindex.server;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.javalin.http.Context;
import java.util.concurrent.TimeUnit;

/**
 * Counts and times requests per route template (e.g. {@code GET /tags/{tag}}) and status class.
 * Exported to Prometheus as {@code http_request_duration_seconds{route=...}} and
 * {@code http_responses_total{route=...,status=...}}.
 */
final class RequestMetrics {
  static final String REQUESTS = "http_request_duration";
  static final String RESPONSES = "http_responses";
  private static final String START = "buildindex.start";
  private static final String ROUTE = "buildindex.route";

  private final MetricRegistry metrics;

  RequestMetrics(MetricRegistry metrics) {
    this.metrics = metrics;
  }

  void start(Context ctx) {
    ctx.attribute(START, System.nanoTime());
  }

  /** Remembers the matched route; requests that match none are counted as {@code unmatched}. */
  void matched(Context ctx) {
    ctx.attribute(ROUTE, ctx.method().name() + " " + ctx.endpointHandlerPath());
  }

  void finish(Context ctx) {
    Long start = ctx.attribute(START);
    String route = route(ctx);
    if (start != null) {
      timer(route).update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    metrics.counter(LabeledMetrics.name(RESPONSES, "route", route, "status", ctx.statusCode() / 100 + "xx")).inc();
  }

  private static String route(Context ctx) {
    String route = ctx.attribute(ROUTE);
    // Unmatched requests share one series, so a scan of random paths cannot explode cardinality.
    return route == null ? "unmatched" : route;
  }

  /** The timer of one route, for tests and benchmarks. */
  Timer timer(String route) {
    return metrics.timer(LabeledMetrics.name(REQUESTS, "route", route));
  }
}
