package io.buildindex.server;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.javalin.http.Context;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts and times requests per route template (e.g. {@code GET /tags/{tag}}) and status class.
 * Exported to Prometheus as {@code http_request_duration_seconds{route=...}} and
 * {@code http_responses_total{route=...,status=...}}. Requests that match no route share the
 * route {@code unmatched}, so a scan of random paths cannot explode the number of series.
 * Thread-safe.
 */
final class RequestMetrics {
  static final String REQUESTS = "http_request_duration";
  static final String RESPONSES = "http_responses";
  private static final String ROUTE = "buildindex.route";

  private final MetricRegistry metrics;
  private final Route unmatched;

  RequestMetrics(MetricRegistry metrics) {
    this.metrics = metrics;
    this.unmatched = route("unmatched");
  }

  /** The metrics of one route, looked up once at registration. */
  Route route(String name) {
    // The server's CatalogRegistry gives the timer fixed buckets (exact sum and count, no lock per update).
    return new Route(name, metrics.timer(LabeledMetrics.name(REQUESTS, "route", name)), new AtomicReferenceArray<>(6), metrics);
  }

  /** Called once per request by Javalin's request logger, after the response is complete. */
  void record(Context ctx, float executionMillis) {
    Route route = ctx.attribute(ROUTE);
    (route == null ? unmatched : route).record(ctx.statusCode(), executionMillis);
  }

  /**
   * A route's timer and its response counters by status class (index 1 to 5), each counter made
   * on first use so that only classes that occur become series.
   */
  record Route(String name, Timer timer, AtomicReferenceArray<Counter> byStatusClass, MetricRegistry metrics) {
    void attachTo(Context ctx) {
      ctx.attribute(ROUTE, this);
    }

    void record(int status, float executionMillis) {
      timer.update((long) (executionMillis * 1_000_000), TimeUnit.NANOSECONDS);
      int statusClass = status / 100;
      if (statusClass < 1 || statusClass > 5) {
        return;
      }
      Counter counter = byStatusClass.get(statusClass);
      if (counter == null) {
        counter = metrics.counter(LabeledMetrics.name(RESPONSES, "route", name, "status", statusClass + "xx"));
        byStatusClass.set(statusClass, counter); // a race only repeats the registry's idempotent lookup
      }
      counter.inc();
    }
  }
}
