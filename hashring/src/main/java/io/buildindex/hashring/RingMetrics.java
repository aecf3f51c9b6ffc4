package io.buildindex.hashring;

import static com.codahale.metrics.MetricRegistry.name;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;

/**
 * Registers a cluster ring's metrics, all under {@code hashring.}: {@code members},
 * {@code healthy_members}, {@code seconds_since_refresh} (since the source last answered, or since
 * start when it never has), {@code membership_stale} (1 while the source fails and the last known
 * membership is in use) and the counter {@code refresh_failures}.
 */
final class RingMetrics {
  private static final String PREFIX = "hashring";

  private RingMetrics() {}

  /** Registers the metrics of {@code ring}; throws when {@code registry} already has them. */
  static void register(MetricRegistry registry, ClusterRing ring) {
    Membership membership = ring.membership();
    registry.registerGauge(name(PREFIX, "members"), () -> ring.members().size());
    registry.registerGauge(name(PREFIX, "healthy_members"), () -> ring.healthyMembers().size());
    registry.registerGauge(name(PREFIX, "seconds_since_refresh"), () -> membership.sinceLastRefresh().toSeconds());
    registry.registerGauge(name(PREFIX, "membership_stale"), (Gauge<Integer>) () -> membership.error() == null ? 0 : 1);
    registry.register(name(PREFIX, "refresh_failures"), membership.refreshFailures());
  }
}
