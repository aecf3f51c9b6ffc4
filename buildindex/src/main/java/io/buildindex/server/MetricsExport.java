package io.buildindex.server;

import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmNativeMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * Renders {@code GET /metrics} in Prometheus text format: the Dropwizard registry through
 * {@link MetricCatalog} ({@link CatalogCollector}), the Prometheus Java client's standard
 * {@code jvm_*} and {@code process_*} families, and {@code build_info{version,revision,java} 1}.
 *
 * <p>Design: one Prometheus registry and one writer for everything, so the JVM families carry the
 * names stock dashboards expect and every family gets the same HELP/TYPE treatment.
 */
final class MetricsExport {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final CatalogCollector catalog;

  MetricsExport(MetricRegistry metrics, BuildInfo build) {
    // JvmMetrics.builder() less JvmMemoryPoolAllocationMetrics: its listener makes the JVM build a
    // notification (GcInfo composite data, object names) for every young collection, which under a
    // hot-GET load (~70 collections a second) was ~10% of the CPU samples (BENCHMARKS.md).
    PrometheusProperties config = PrometheusProperties.get();
    JvmThreadsMetrics.builder(config).register(registry);
    JvmBufferPoolMetrics.builder(config).register(registry);
    JvmClassLoadingMetrics.builder(config).register(registry);
    JvmCompilationMetrics.builder(config).register(registry);
    JvmGarbageCollectorMetrics.builder(config).register(registry);
    JvmMemoryMetrics.builder(config).register(registry);
    JvmNativeMemoryMetrics.builder(config).register(registry);
    JvmRuntimeInfoMetric.builder(config).register(registry);
    ProcessMetrics.builder(config).register(registry);
    catalog = new CatalogCollector(metrics);
    registry.register(catalog);
    InfoSnapshot info = InfoSnapshot.builder()
        .name("build") // the model appends _info
        .help("This build: its version, the git revision it was built from and the Java runtime it runs on.")
        .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
            .labels(Labels.of("version", build.version(), "revision", build.revision(), "java", build.java()))
            .build())
        .build();
    registry.register(() -> info);
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

  /** Registered Dropwizard metrics the scrape leaves out (see {@link CatalogCollector#uncataloged()}). */
  Set<String> uncataloged() {
    return catalog.uncataloged();
  }
}
