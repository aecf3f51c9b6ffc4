package io.buildindex.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.HostPort;
import io.buildindex.config.HostsConfig;
import io.buildindex.config.OriginConfig.RegistryConfig;
import io.buildindex.config.OriginConfig;
import io.buildindex.tagstore.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

final class OriginsTest {
  private static final Digest DIGEST = Digest.sha256("x".getBytes(StandardCharsets.UTF_8));
  private final OkHttpClient http = new OkHttpClient();
  private final MetricRegistry metrics = new MetricRegistry();
  private final Clock clock = Clock.systemUTC();

  @Test
  void create_noConfigIsNone() {
    Origin origin = Origins.create(null, http, metrics, clock);

    assertThat(origin).isSameAs(Origin.none());
    assertThat(origin.exists("r", DIGEST)).isTrue();
    assertThat(origin.address()).isEmpty();
    assertThat(origin.replicate("r", "t", DIGEST, List.of(DIGEST), "anywhere")).isEqualTo(TransferSummary.EMPTY);
  }

  @Test
  void create_registry() {
    Origin origin = Origins.create(new OriginConfig(new RegistryConfig("https://registry.dc1:5000/", "u", "p"), null),
        http, metrics, clock);

    assertThat(origin).isInstanceOf(RegistryOrigin.class);
    assertThat(origin.address()).isEqualTo("https://registry.dc1:5000");
    assertThat(metrics.getMeters()).containsKey(Origins.TRANSFER_BYTES);
  }

  @Test
  void create_krakenStaticHostsReportsFirst() {
    HostsConfig hosts = HostsConfig.ofStatic(List.of(HostPort.parse("origin1:15002"), HostPort.parse("origin2:15002")));

    assertThat(Origins.create(new OriginConfig(null, hosts), http, metrics, clock).address()).isEqualTo("origin1:15002");
  }

  @Test
  void create_krakenDnsReportsTheName() {
    HostsConfig hosts = new HostsConfig(null, "kraken-origin.dc1:15002", null, null);

    assertThat(Origins.create(new OriginConfig(null, hosts), http, metrics, clock).address()).isEqualTo("kraken-origin.dc1:15002");
  }

  @Test
  void create_krakenConsulNeedsAHostList() {
    HostsConfig hosts = new HostsConfig(null, null, new HostsConfig.ConsulConfig("127.0.0.1:8500", "origin", null, null), null);

    assertThatThrownBy(() -> Origins.create(new OriginConfig(null, hosts), http, metrics, clock))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("consul");
    assertThat(Origins.create(new OriginConfig(null, hosts), http, metrics, clock, () -> List.of(HostPort.parse("o1:15002")))
        .address()).isEqualTo("o1:15002");
  }

  @Test
  void dockerResolver_needsAnOrigin() {
    assertThatThrownBy(() -> Origins.dockerResolver(Origin.none(), PollPolicy.defaults(), Sleeper.SYSTEM))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("origin");
  }

  @Test
  void retryPolicy_doublesUpToTheCap() {
    PollPolicy policy = new PollPolicy(6, Duration.ofMillis(200), Duration.ofSeconds(1));

    assertThat(List.of(1, 2, 3, 4, 5)).map(policy::delayAfter).containsExactly(Duration.ofMillis(200),
        Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @Test
  void retryPolicy_rejectsNoAttempts() {
    assertThatThrownBy(() -> new PollPolicy(0, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
  }

  @Test
  void transferSummary_rate() {
    TransferSummary summary = new TransferSummary(10_000, 1, 0, 0, 2, Duration.ofSeconds(2));

    assertThat(summary.bytesPerSecond()).isEqualTo(5_000.0);
    assertThat(TransferSummary.EMPTY.bytesPerSecond()).isZero();
  }
}
