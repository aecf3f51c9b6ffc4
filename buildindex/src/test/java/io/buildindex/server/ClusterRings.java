package io.buildindex.server;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.ClusterConfig;
import io.buildindex.config.ConfigLoader;
import io.buildindex.config.HostPort;
import io.buildindex.hashring.HashRing;
import io.buildindex.hashring.HashRings;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.OkHttpClient;

/**
 * The owners a node computes for tags, from its {@code cluster} YAML, computed in this JVM with the
 * production {@link HashRings} so tests can choose tags by who owns them. The ring is started (its
 * static member list loaded) and closed again before anything is probed: the configs used here
 * probe no sooner than every second, and the answer is ready at once.
 */
final class ClusterRings {
  private ClusterRings() {}

  /** {@code tag -> owners, best first}, as the node on {@code 127.0.0.1:selfPort} sees them with every member healthy. */
  static Map<String, List<HostPort>> owners(String clusterYaml, int selfPort, Collection<String> tags) {
    ClusterConfig config = ConfigLoader.parse(clusterYaml).cluster();
    if (config == null) {
      throw new IllegalArgumentException("no cluster section in: " + clusterYaml);
    }
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    OkHttpClient http = new OkHttpClient();
    try (HashRing ring = HashRings.create(config, new HostPort("127.0.0.1", selfPort), http, scheduler,
        Clock.systemUTC(), new MetricRegistry())) {
      ring.start();
      Map<String, List<HostPort>> owners = new LinkedHashMap<>();
      tags.forEach(t -> owners.put(t, ring.owners(t)));
      return owners;
    } finally {
      scheduler.shutdownNow();
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }
}
