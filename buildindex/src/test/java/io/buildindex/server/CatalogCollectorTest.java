package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.buildindex.config.BuildIndexConfig;
import io.buildindex.config.ConfigLoader;
import io.buildindex.config.HostPort;
import io.buildindex.hashring.HashRings;
import io.buildindex.testing.FreePorts;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

final class CatalogCollectorTest {
  private final MetricRegistry metrics = new CatalogRegistry();
  private final CatalogCollector collector = new CatalogCollector(metrics);

  @Test
  void timer_isAHistogramInSecondsWithExactSumAndCumulativeBuckets() throws IOException {
    Timer t = metrics.timer("localdb.commit");
    t.update(Duration.ofNanos(400_000)); // 0.0004 s: first bucket (0.0005)
    t.update(Duration.ofMillis(1)); // exactly a bound: le is inclusive
    t.update(Duration.ofSeconds(60)); // above the last bound: +Inf only

    assertThat(text())
        .contains("# TYPE localdb_commit_duration_seconds histogram")
        .contains("localdb_commit_duration_seconds_bucket{le=\"5.0E-4\"} 1\n")
        .contains("localdb_commit_duration_seconds_bucket{le=\"0.001\"} 2\n")
        .contains("localdb_commit_duration_seconds_bucket{le=\"30.0\"} 2\n")
        .contains("localdb_commit_duration_seconds_bucket{le=\"+Inf\"} 3\n")
        .contains("localdb_commit_duration_seconds_count 3\n")
        .contains("localdb_commit_duration_seconds_sum 60.0014\n");
  }

  @Test
  void labeledCounters_areOneFamilyWithTotal() throws IOException {
    metrics.counter(LabeledMetrics.name("http_responses", "route", "GET /tags/{tag}", "status", "2xx")).inc(2);
    metrics.counter(LabeledMetrics.name("http_responses", "route", "unmatched", "status", "4xx")).inc();

    assertThat(text())
        .contains("# HELP http_responses_total Responses by route template and status class (2xx...5xx).")
        .contains("# TYPE http_responses_total counter")
        .contains("http_responses_total{route=\"GET /tags/{tag}\",status=\"2xx\"} 2.0")
        .contains("http_responses_total{route=\"unmatched\",status=\"4xx\"} 1.0");
  }

  @Test
  void gauges_areScaledToBaseUnits_andBooleansAreZeroOrOne() throws IOException {
    metrics.register("antientropy.last_round_millis", (Gauge<Long>) () -> 1500L);
    metrics.register("tagstore.up", (Gauge<Boolean>) () -> true);

    assertThat(text()).contains("antientropy_last_round_seconds 1.5\n").contains("tagstore_up 1.0\n");
  }

  @Test
  void uncatalogedOrMistypedMetrics_areLeftOutAndNamed() throws IOException {
    metrics.counter("someone.new_counter").inc();
    metrics.register("localdb.commit", new Timer()); // no buckets: not from CatalogRegistry.timer(name)
    metrics.counter("tagstore.tags"); // a counter where the catalog says gauge

    assertThat(collector.uncataloged()).containsExactly("localdb.commit", "someone.new_counter", "tagstore.tags");
    assertThat(text()).doesNotContain("someone").doesNotContain("localdb_commit").doesNotContain("tagstore_tags");
  }

  /* The exposition test's node has no cluster: the ring's metrics are checked here. */
  @Test
  void hashRingMetrics_areAllCataloged() throws IOException {
    int a = FreePorts.one();
    BuildIndexConfig config = ConfigLoader.parse("cluster:\n  hosts: {static: [\"127.0.0.1:" + a + "\", \"127.0.0.1:"
        + FreePorts.one() + "\"]}\n");
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      HashRings.create(config.cluster(), new HostPort("127.0.0.1", a), new OkHttpClient(), scheduler, Clock.systemUTC(),
          metrics);

      assertThat(collector.uncataloged()).isEmpty();
      assertThat(text()).contains("# TYPE hashring_members gauge").contains("# TYPE hashring_refresh_failures_total counter");
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void catalog_namesFollowConventions() {
    for (MetricCatalog.Family f : MetricCatalog.families()) {
      assertThat(f.name()).matches("[a-z][a-z0-9_]*").doesNotEndWith("_count").doesNotEndWith("_sum")
          .doesNotEndWith("_bucket").doesNotContain("millis");
      assertThat(f.help()).isNotBlank().doesNotContain("Generated from");
    }
    assertThatThrownBy(() -> new MetricCatalog.Family("x", "x_total", MetricCatalog.Type.GAUGE, "h", 1, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x_total");
  }

  private String text() throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(collector);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
