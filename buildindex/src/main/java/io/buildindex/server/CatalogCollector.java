package io.buildindex.server;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Sampling;
import io.buildindex.server.BucketedReservoir.BucketedHistogram;
import io.buildindex.server.BucketedReservoir.BucketedTimer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports a Dropwizard registry as the Prometheus families of {@link MetricCatalog}: counters and
 * meters as counters ({@code _total}), gauges as gauges (booleans as 0/1), bucketed timers and
 * histograms as histograms. Names that carry labels ({@link LabeledMetrics}) become series of their
 * family. A metric that is not in the catalog, or does not fit its family's type, is left out and
 * logged once at WARN ({@link #uncataloged()} lists them for tests). Thread-safe.
 */
final class CatalogCollector implements MultiCollector {
  private static final Logger log = LoggerFactory.getLogger(CatalogCollector.class);

  private final MetricRegistry registry;
  private final Set<String> leftOut = ConcurrentHashMap.newKeySet();

  CatalogCollector(MetricRegistry registry) {
    this.registry = registry;
  }

  @Override
  public MetricSnapshots collect() {
    Map<MetricCatalog.Family, List<Map.Entry<String, Metric>>> families = new LinkedHashMap<>();
    registry.getMetrics().forEach((name, metric) -> MetricCatalog.bySource(name).ifPresentOrElse(
        f -> families.computeIfAbsent(f, k -> new ArrayList<>()).add(Map.entry(name, metric)),
        () -> leaveOut(name, "it is not in MetricCatalog")));
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    families.forEach((family, series) -> {
      MetricSnapshot s = snapshot(family, series);
      if (s != null) {
        out.metricSnapshot(s);
      }
    });
    return out.build();
  }

  /** Names of registered metrics the export leaves out, sorted; empty when every one is cataloged. */
  Set<String> uncataloged() {
    collect();
    return new TreeSet<>(leftOut);
  }

  private @Nullable MetricSnapshot snapshot(MetricCatalog.Family family, List<Map.Entry<String, Metric>> series) {
    switch (family.type()) {
      case COUNTER -> {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(family.baseName()).help(family.help());
        int n = 0;
        for (Map.Entry<String, Metric> s : series) {
          if (s.getValue() instanceof Counting c && !(s.getValue() instanceof Sampling)) {
            b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .labels(LabeledMetrics.labels(s.getKey())).value(c.getCount() / family.perUnit()).build());
            n++;
          } else {
            leaveOut(s.getKey(), "it is not a counter or meter");
          }
        }
        return n == 0 ? null : b.build();
      }
      case GAUGE -> {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(family.baseName()).help(family.help());
        int n = 0;
        for (Map.Entry<String, Metric> s : series) {
          Double value = s.getValue() instanceof Gauge<?> g ? number(g.getValue()) : null;
          if (value != null) {
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .labels(LabeledMetrics.labels(s.getKey())).value(value / family.perUnit()).build());
            n++;
          } else {
            leaveOut(s.getKey(), "it is not a gauge of a number or boolean");
          }
        }
        return n == 0 ? null : b.build();
      }
      case HISTOGRAM -> {
        HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(family.baseName()).help(family.help());
        int n = 0;
        for (Map.Entry<String, Metric> s : series) {
          BucketedReservoir r = s.getValue() instanceof BucketedTimer t ? t.buckets()
              : s.getValue() instanceof BucketedHistogram h ? h.buckets() : null;
          if (r != null && r.upperBounds().length == family.buckets().size()) {
            b.dataPoint(histogram(LabeledMetrics.labels(s.getKey()), family, r));
            n++;
          } else {
            leaveOut(s.getKey(),
                "it lacks the family's buckets (register it with MetricRegistry.timer(name) or histogram(name))");
          }
        }
        return n == 0 ? null : b.build();
      }
    }
    throw new AssertionError(family.type());
  }

  /* The bounds are the catalog's, not the reservoir's rounded ones, so le labels read as written there. */
  private static HistogramSnapshot.HistogramDataPointSnapshot histogram(Labels labels, MetricCatalog.Family family,
      BucketedReservoir r) {
    long[] counts = r.bucketCounts();
    double[] bounds = new double[counts.length];
    for (int i = 0; i < bounds.length - 1; i++) {
      bounds[i] = family.buckets().get(i);
    }
    bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
    return HistogramSnapshot.HistogramDataPointSnapshot.builder()
        .labels(labels)
        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
        .sum(r.sum() / family.perUnit())
        .build();
  }

  private static @Nullable Double number(@Nullable Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    return value instanceof Boolean b ? (b ? 1.0 : 0.0) : null;
  }

  private void leaveOut(String name, String why) {
    if (leftOut.add(name)) {
      log.warn("metric {} is not exported: {}", name.replace(LabeledMetrics.SEPARATOR, ' '), why);
    }
  }
}
