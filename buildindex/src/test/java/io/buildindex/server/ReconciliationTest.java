package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.ClusterConfig;
import io.buildindex.config.ConfigLoader;
import io.buildindex.config.HostPort;
import io.buildindex.hashring.HashRing;
import io.buildindex.hashring.HashRings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which node walks the registry, and what an unconfigured reconciliation reports. */
final class ReconciliationTest {
  private static final String CLUSTER = """
      cluster:
        hosts:
          static: ['127.0.0.1:15101', '127.0.0.1:15102', '127.0.0.1:15103']
      """;

  @TempDir Path dir;

  private static boolean responsible(HashRing ring) {
    return new Reconciliation.RegistryTags(null, null, false, ring).responsible();
  }

  private static boolean responsibleInCluster(int selfPort) {
    ClusterConfig config = ConfigLoader.parse(CLUSTER).cluster();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    OkHttpClient http = new OkHttpClient();
    try (HashRing ring = HashRings.create(config, new HostPort("127.0.0.1", selfPort), http, scheduler,
        Clock.systemUTC(), new MetricRegistry())) {
      ring.start();
      return responsible(ring);
    } finally {
      scheduler.shutdownNow();
      http.dispatcher().executorService().shutdown();
    }
  }

  @Test
  void responsible_aloneOrFirstHealthyMemberOnly() {
    assertThat(responsible(HashRing.single(new HostPort("127.0.0.1", 15104)))).isTrue();
    assertThat(responsibleInCluster(15101)).isTrue();
    assertThat(responsibleInCluster(15102)).isFalse();
    assertThat(responsibleInCluster(15103)).isFalse();
  }

  @Test
  void status_withoutRegistryOrigin_disabled() {
    try (TestServer server = TestServer.start(dir)) {
      RawHttp.Response r = server.get("/origin/reconciliation");

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("state").asText()).isEqualTo("disabled");
      assertThat(r.json().get("differing")).isEmpty();
    }
  }
}
