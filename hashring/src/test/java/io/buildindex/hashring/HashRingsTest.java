package io.buildindex.hashring;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.ClusterConfig;
import io.buildindex.config.HostPort;
import io.buildindex.config.HostsConfig;
import io.buildindex.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class HashRingsTest {
  private static final HostPort LISTEN = new HostPort("127.0.0.1", 15004);

  private final FakeClock clock = new FakeClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final MetricRegistry metrics = new MetricRegistry();
  private final OkHttpClient http = new OkHttpClient();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void shutdown() {
    scheduler.shutdownNow();
    http.dispatcher().executorService().shutdown();
  }

  @Test
  void single_ownsEverything() {
    try (HashRing ring = HashRing.single(LISTEN)) {
      ring.start();

      assertThat(ring.self()).isEqualTo(LISTEN);
      assertThat(ring.owners("library/ubuntu:22.04")).containsExactly(LISTEN);
      assertThat(ring.isOwner("anything")).isTrue();
      assertThat(ring.members()).containsExactly(LISTEN);
      assertThat(ring.healthyMembers()).containsExactly(LISTEN);
      assertThat(ring.status()).isEqualTo(new RingStatus("single", 1, 1, null, null));
    }
  }

  @Test
  void create_noClusterSection_single() {
    HashRing ring = HashRings.create(null, LISTEN, http, scheduler, clock, metrics);

    assertThat(ring).isEqualTo(HashRing.single(LISTEN));
    assertThat(metrics.getNames()).isEmpty();
  }

  @Test
  void create_static_clusterRingWithMetrics() {
    HostPort peer = new HostPort("203.0.113.1", 15004);
    ClusterConfig cfg = new ClusterConfig(HostsConfig.ofStatic(List.of(LISTEN, peer)), 2, null, null);

    try (HashRing ring = HashRings.create(cfg, LISTEN, http, scheduler, clock, metrics)) {
      ((ClusterRing) ring).refresh();

      assertThat(ring.members()).containsExactly(LISTEN, peer);
      assertThat(ring.owners("library/ubuntu:22.04")).containsExactlyInAnyOrder(LISTEN, peer);
      assertThat(metrics.getNames()).containsExactlyInAnyOrder("hashring.members", "hashring.healthy_members",
          "hashring.seconds_since_refresh", "hashring.membership_stale", "hashring.refresh_failures");
      assertThat(metrics.getGauges().get("hashring.healthy_members").getValue()).isEqualTo(2);
    }
  }

  @Test
  void create_dns_resolvesThroughTheClientsDns() {
    FakeDns dns = new FakeDns().answer("build-index.test", "127.0.0.1", "203.0.113.1");
    OkHttpClient withDns = http.newBuilder().dns(dns).build();
    HostsConfig hosts = new HostsConfig(null, "build-index.test:15004", null, Duration.ofSeconds(5));
    ClusterConfig cfg = new ClusterConfig(hosts, null, null, null);

    try (HashRing ring = HashRings.create(cfg, LISTEN, withDns, scheduler, clock, metrics)) {
      ((ClusterRing) ring).refresh();

      assertThat(ring.members()).containsExactly(LISTEN, new HostPort("203.0.113.1", 15004));
      assertThat(ring.self()).isEqualTo(LISTEN);
      assertThat(ring.status().source()).isEqualTo("dns");
    }
  }
}
