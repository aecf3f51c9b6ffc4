package io.buildindex.hashring;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.ClusterConfig;
import io.buildindex.config.HostPort;
import io.buildindex.config.HostsConfig;
import io.buildindex.config.HostsConfig.ConsulConfig;
import io.buildindex.hashring.testing.FakeConsul;
import io.buildindex.hashring.testing.FakeConsul.Instance;
import io.buildindex.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class ConsulMembershipTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final String SERVICE = "build-index";
  private static final HostPort SELF = new HostPort("127.0.0.1", 15004);

  private final FakeClock clock = new FakeClock(T0);
  private final MetricRegistry metrics = new MetricRegistry();
  private final OkHttpClient http = new OkHttpClient();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private FakeConsul consul = new FakeConsul("");
  private ClusterRing ring;

  @AfterEach
  void shutdown() {
    if (ring != null) {
      ring.close();
    }
    consul.close();
    scheduler.shutdownNow();
    http.dispatcher().executorService().shutdown();
  }

  @Test
  void refresh_passingInstancesOfTheServiceOnly() {
    consul.register(Instance.of(SERVICE, "127.0.0.1", 15004));
    consul.register(Instance.of(SERVICE, "203.0.113.1", 15004));
    consul.register(Instance.of(SERVICE, "203.0.113.2", 15004).failing());
    consul.register(Instance.of("other-service", "203.0.113.3", 15004));
    ring = ring("", "");

    ring.refresh();

    assertThat(ring.members()).containsExactly(SELF, hp("203.0.113.1:15004"));
    assertThat(ring.self()).isEqualTo(SELF);
    assertThat(ring.status()).isEqualTo(new RingStatus("consul", 2, 2, T0, null));
    assertThat(consul.requests()).first().asString().startsWith("/v1/health/service/" + SERVICE).contains("passing");
  }

  @Test
  void refresh_serviceWithoutAddress_usesItsNodeAddress() {
    consul.register(Instance.of(SERVICE, "203.0.113.1", 15010).withoutServiceAddress());
    ring = ring("", "");

    ring.refresh();

    assertThat(ring.members()).containsExactly(hp("203.0.113.1:15010"));
  }

  @Test
  void refresh_tagFilter() {
    consul.register(Instance.of(SERVICE, "203.0.113.1", 15004, "dc1", "primary"));
    consul.register(Instance.of(SERVICE, "203.0.113.2", 15004, "dc2"));
    ring = ring("dc1", "");

    ring.refresh();

    assertThat(ring.members()).containsExactly(hp("203.0.113.1:15004"));
    assertThat(consul.requests()).first().asString().contains("tag=dc1");
  }

  @Test
  void refresh_aclTokenSentInHeader() {
    consul.close();
    consul = new FakeConsul("s3cr3t");
    consul.register(Instance.of(SERVICE, "203.0.113.1", 15004));
    ring = ring("", "s3cr3t");

    ring.refresh();

    assertThat(ring.members()).containsExactly(hp("203.0.113.1:15004"));
    assertThat(ring.status().error()).isNull();
    assertThat(consul.requests()).first().asString().doesNotContain("s3cr3t");
  }

  @Test
  void refresh_wrongAclToken_isAFailure() {
    consul.close();
    consul = new FakeConsul("s3cr3t");
    consul.register(Instance.of(SERVICE, "203.0.113.1", 15004));
    ring = ring("", "wrong");

    ring.refresh();

    assertThat(ring.status().error()).startsWith("consul unreachable since " + T0).contains("403");
    assertThat(counter("refresh_failures")).isEqualTo(1);
  }

  @Test
  void refresh_membershipFollowsAddThenRemove() {
    consul.register(Instance.of(SERVICE, "127.0.0.1", 15004));
    ring = ring("", "");
    ring.refresh();
    assertThat(ring.members()).containsExactly(SELF);

    Instance added = Instance.of(SERVICE, "203.0.113.1", 15004);
    consul.register(added);
    ring.refresh();
    assertThat(ring.members()).containsExactly(SELF, hp("203.0.113.1:15004"));
    assertThat(gauge("members")).isEqualTo(2);

    consul.deregister(added.id());
    ring.refresh();
    assertThat(ring.members()).containsExactly(SELF);
    assertThat(gauge("members")).isEqualTo(1);
  }

  @Test
  void consulDown_keepsLastKnownMembership_thenRecovers() {
    consul.register(Instance.of(SERVICE, "127.0.0.1", 15004));
    consul.register(Instance.of(SERVICE, "203.0.113.1", 15004));
    ring = ring("", "");
    ring.refresh();
    clock.advance(Duration.ofSeconds(5));

    consul.stop();
    ring.refresh();

    assertThat(ring.members()).containsExactly(SELF, hp("203.0.113.1:15004"));
    assertThat(ring.status().error())
        .startsWith("consul unreachable since " + T0.plusSeconds(5) + ": consul at http://" + consul.address())
        .endsWith("using last known membership of 2");
    assertThat(ring.status().stale()).isTrue();
    assertThat(ring.status().lastRefresh()).isEqualTo(T0);
    assertThat(gauge("membership_stale")).isEqualTo(1);
    assertThat(gauge("seconds_since_refresh")).isEqualTo(5L);
    assertThat(counter("refresh_failures")).isEqualTo(1);

    consul.restart();
    clock.advance(Duration.ofSeconds(5));
    ring.refresh();

    assertThat(ring.status().error()).isNull();
    assertThat(ring.status().lastRefresh()).isEqualTo(T0.plusSeconds(10));
    assertThat(gauge("membership_stale")).isEqualTo(0);
    assertThat(gauge("seconds_since_refresh")).isEqualTo(0L);
  }

  @Test
  void consulDownAtStart_runsAloneAndSaysSo() {
    consul.stop();
    ring = ring("", "");

    ring.start();

    assertThat(ring.owners("library/ubuntu:22.04")).containsExactly(SELF);
    assertThat(ring.status().error()).endsWith("no membership known yet, running alone");
    assertThat(gauge("membership_stale")).isEqualTo(1);
  }

  private ClusterRing ring(String tag, String token) {
    ConsulConfig cfg = new ConsulConfig(consul.address(), SERVICE, tag, token);
    ClusterConfig cluster = new ClusterConfig(new HostsConfig(null, null, cfg, Duration.ofSeconds(5)), 3, null, null);
    return (ClusterRing) HashRings.create(cluster, SELF, http, scheduler, clock, metrics);
  }

  private Object gauge(String name) {
    Gauge<?> gauge = metrics.getGauges().get(MetricRegistry.name("hashring", name));
    return gauge.getValue();
  }

  private long counter(String name) {
    return metrics.getCounters().get(MetricRegistry.name("hashring", name)).getCount();
  }

  private static HostPort hp(String text) {
    return HostPort.parse(text);
  }
}
