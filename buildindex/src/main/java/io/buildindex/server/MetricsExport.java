package io.buildindex.server;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jvm.GarbageCollectorMetricSet;
import com.codahale.metrics.jvm.MemoryUsageGaugeSet;
import com.codahale.metrics.jvm.ThreadStatesGaugeSet;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Renders the Dropwizard registry in Prometheus text format. Dotted Dropwizard names become
 * underscored Prometheus names; names made by {@link LabeledMetrics#name} become labeled series. Registers JVM basics (memory, GC, threads) once.
 */
final class MetricsExport {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  MetricsExport(MetricRegistry metrics) {
    metrics.registerAll("jvm.memory", new MemoryUsageGaugeSet());
    metrics.registerAll("jvm.gc", new GarbageCollectorMetricSet());
    metrics.registerAll("jvm.threads", new ThreadStatesGaugeSet());
    DropwizardExports.builder().dropwizardRegistry(metrics).metricFilter(LabeledMetrics.UNLABELED).register(registry);
    registry.register(new LabeledMetrics(metrics));
  }

  String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
