package io.buildindex.server;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.Arrays;

/**
 * The server's Dropwizard registry: modules keep calling {@code timer(name)} and
 * {@code histogram(name)} on the {@link MetricRegistry} they are given, and get metrics with the
 * exact buckets of their {@link MetricCatalog} family, which export as Prometheus histograms.
 *
 * <p>Design: the one place where latency instrumentation is chosen, so no module depends on the
 * exporter. A name missing from the catalog gets {@link MetricCatalog#LATENCY_SECONDS} (timers) or
 * {@link MetricCatalog#BATCH_SIZES} buckets; the exporter leaves it out and
 * {@code MetricsExpositionTest} names it.
 */
final class CatalogRegistry extends MetricRegistry {
  @Override
  public Timer timer(String name) {
    return timer(name, () -> new BucketedReservoir.BucketedTimer(
        new BucketedReservoir(bounds(name, MetricCatalog.LATENCY_SECONDS, 1e9))));
  }

  @Override
  public Histogram histogram(String name) {
    return histogram(name, () -> new BucketedReservoir.BucketedHistogram(
        new BucketedReservoir(bounds(name, MetricCatalog.BATCH_SIZES, 1))));
  }

  private static long[] bounds(String name, double[] fallback, double fallbackPerUnit) {
    return MetricCatalog.bySource(name)
        .filter(f -> f.type() == MetricCatalog.Type.HISTOGRAM)
        .map(MetricCatalog.Family::sourceBounds)
        .orElseGet(() -> Arrays.stream(fallback).mapToLong(b -> Math.round(b * fallbackPerUnit)).toArray());
  }
}
