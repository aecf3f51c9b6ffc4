package io.buildindex.server;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Sampling;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exports Dropwizard metrics whose names carry labels as one Prometheus family per name with a
 * series per label set. A labeled name is {@code family<TAB>key=value<TAB>key=value}, made by
 * {@link #name}; modules name per-destination or per-route metrics that way.
 *
 * <p>Design: the Prometheus Dropwizard bridge maps one Dropwizard metric to one family, and
 * rejects two metrics that map to the same family name, so labeled series (the same family for
 * every route or destination) need this small collector; everything else goes through the bridge.
 */
final class LabeledMetrics implements MultiCollector {
  static final char SEPARATOR = '\t';
  /** For the bridge: every metric this collector does not export. */
  static final MetricFilter UNLABELED = (name, metric) -> name.indexOf(SEPARATOR) < 0;

  private final MetricRegistry registry;

  LabeledMetrics(MetricRegistry registry) {
    this.registry = registry;
  }

  /** {@code name("http_requests", "route", "GET /tags/{tag}")}. */
  static String name(String family, String... labelPairs) {
    StringBuilder b = new StringBuilder(family);
    for (int i = 0; i + 1 < labelPairs.length; i += 2) {
      b.append(SEPARATOR).append(labelPairs[i]).append('=').append(labelPairs[i + 1]);
    }
    return b.toString();
  }

  @Override
  public MetricSnapshots collect() {
    Map<String, List<Map.Entry<Labels, Metric>>> families = new TreeMap<>();
    registry.getMetrics().forEach((name, metric) -> {
      int tab = name.indexOf(SEPARATOR);
      if (tab > 0) {
        families.computeIfAbsent(name.substring(0, tab), k -> new ArrayList<>())
            .add(Map.entry(labels(name.substring(tab + 1)), metric));
      }
    });
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    families.forEach((family, series) -> out.metricSnapshot(snapshot(family, series)));
    return out.build();
  }

  private static Labels labels(String encoded) {
    Labels.Builder b = Labels.builder();
    for (String pair : encoded.split(String.valueOf(SEPARATOR))) {
      int eq = pair.indexOf('=');
      b.label(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return b.build();
  }

  /* A family is one type: a timer family is a summary in seconds, counters and meters are counters,
   * gauges are gauges, histograms are summaries. */
  private static MetricSnapshot snapshot(String family, List<Map.Entry<Labels, Metric>> series) {
    Metric first = series.get(0).getValue();
    String name = family.replace('.', '_');
    if (first instanceof Gauge<?>) {
      GaugeSnapshot.Builder g = GaugeSnapshot.builder().name(name);
      series.forEach(s -> g.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
          .labels(s.getKey()).value(number(((Gauge<?>) s.getValue()).getValue())).build()));
      return g.build();
    }
    if (first instanceof Sampling) {
      double scale = first instanceof Timer ? 1e-9 : 1.0;
      SummarySnapshot.Builder sb = SummarySnapshot.builder().name(first instanceof Timer ? name + "_seconds" : name);
      series.forEach(s -> sb.dataPoint(summary(s.getKey(), s.getValue(), scale)));
      return sb.build();
    }
    CounterSnapshot.Builder c = CounterSnapshot.builder().name(name);
    series.forEach(s -> c.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
        .labels(s.getKey()).value(((Counting) s.getValue()).getCount()).build()));
    return c.build();
  }

  /** Dropwizard keeps no exact sum; mean times count is the estimate its reservoir allows. */
  private static SummarySnapshot.SummaryDataPointSnapshot summary(Labels labels, Metric metric, double scale) {
    Snapshot snap = ((Sampling) metric).getSnapshot();
    long count = ((Counting) metric).getCount();
    return SummarySnapshot.SummaryDataPointSnapshot.builder()
        .labels(labels)
        .count(count)
        .sum(snap.getMean() * scale * count)
        .quantiles(Quantiles.of(
            new Quantile(0.5, snap.getMedian() * scale),
            new Quantile(0.95, snap.get95thPercentile() * scale),
            new Quantile(0.99, snap.get99thPercentile() * scale)))
        .build();
  }

  private static double number(Object value) {
    return value instanceof Number n ? n.doubleValue() : value instanceof Boolean b && b ? 1 : 0;
  }
}
